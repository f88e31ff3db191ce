// An upstream reached over Streamable HTTP (server-everything in streamableHttp mode; headers_env configured, the
// server does not check it): the agent calls it like any other, and an unreachable URL is a readable tool error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { freePort, startEverythingHttp, toolText } from './support/upstreams.js';
import { realWorld } from './support/world.js';

const text = toolText;

describe('MCP gateway with a Streamable HTTP upstream', () => {
  const POLICY = { rules: [...(TEST_POLICY.rules ?? []), { name: 'remote', principal: { groups: ['agents'] }, resource: ['remote', 'gone'], effect: 'allow' as const }] };
  let server: Awaited<ReturnType<typeof startEverythingHttp>>;
  let h: Harness;
  let agent: Client;

  before(async () => {
    server = await startEverythingHttp();
    process.env.CS_TEST_REMOTE_TOKEN = 'remote-secret-token';
    h = await startHarness((await realWorld(POLICY)).gateway, {
      upstreams: [
        { name: 'remote', url: server.url, headers_env: { authorization: 'CS_TEST_REMOTE_TOKEN' } },
        { name: 'gone', url: `http://127.0.0.1:${await freePort()}/mcp`, call_timeout: '2s' },
      ],
    });
    agent = await h.client('http');
  });
  after(async () => {
    await h.close();
    server.close();
  });

  it('lists and calls the remote tools under their prefix', async () => {
    const { tools } = await agent.listTools();
    assert.ok(tools.some((t) => t.name === 'remote.get-sum'));
    assert.ok(!tools.some((t) => t.name.startsWith('gone.')), 'an unreachable upstream contributes nothing');
    assert.equal(text(await agent.callTool({ name: 'remote.get-sum', arguments: { a: 20, b: 22 } })), 'The sum of 20 and 22 is 42.');
    assert.equal(h.mcp.status().find((s) => s.name === 'remote')?.state, 'up');
  });

  it('answers a call to an unreachable upstream with a readable tool error', async () => {
    const r = await agent.callTool({ name: 'gone.echo', arguments: { message: 'x' } });
    assert.equal(r.isError, true);
    assert.match(text(r), /upstream gone is unavailable/);
  });
});
