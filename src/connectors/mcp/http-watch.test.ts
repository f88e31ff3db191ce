import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { watchedFetch } from './http-watch.js';

/** A real HTTP server on a free port, answering with `handler`. */
async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server };
}

function recorder() {
  const seen: string[] = [];
  return { seen, watch: { broken: (e: unknown, during: string) => seen.push(`broken ${during}: ${(e as Error).message}`), sessionLost: (s: number) => seen.push(`lost ${s}`) } };
}

const post = (session?: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json', ...(session ? { 'mcp-session-id': session } : {}) }, body: '{}' });

describe('watchedFetch', () => {
  it('reports a POST response stream that breaks before it ends, and passes the error on to the reader', async () => {
    const { url, server } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message\ndata: {}\n\n');
      setTimeout(() => res.socket?.destroy(), 50); // the process died mid-answer
    });
    const { seen, watch } = recorder();
    try {
      const res = await watchedFetch(fetch, watch)(url, post('s1'));
      await assert.rejects(res.text());
      assert.equal(seen.length, 1);
      assert.match(seen[0]!, /^broken response: /);
    } finally {
      server.close();
    }
  });

  it('reports a refused connection, and a 404 to a GET that carried the session; not a 404 to a POST, nor a clean end', async () => {
    const { url, server } = await serve((req, res) => {
      if (req.method === 'GET') res.writeHead(404).end();
      else res.writeHead(req.headers['mcp-session-id'] ? 404 : 200, { 'content-type': 'application/json' }).end('{}');
    });
    const { seen, watch } = recorder();
    const f = watchedFetch(fetch, watch);
    try {
      assert.equal(await (await f(url, post())).text(), '{}');
      assert.equal((await f(url, post('s1'))).status, 404);
      assert.equal((await f(url, { method: 'GET' })).status, 404, 'no session id: nothing lost');
      assert.deepEqual(seen, []);
      assert.equal((await f(url, { method: 'GET', headers: { 'mcp-session-id': 's1' } })).status, 404);
      assert.deepEqual(seen, ['lost 404']);
      const gone = await serve(() => undefined);
      await new Promise((r) => gone.server.close(r)); // nothing listens there now
      await assert.rejects(f(gone.url, post('s1')));
      assert.equal(seen.length, 2);
      assert.match(seen[1]!, /^broken request: fetch failed/);
    } finally {
      server.close();
    }
  });

  it("does not report what the transport's own abort causes (the gateway closing the connection)", async () => {
    const { url, server } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
    });
    const { seen, watch } = recorder();
    const ac = new AbortController();
    try {
      const res = await watchedFetch(fetch, watch)(url, { ...post('s1'), signal: ac.signal });
      const reading = res.text();
      ac.abort();
      await assert.rejects(reading);
      await assert.rejects(watchedFetch(fetch, watch)(url, { ...post('s1'), signal: ac.signal }));
      assert.deepEqual(seen, []);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
