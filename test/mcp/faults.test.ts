// Faults: an upstream that crashes or hangs, malformed and oversized JSON-RPC on stdio and HTTP. Each gets a
// proper error, the gateway stays up, other sessions are unaffected.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { toolText } from './support/upstreams.js';
import { realWorld } from './support/world.js';
import { streamPair } from './support/stream-client.js';
import { BATCH_REFUSED } from '../../src/connectors/mcp/stdio.js';

const FAULTY = fileURLToPath(new URL('./fixtures/faulty-server.mjs', import.meta.url));
const OVERSIZED_CLIENT = fileURLToPath(new URL('./fixtures/oversized-client.mjs', import.meta.url));
const execFileAsync = promisify(execFile);
const text = toolText;
const POLICY = {
  rules: [...(TEST_POLICY.rules ?? []), { name: 'agents-faulty', principal: { groups: ['agents'] }, resource: 'faulty', effect: 'allow' as const }],
};

describe('MCP gateway faults', () => {
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;
  let agent: Client;
  let other: Client;

  before(async () => {
    world = await realWorld(POLICY);
    h = await startHarness(world.gateway, {
      max_message_bytes: 4096,
      upstreams: [{ name: 'faulty', command: process.execPath, args: [FAULTY], call_timeout: '3s' }],
    });
    agent = await h.client('stdio');
    other = await h.client('http');
  });
  after(async () => {
    await h.close();
    await world.close();
  });

  it('fails a call whose upstream crashes with a tool error, restarts the upstream, and serves everyone else', async () => {
    const first = text(await agent.callTool({ name: 'faulty.ping', arguments: {} }));
    const r = await agent.callTool({ name: 'faulty.crash', arguments: {} });
    assert.equal(r.isError, true);
    assert.match(text(r), /upstream faulty is unavailable: .*closed the connection/);
    assert.equal(text(await other.callTool({ name: 'everything.get-sum', arguments: { a: 1, b: 2 } })), 'The sum of 1 and 2 is 3.');
    const again = text(await agent.callTool({ name: 'faulty.ping', arguments: {} }));
    assert.match(again, /^pong from \d+$/);
    assert.notEqual(again, first, 'a new process answers');
  });

  it('fails a call to a hung upstream after call_timeout', async () => {
    const r = await other.callTool({ name: 'faulty.hang', arguments: {} });
    assert.equal(r.isError, true);
    assert.match(text(r), /upstream faulty did not answer within 3s/);
    assert.match(text(await agent.callTool({ name: 'faulty.ping', arguments: {} })), /^pong/);
  });

  it('answers malformed, invalid and oversized stdio lines with JSON-RPC errors and keeps the session', async () => {
    const pair = streamPair();
    await h.mcp.serveStdio(h.principals.agent, { input: pair.serverInput, output: pair.serverOutput });
    const lines: unknown[] = [];
    let buf = '';
    pair.serverOutput.on('data', (c: Buffer) => {
      buf += c.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    const send = (s: string) => pair.serverInput.write(s);
    send('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}\n');
    send('this is not json\n');
    send('{"jsonrpc":"1.0","id":7,"method":"x"}\n');
    send('[{"jsonrpc":"2.0","id":8,"method":"ping"}]\n');
    send('{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"pad":"' + 'x'.repeat(5000) + '"}}\n');
    send('{"jsonrpc":"2.0","id":10,"method":"no/such/method"}\n');
    send('{"jsonrpc":"2.0","id":11,"method":"ping"}\n');
    // Known methods with params that do not fit: invalid params (-32602), not an internal error.
    send('{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{}}\n');
    send('{"jsonrpc":"2.0","id":13,"method":"prompts/get","params":{"name":42}}\n');
    send('{"jsonrpc":"2.0","id":14,"method":"resources/read","params":{}}\n');
    // Arguments nested far deeper than any real call: refused before anything encodes them.
    send('{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"everything.echo","arguments":{"message":' + '['.repeat(1500) + ']'.repeat(1500) + '}}}\n');
    send('{"jsonrpc":"2.0","id":16,"method":"ping"}\n');
    for (let i = 0; i < 200 && lines.length < 11; i++) await new Promise((r) => setTimeout(r, 10));
    const byId = (id: unknown) => lines.find((l) => (l as { id: unknown }).id === id) as { error?: { code: number; message: string }; result?: unknown };
    assert.ok(byId(1).result, 'initialized');
    const nullIds = lines.filter((l) => (l as { id: unknown }).id === null) as Array<{ error: { code: number; message: string } }>;
    assert.deepEqual(nullIds.map((l) => l.error.code).sort(), [-32700, -32600, -32600].sort());
    assert.ok(nullIds.some((l) => /larger than 4096 bytes/.test(l.error.message)));
    assert.ok(nullIds.some((l) => l.error.message === BATCH_REFUSED), 'a batch is refused, as over HTTP');
    assert.equal(byId(7).error?.code, -32600);
    assert.equal(byId(10).error?.code, -32601);
    assert.deepEqual(byId(11).result, {});
    assert.equal(byId(9), undefined, 'the oversized message was dropped');
    for (const id of [12, 13, 14]) assert.equal(byId(id).error?.code, -32602, `request ${id}: ${JSON.stringify(byId(id))}`);
    assert.match(byId(13).error?.message ?? '', /^Invalid params for prompts\/get: /);
    // One short line saying what is wrong, not the schema library's issue list.
    assert.equal(byId(12).error?.message, 'Invalid params for tools/call: params.name: expected string, received undefined');
    assert.equal(byId(13).error?.message, 'Invalid params for prompts/get: params.name: expected string, received number');
    assert.equal(byId(15).error?.code, -32602);
    assert.match(byId(15).error?.message ?? '', /arguments nest deeper than 63 levels/);
    assert.deepEqual(byId(16).result, {}, 'still answering');
  });

  it('answers malformed, oversized and unauthenticated HTTP requests with JSON-RPC errors', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(h.url, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${h.tokens.agent}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      });
    const bad = await post('{not json');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: number } }).error.code, -32700);
    // JSON that is no JSON-RPC message: -32600 as on stdio (with its id when it has one), not the SDK's -32700.
    for (const [body, id] of [['{"hello":1}', null], ['{"jsonrpc":"1.0","id":7,"method":"x"}', 7]] as const) {
      const r = await post(body);
      assert.equal(r.status, 400, body);
      assert.deepEqual(await r.json(), { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' } });
    }
    const big = await post('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"' + 'x'.repeat(5000) + '"}}');
    assert.equal(big.status, 413);
    assert.deepEqual(await big.json(), { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Message larger than 4096 bytes (max_message_bytes)' } });
    const noAuth = await post('{"jsonrpc":"2.0","id":1,"method":"ping"}', { authorization: 'Bearer wrong-token-that-is-long-enough' });
    assert.equal(noAuth.status, 401);
    assert.ok(world.events.some((e) => e.type === 'auth.failed' && (e.data as { connector?: string } | undefined)?.connector === 'mcp'));
    const noSession = await post('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    assert.equal(noSession.status, 400);
    const unknown = await post('{"jsonrpc":"2.0","id":1,"method":"ping"}', { 'mcp-session-id': 'nope' });
    assert.equal(unknown.status, 404);
    assert.equal(text(await other.callTool({ name: 'everything.echo', arguments: { message: 'still here' } })), 'Echo: still here');
  });

  it('refuses a JSON-RPC batch over HTTP as over stdio (-32600), and answers each message sent alone', async () => {
    const headers = { authorization: `Bearer ${h.tokens.agent}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(h.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    const sid = init.headers.get('mcp-session-id')!;
    await init.body?.cancel();
    const withSession = { ...headers, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    await (await fetch(h.url, { method: 'POST', headers: withSession, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).body?.cancel();
    for (const batch of [[{ jsonrpc: '2.0', id: 2, method: 'tools/list' }], [{ jsonrpc: '2.0', id: 3, method: 'ping' }, { jsonrpc: '2.0', id: 4, method: 'ping' }], []]) {
      const r = await fetch(h.url, { method: 'POST', headers: withSession, body: JSON.stringify(batch) });
      assert.equal(r.status, 400, JSON.stringify(batch));
      assert.deepEqual(await r.json(), { jsonrpc: '2.0', id: null, error: { code: -32600, message: BATCH_REFUSED } });
    }
    const single = await fetch(h.url, { method: 'POST', headers: { ...withSession, accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' }) });
    assert.equal(single.status, 200);
    assert.match(await single.text(), /"id":5/);
  });

  it('lets an SDK client in its own process read the 413 for an oversized message, and the session keeps working', async () => {
    // The body is read to its end before the answer: a client still sending when the server answers and closes gets
    // a reset connection, and the SDK reports "fetch failed" instead of the 413.
    const run = await execFileAsync(process.execPath, [OVERSIZED_CLIENT, h.url.href, h.tokens.agent, '5000000,20000000,5000'], { cwd: dirname(OVERSIZED_CLIENT) });
    const { out, after } = JSON.parse(run.stdout) as { out: Array<{ size: number; code: unknown; message: string }>; after: string };
    for (const r of out) {
      assert.equal(r.code, 413, JSON.stringify(r));
      assert.match(r.message, /Error POSTing to endpoint: .*"code":-32600,"message":"Message larger than 4096 bytes \(max_message_bytes\)"/);
    }
    assert.equal(after, 'Echo: after');
  });

  it('refuses a session to a principal or credential other than the one that opened it', async () => {
    const init = await fetch(h.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.agent}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    const sid = init.headers.get('mcp-session-id')!;
    await init.body?.cancel();
    assert.ok(sid);
    const asOther = (token: string) =>
      fetch(h.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sid, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
    assert.equal((await asOther(h.tokens.outsider)).status, 403);
    // Another key of the same principal id (rotated, without the first key's groups and on-behalf-of) does not act
    // with the rights the session was opened with.
    const rotated = await asOther(h.tokens.rotated);
    assert.equal(rotated.status, 403);
    assert.match(((await rotated.json()) as { error: { message: string } }).error.message, /another principal or credential/);
    const own = await asOther(h.tokens.agent);
    assert.equal(own.status, 200);
    await own.body?.cancel();
  });
});
