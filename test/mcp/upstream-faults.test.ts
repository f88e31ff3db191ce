// Upstream faults the gateway must tell apart: a Streamable HTTP upstream that forgot the session or restarted
// (a new session, the refused call sent once more), one that dies mid-call (the call fails at once), errors an
// upstream sends with the codes the SDK uses for its own faults (passed on as the upstream's), agents calling
// unknown names in a loop (no listing storm), and the operator's log line for what the gateway did not expect.
// Real processes: fixtures/app-server.mjs over HTTP and stdio, server-everything over HTTP, killed and restarted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startHarness, type Harness } from './support/harness.js';
import { APP_SERVER, startAppHttp, startEverythingHttp, toolText, type HttpUpstream } from './support/upstreams.js';
import { realWorld } from './support/world.js';

const text = toolText;
const code = (r: unknown) => ((r as CallToolResult)._meta as Record<string, unknown> | undefined)?.['countersign/error'];
const POLICY = { rules: [{ name: 'agents', principal: { groups: ['agents'] }, resource: ['app', 'app400', 'apps', 'ev'], effect: 'allow' as const, mask: 'default' }] };

describe('MCP gateway: upstreams that restart, die mid-call, or send errors of their own', () => {
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;
  let agent: Client;
  let app: HttpUpstream;
  let app400: HttpUpstream;
  let ev: HttpUpstream;
  const logs: string[] = [];
  const logsSince = (n: number) => logs.slice(n).join('\n');

  before(async () => {
    [app, app400, ev] = await Promise.all([startAppHttp(), startAppHttp(undefined, { UNKNOWN_SESSION_STATUS: '400' }), startEverythingHttp()]);
    world = await realWorld(POLICY);
    h = await startHarness(
      world.gateway,
      {
        upstreams: [
          { name: 'app', url: app.url, call_timeout: '10s' },
          { name: 'app400', url: app400.url, call_timeout: '10s' },
          { name: 'apps', command: process.execPath, args: [APP_SERVER, 'stdio'], call_timeout: '5s' },
          { name: 'ev', url: ev.url, call_timeout: '10s' },
        ],
      },
      { defaults: false, log: (line) => logs.push(line) },
    );
    agent = await h.client('http');
  });
  after(async () => {
    if (process.env.DEBUG_LOGS) console.log(logs.join('\n'));
    await h.close();
    await world.close();
    for (const s of [app, app400, ev]) s.close();
  });

  const ping = (name = 'app') => agent.callTool({ name: `${name}.ping`, arguments: {} });
  const state = (name: string) => h.mcp.status().find((s) => s.name === name)?.state;

  it('passes on an error the upstream sent with code -32000 or -32001 as its own, at once, and keeps the connection', async () => {
    for (const upstream of ['app', 'apps']) {
      const pid = text(await ping(upstream));
      for (const [errCode, message] of [[-32000, 'rate limited, try in a minute'], [-32001, 'quota exceeded']] as const) {
        const t0 = performance.now();
        await assert.rejects(agent.callTool({ name: `${upstream}.fail`, arguments: { code: errCode, message } }), (e: unknown) => {
          assert.ok(e instanceof McpError, String(e));
          assert.equal(e.code, errCode, `${upstream}: the upstream's code`);
          assert.match(e.message, new RegExp(message), `${upstream}: the upstream's message, not "crashed?" or "did not answer"`);
          return true;
        });
        assert.ok(performance.now() - t0 < 2000, 'no wait for a timeout');
      }
      assert.equal(state(upstream), 'up', `${upstream} stays up`);
      assert.equal(text(await ping(upstream)), pid, `${upstream}: the same process and connection answer the next call`);
    }
  });

  it('lists tools and prompts at most once per REFRESH_MIN_MS for calls to names the upstream does not offer', async () => {
    const listings = async () => JSON.parse(text(await agent.callTool({ name: 'app.listings', arguments: {} }))) as { tools: number; prompts: number };
    const before = await listings();
    const t0 = performance.now();
    const unknownTool = () => agent.callTool({ name: 'app.no-such-tool', arguments: {} }).then(() => assert.fail('an unknown tool is refused'), (e: McpError) => assert.equal(e.code, -32602));
    const unknownPrompt = () => agent.getPrompt({ name: 'app.no-such-prompt' }).then(() => assert.fail('an unknown prompt is refused'), (e: McpError) => assert.equal(e.code, -32602));
    await Promise.all(Array.from({ length: 40 }, unknownTool));
    await Promise.all(Array.from({ length: 40 }, unknownPrompt));
    for (let i = 0; i < 40; i++) await unknownTool(), await unknownPrompt();
    const after = await listings();
    const allowed = 1 + Math.ceil((performance.now() - t0) / 2000);
    assert.ok(after.tools - before.tools <= allowed, `tools listed ${after.tools - before.tools} times for 80 unknown-tool calls (at most ${allowed})`);
    assert.ok(after.prompts - before.prompts <= allowed, `prompts listed ${after.prompts - before.prompts} times for 80 unknown-prompt gets (at most ${allowed})`);
  });

  it('logs an upstream error it cannot map (the agent is told the gateway log has details): one line, no result', async () => {
    const n = logs.length;
    await assert.rejects(agent.getPrompt({ name: 'app.broken' }), (e: unknown) => e instanceof McpError && e.code === -32603 && /gateway log has details/.test(e.message));
    const line = logsSince(n);
    assert.match(line, /^mcp upstream app: prompts\/get: unexpected error: \S*Error/m);
    assert.doesNotMatch(line, /not a list/, 'the upstream answer is not logged');
    assert.equal(line.split('\n').length, 1);
  });

  it('opens a new session when the upstream forgot the old one (HTTP 404) and sends the refused call once more', async () => {
    const pid = text(await ping());
    await fetch(new URL('/forget', app.url), { method: 'POST' });
    const n = logs.length;
    const r = await ping();
    assert.equal(r.isError, undefined, text(r));
    assert.equal(text(r), pid, 'the same process answers, on a new session');
    assert.match(logsSince(n), /mcp upstream app: tools\/call: it no longer knows the gateway's session \(HTTP 404; restarted\?\); opening a new session/);
    assert.equal(state('app'), 'up');
    assert.equal(text(await ping()), pid);
  });

  it('answers UPSTREAM_UNAVAILABLE when the upstream refuses the session with 400 (not certain it did not run), and the next call works', async () => {
    const pid = text(await ping('app400'));
    await fetch(new URL('/forget', app400.url), { method: 'POST' });
    const r = await ping('app400');
    assert.equal(code(r), 'UPSTREAM_UNAVAILABLE', text(r));
    assert.match(text(r), /upstream app400 is unavailable: it refused the request \(HTTP 400; restarted\?\); the next call opens a new session/);
    assert.equal(text(await ping('app400')), pid);
  });

  it('fails a call at once with UPSTREAM_UNAVAILABLE when the HTTP upstream dies during it, and reconnects when it is back', async () => {
    assert.match(text(await ping()), /^pong/);
    const n = logs.length;
    const t0 = performance.now();
    const pending = agent.callTool({ name: 'app.slow', arguments: { seconds: 30 } });
    await sleep(300);
    await app.kill();
    const r = await pending;
    const took = performance.now() - t0;
    assert.equal(code(r), 'UPSTREAM_UNAVAILABLE', text(r));
    assert.match(text(r), /upstream app is unavailable: its connection broke while calls were running/);
    assert.ok(took < 3000, `failed after ${Math.round(took)} ms, not after call_timeout (10 s)`);
    assert.match(logsSince(n), /^mcp upstream app: down: its connection broke/m);
    assert.equal(state('app'), 'down');
    app = await startAppHttp(app.port);
    assert.equal(text(await ping()), `pong from ${app.pid}`);
    assert.equal(state('app'), 'up');
  });

  for (const [name, which] of [['app', 'the SDK server (404 for a lost session)'], ['ev', 'server-everything (400 for a lost session)']] as const) {
    it(`serves calls again after ${which} restarts between two calls: at most one call fails, with UPSTREAM_UNAVAILABLE`, async () => {
      const call = () => (name === 'app' ? ping() : agent.callTool({ name: 'ev.echo', arguments: { message: 'two' } }));
      assert.equal((await call()).isError, undefined);
      const server = name === 'app' ? app : ev;
      await server.kill();
      const again = name === 'app' ? await startAppHttp(server.port) : await startEverythingHttp(server.port);
      if (name === 'app') app = again;
      else ev = again;
      const first = await call();
      if (first.isError) assert.equal(code(first), 'UPSTREAM_UNAVAILABLE', text(first));
      const second = await call();
      assert.equal(second.isError, undefined, text(second));
      assert.equal(text(second), name === 'app' ? `pong from ${app.pid}` : 'Echo: two');
      assert.equal(state(name), 'up');
    });
  }
});
