import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { describeAction } from '../core/action.js';
import type { Principal } from '../core/identity.js';
import { toolCallInput } from '../connectors/mcp/action.js';
import { loadConfig } from './index.js';

// The shipped example configurations load, validate and compile (policy, masking profiles, MCP upstreams): the
// README and docs point newcomers at them.
for (const rel of ['examples/countersign.yaml', 'examples/mcp-demo/countersign.yaml']) {
  test(`${rel} loads and its policy compiles`, async () => {
    const cfg = await loadConfig(fileURLToPath(new URL(`../../${rel}`, import.meta.url)));
    assert.ok(cfg.compiledPolicy.rules.length > 0, 'the example has rules');
    assert.ok(cfg.mcp.upstreams.length > 0, 'the example wraps an MCP server');
  });
}

test('examples/countersign.yaml denies get-env whatever its annotations say, and allows echo', async () => {
  const cfg = await loadConfig(fileURLToPath(new URL('../../examples/countersign.yaml', import.meta.url)));
  const principal: Principal = { id: 'agent:demo', type: 'agent', groups: ['agents'], authMethod: 'static', onBehalfOf: 'alice@example.com' };
  const call = (tool: string, annotations: ToolAnnotations) =>
    cfg.compiledPolicy.evaluate(describeAction(toolCallInput({ principal, upstream: 'everything', tool, annotations, arguments: {}, summary: `everything.${tool} {}` })));
  // server-everything marks get-env read-only: a rule on kind tool_call alone would miss it (it did, once).
  for (const annotations of [{ readOnlyHint: true }, {}]) assert.equal(call('get-env', annotations).effect, 'deny');
  assert.equal(call('echo', { readOnlyHint: true }).effect, 'allow');
});

test('examples/mcp-demo/countersign.yaml: reads pass, writes wait for a person, move_file is denied', async () => {
  const cfg = await loadConfig(fileURLToPath(new URL('../../examples/mcp-demo/countersign.yaml', import.meta.url)));
  const principal: Principal = { id: 'agent:claude', type: 'agent', groups: ['agents'], authMethod: 'api_key', onBehalfOf: 'alice@example.com' };
  const call = (tool: string, annotations: ToolAnnotations) =>
    cfg.compiledPolicy.evaluate(describeAction(toolCallInput({ principal, upstream: 'fs', tool, annotations, arguments: {}, summary: `fs.${tool} {}` })));
  assert.equal(call('read_text_file', { readOnlyHint: true }).effect, 'allow');
  assert.equal(call('write_file', { readOnlyHint: false, destructiveHint: true }).effect, 'review');
  assert.equal(call('move_file', { readOnlyHint: false }).effect, 'deny');
});

test('examples/countersign.yaml: an unmask is reviewed and its approval is good for that one token, once', async () => {
  const cfg = await loadConfig(fileURLToPath(new URL('../../examples/countersign.yaml', import.meta.url)));
  const principal: Principal = { id: 'agent:bot', type: 'agent', groups: ['agents'], authMethod: 'api_key' };
  const d = cfg.compiledPolicy.evaluate(describeAction({ principal, resource: 'tokens:agent:bot', connector: 'api', kind: 'unmask', summary: 'unmask tok_x in scope agent:bot', detail: { scope: 'agent:bot', token: 'tok_x' } }));
  assert.equal(d.effect, 'review');
  assert.deepEqual(d.effect === 'review' && d.review.grant, { type: 'once' });
});
