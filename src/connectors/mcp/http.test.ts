import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpHandler } from './http.js';

test('the MCP HTTP endpoint answers an unexpected error with -32603 and logs where it came from, not what was sent', async () => {
  const handler = createHttpHandler({
    authenticate: async () => ({ id: 'agent:x', type: 'agent', groups: [], authMethod: 'static' }),
    openSession: () => {
      throw new Error('cannot open a session for secret.person@example.com');
    },
    onSessionClosed: () => undefined,
    recordAuthFailure: async () => undefined,
    maxMessageBytes: 1 << 20,
    sessionIdleMs: 60_000,
    maxSessionsPerPrincipal: 4,
  });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  const logged: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => void logged.push(a.join(' '));
  try {
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    for (let i = 0; i < 2; i++) {
      const r = await fetch(url, { method: 'POST', body: init, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } });
      assert.equal(r.status, 500);
      assert.equal(((await r.json()) as { error: { code: number } }).error.code, -32603);
    }
  } finally {
    console.error = error;
    await handler.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.equal(logged.length, 2);
  assert.match(logged[0]!, /^countersign: internal error in the MCP HTTP endpoint \(POST\): Error at /);
  assert.ok(!logged.join('\n').includes('secret.person'), 'the message, which may quote the request, is not logged');
});
