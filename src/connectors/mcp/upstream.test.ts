import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { mcpConfigSchema } from './config.js';
import { Upstream } from './upstream.js';

describe('Upstream (stdio)', () => {
  it("finds commands installed with Countersign even when they are not on the operator's PATH", async () => {
    const saved = process.env.PATH;
    // Only node's own directory: no node_modules/.bin, as under `node dist/cli/main.js serve`.
    process.env.PATH = dirname(process.execPath);
    const [config] = mcpConfigSchema.parse({ upstreams: [{ name: 'everything', command: 'mcp-server-everything', args: ['stdio'] }] }).upstreams;
    const u = new Upstream(config!);
    try {
      const tools = await u.tools();
      assert.ok(tools.some((t) => t.name === 'echo'), 'the reference server answered');
      assert.equal(u.state, 'up');
    } finally {
      process.env.PATH = saved;
      await u.close();
    }
  });
});
