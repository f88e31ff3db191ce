import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
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
