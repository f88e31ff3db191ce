// /metrics on a running gateway: an MCP agent's calls show up as decisions (from the pipeline, for every
// connector), masked values, upstream calls with their outcome and duration, and the upstream's state.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { generateAuditKeyPair } from '../../src/audit/signing.js';
import { loadConfig } from '../../src/config/index.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import { createMetrics } from '../../src/api/metrics.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { EVERYTHING_SERVER } from '../mcp/support/harness.js';

const TOKEN = 'metrics-test-agent-token-0123456789';

describe('/metrics', () => {
  let rt: Runtime;
  let srv: RunningServer;
  let agent: Client;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-metrics-'));
    const file = join(dir, 'countersign.yaml');
    writeFileSync(
      file,
      `store: { driver: sqlite, path: ./cs.db }
identity:
  static_tokens: [{ token_env: CS_TEST_AGENT_TOKEN, id: "agent:metrics", type: agent, groups: [agents] }]
mcp:
  upstreams: [{ name: everything, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(EVERYTHING_SERVER)}, stdio] }]
resources:
  - { name: everything, type: mcp }
policy:
  rules:
    - { name: no-env, resource: everything, when: 'has(action.detail.tool) && action.detail.tool == "get-env"', effect: deny, reason: no }
    - { name: agents, principal: { groups: [agents] }, resource: everything, effect: allow }
`,
    );
    const env = { ...process.env, CS_TEST_AGENT_TOKEN: TOKEN, COUNTERSIGN_AUDIT_KEY: generateAuditKeyPair().privateKey };
    rt = await createRuntime(await loadConfig(file), { env, startMcp: true });
    srv = await startServer(rt, { port: 0, host: '127.0.0.1' });
    agent = new Client({ name: 'metrics-test', version: '1' });
    await agent.connect(new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
  });
  after(async () => {
    await agent.close();
    await srv.close();
    await rt.close();
  });

  it('counts decisions, masked values and upstream calls, and shows the upstream up', async () => {
    await agent.callTool({ name: 'everything.echo', arguments: { message: 'write to bob@example.com and ann@example.org' } });
    const denied = await agent.callTool({ name: 'everything.get-env', arguments: {} });
    assert.equal(denied.isError, true);
    const res = await fetch(`${srv.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    assert.equal(value('countersign_decisions_total{effect="allow",connector="mcp",resource="everything"}'), 1);
    assert.equal(value('countersign_decisions_total{effect="deny",connector="mcp",resource="everything"}'), 1);
    assert.equal(value('countersign_masked_values_total{connector="mcp",resource="everything"}'), 2);
    assert.equal(value('countersign_mcp_upstream_calls_total{upstream="everything",method="tools/call",outcome="ok"}'), 1, 'the denied call never reached the upstream');
    assert.equal(value('countersign_mcp_upstream_call_duration_seconds_count{upstream="everything",method="tools/call"}'), 1);
    assert.equal(value('countersign_mcp_upstream_up{upstream="everything"}'), 1);
  });

  it('never takes a label value from a caller: unknown resources and unmask scopes count as `other`', async () => {
    const post = (path: string, body: unknown) => fetch(`${srv.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const unknown = await post('/v1/actions', { resource: 'jane.doe@example.com SSN 536-22-8714', kind: 'read', summary: 'x' });
    assert.equal(unknown.status, 404);
    for (let i = 0; i < 3; i++) assert.equal((await post('/v1/unmask', { scope: `card 4111111111111111 bob${i}@example.com`, token: 'tok_x' })).status, 403);
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    // Labels only: a sample's value (process_resident_memory_bytes 84111360) may hold any digits.
    const labels = (text.match(/\{[^}]*\}/g) ?? []).join('\n');
    assert.doesNotMatch(labels, /4111|example\.com|536-22|jane/, 'no caller text in any label');
    assert.match(text, /countersign_decisions_total\{effect="deny",connector="api",resource="other"\} 3/);
    assert.match(text, /countersign_decisions_total\{effect="allow",connector="mcp",resource="everything"\} 1/, 'configured names stay');
  });
});

describe('createMetrics labels', () => {
  it('folds resources and connectors outside the config into `other`; keeps configured ones', async () => {
    const m = createMetrics({ resources: ['prod-db'] });
    const a = (connector: string, resource: string) => ({ connector, resource }) as never;
    m.observer.decided(a('anything-I-like', 'prod-db'), 'deny');
    m.observer.decided(a('postgres', 'r1231129243'), 'deny');
    m.observer.decided(a('sdk', 'prod-db'), 'allow');
    m.observer.masked?.(a('mcp', 'tokens:card 4111111111111111'), 2);
    const text = await m.registry.metrics();
    assert.match(text, /countersign_decisions_total\{effect="deny",connector="other",resource="prod-db"\} 1/);
    assert.match(text, /countersign_decisions_total\{effect="deny",connector="postgres",resource="other"\} 1/);
    assert.match(text, /countersign_decisions_total\{effect="allow",connector="sdk",resource="prod-db"\} 1/);
    assert.match(text, /countersign_masked_values_total\{connector="mcp",resource="other"\} 2/);
    assert.doesNotMatch((text.match(/\{[^}]*\}/g) ?? []).join('\n'), /anything-I-like|r1231129243|4111/, 'labels only: a sample value may hold any digits');
  });
});
