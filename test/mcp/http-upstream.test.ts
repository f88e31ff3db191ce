// An upstream reached over Streamable HTTP (server-everything in streamableHttp mode; headers_env configured, the
// server does not check it): the agent calls it like any other, and an unreachable URL is a readable tool error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { EVERYTHING_SERVER, startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { realWorld } from './support/world.js';

const text = (r: unknown): string => ((r as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('MCP gateway with a Streamable HTTP upstream', () => {
  const POLICY = { rules: [...(TEST_POLICY.rules ?? []), { name: 'remote', principal: { groups: ['agents'] }, resource: ['remote', 'gone'], effect: 'allow' as const }] };
  let server: ChildProcess;
  let h: Harness;
  let agent: Client;

  before(async () => {
    const port = await freePort();
    server = spawn(process.execPath, [EVERYTHING_SERVER, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve) => server.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
    process.env.CS_TEST_REMOTE_TOKEN = 'remote-secret-token';
    h = await startHarness((await realWorld(POLICY)).gateway, {
      upstreams: [
        { name: 'remote', url: `http://127.0.0.1:${port}/mcp`, headers_env: { authorization: 'CS_TEST_REMOTE_TOKEN' } },
        { name: 'gone', url: `http://127.0.0.1:${await freePort()}/mcp`, call_timeout: '2s' },
      ],
    });
    agent = await h.client('http');
  });
  after(async () => {
    await h.close();
    server.kill();
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
