import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/** What `watchedFetch` reports about the HTTP exchanges of one upstream connection. */
export interface HttpWatch {
  /**
   * The connection to the upstream failed: a request could not be sent or answered (`during: 'request'`, `fetch
   * failed`: refused, reset), or the response stream of a POST (the stream a request's answer comes on) broke before
   * it ended (`during: 'response'`).
   */
  broken(error: unknown, during: 'request' | 'response'): void;
  /** The upstream answered 404 to a GET or DELETE that carried the session id: it no longer knows the session. */
  sessionLost(status: number): void;
}

/**
 * A fetch for the SDK's Streamable HTTP client transport that tells the gateway what the transport does not: the
 * SDK reports a broken stream only through `onerror` (a bare Error, for the GET stream it reconnects by itself as
 * for a POST stream whose answer is then lost for good), and leaves the calls waiting on a broken POST stream pending
 * until their timeout. Failures caused by the transport's own abort (the gateway closing it) are not reported.
 *
 * POST answers are not looked at here: a refused POST reaches the caller as the SDK's `StreamableHTTPError` with
 * the status, for that one request (the upstream decides what to do with it). A GET that breaks is not reported
 * either: the SDK reopens it, and a reopening that fails is (refused: `broken`; 404: `sessionLost`).
 *
 * @example
 * const f = watchedFetch(fetch, { broken: (e) => drop(`connection broke (${e})`), sessionLost: () => drop('session gone') });
 * new StreamableHTTPClientTransport(url, { fetch: f });
 */
export function watchedFetch(base: FetchLike, watch: HttpWatch): FetchLike {
  return async (url, init) => {
    const ours = () => init?.signal?.aborted === true;
    let res: Response;
    try {
      res = await base(url, init);
    } catch (e) {
      if (!ours()) watch.broken(e, 'request');
      throw e;
    }
    const method = (init?.method ?? 'GET').toUpperCase();
    const session = new Headers(init?.headers).has('mcp-session-id');
    // MCP Streamable HTTP: "The server MAY terminate the session at any time, after which it MUST respond to requests
    // containing that session ID with HTTP 404 Not Found" — and the client MUST then start a new session.
    if (session && method !== 'POST' && res.status === 404) watch.sessionLost(res.status);
    if (method !== 'POST' || !res.ok || !res.body) return res;
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (e) {
          if (!ours()) watch.broken(e, 'response');
          ctrl.error(e);
          return;
        }
        // Only a failed read is a broken stream: the reader may have cancelled this one meanwhile (closing it).
        try {
          if (chunk.done) ctrl.close();
          else ctrl.enqueue(chunk.value);
        } catch {
          // cancelled
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
