import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { mcpConfigSchema } from './config.js';
import { REFRESH_MIN_MS, Upstream } from './upstream.js';

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

  it('an unset env_from / headers_env variable leaves the upstream down (not "connecting") and the error does not name the variable', async () => {
    const { upstreams } = mcpConfigSchema.parse({
      upstreams: [
        { name: 'spawned', command: 'mcp-server-everything', args: ['stdio'], env_from: { API_TOKEN: 'CS_TEST_UNSET_UPSTREAM_VAR' } },
        { name: 'remote', url: 'http://127.0.0.1:9/mcp', headers_env: { Authorization: 'CS_TEST_UNSET_HEADER_VAR' } },
      ],
    });
    for (const config of upstreams) {
      const u = new Upstream(config, { env: {} });
      try {
        await assert.rejects(u.tools(), (e: Error & { code?: string }) => {
          assert.equal(e.code, 'UPSTREAM_UNAVAILABLE');
          assert.match(e.message, new RegExp(`upstream ${config.name} is unavailable: it is not configured correctly`));
          assert.doesNotMatch(e.message, /CS_TEST_UNSET|API_TOKEN|Authorization/);
          return true;
        });
        assert.equal(u.state, 'down');
        await assert.rejects(u.tools(), (e: Error) => !/CS_TEST_UNSET/.test(e.message), 'nor on the next call');
      } finally {
        await u.close();
      }
    }
  });

  it('lists resources once for many refreshes close together (reads of unknown URIs in a loop), and again later', async () => {
    const [config] = mcpConfigSchema.parse({ upstreams: [{ name: 'everything', command: 'mcp-server-everything', args: ['stdio'] }] }).upstreams;
    let now = 0;
    const u = new Upstream(config!, { now: () => now });
    try {
      const first = await u.resources();
      assert.ok(first.offered && first.resources.length > 0);
      const client = await u.connect();
      let listings = 0;
      const list = client.listResources.bind(client);
      client.listResources = (...a) => (listings++, list(...a));
      const many = await Promise.all(Array.from({ length: 20 }, () => u.resources({ refresh: true })));
      assert.equal(listings, 0, 'listed a moment ago: the cache answers');
      assert.ok(many.every((r) => r === first));
      now += REFRESH_MIN_MS;
      await Promise.all(Array.from({ length: 20 }, () => u.resources({ refresh: true })));
      assert.equal(listings, 1, 'an older listing is refreshed, once for concurrent callers');
    } finally {
      await u.close();
    }
  });
});
