import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ErrorCode, JSONRPCMessageSchema, isInitializeRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { sameCredential, type Principal } from '../../core/identity.js';
import { asCountersignError } from '../../core/errors.js';
import type { McpSession } from './session.js';
import { BATCH_REFUSED, NOT_JSON_RPC } from './stdio.js';

/** Turns an HTTP request into the principal that makes it; throws CountersignError AUTH_* when it cannot. */
export type Authenticate = (req: IncomingMessage) => Promise<Principal>;

export interface HttpHandlerDeps {
  authenticate: Authenticate;
  openSession(principal: Principal, transport: 'http'): McpSession;
  /** `reason`: `client` (DELETE, or its connection ended), `idle` (session_idle), `evicted` (max_sessions_per_principal), `gateway_stopped`. */
  onSessionClosed(session: McpSession, reason: SessionCloseReason): void;
  recordAuthFailure(code: string): Promise<void>;
  maxMessageBytes: number;
  sessionIdleMs: number;
  /** Open sessions one principal may hold: a new one closes its longest-idle session, or is refused (429). */
  maxSessionsPerPrincipal: number;
  /** On close, how long calls running upstream may go on before they are cut (McpSession.stopHeld). */
  shutdownGraceMs?: number;
  /** `WWW-Authenticate` of a 401 (with OIDC: where the resource metadata is); default `Bearer`. */
  challenge?: (req: IncomingMessage) => string;
}

/** A plain Node handler for the Streamable HTTP endpoint, plus what it holds. */
export interface McpHttpHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Open sessions. */
  readonly sessions: number;
  /** Close every session (held calls are cancelled). */
  close(): Promise<void>;
}

/** Why a session closed, as its `mcp.session_closed` audit event says. */
export type SessionCloseReason = 'client' | 'idle' | 'evicted' | 'gateway_stopped';

interface HttpSession {
  session: McpSession;
  transport: StreamableHTTPServerTransport;
  lastSeen: number;
  /** Set when the gateway closes it (else the client did). */
  closing?: SessionCloseReason;
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}, id: RequestId | null = null): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** The 401's challenge, with `error="invalid_token"` when a credential was presented and refused (RFC 6750 §3.1). */
function challengeFor(base: string, code: string): string {
  if (code === 'AUTH_REQUIRED') return base;
  return base === 'Bearer' ? 'Bearer error="invalid_token"' : `${base}, error="invalid_token"`;
}

/** A body over the limit; `drained` when it was read to its end (the connection can answer and stay usable). */
class TooLarge extends Error {
  constructor(readonly drained: boolean) {
    super('body too large');
  }
}

/** How much of an oversized body is read and thrown away so the client can read the 413 (see readBody). */
export function drainLimit(max: number): number {
  return Math.max(64 * 1024 * 1024, 4 * max);
}

/**
 * The request body, up to `max` bytes. A larger body is not kept: it is read to its end and discarded (up to
 * `drainLimit(max)`), because a client still sending when the server answers and closes gets a connection reset and
 * never sees the answer (undici's fetch reports "fetch failed"). Past that ceiling, or when Content-Length already
 * says more, it gives up at once (`drained: false`).
 */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const cap = drainLimit(max);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > cap) throw new TooLarge(false);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) throw new TooLarge(false);
    if (size <= max) chunks.push(chunk);
    else chunks.length = 0;
  }
  if (size > max) throw new TooLarge(true);
  return Buffer.concat(chunks);
}

function requestIds(body: unknown): RequestId[] {
  const list = Array.isArray(body) ? body : [body];
  const ids: RequestId[] = [];
  for (const m of list) {
    if (m && typeof m === 'object' && 'method' in m && 'id' in m) {
      const id = (m as { id: unknown }).id;
      if (typeof id === 'string' || typeof id === 'number') ids.push(id);
    }
  }
  return ids;
}

/**
 * The Streamable HTTP endpoint as a plain Node `(req, res)` handler (mount it at `mcp.path`). Every request is
 * authenticated; a session belongs to the principal that opened it (another principal gets 403). Bodies larger
 * than `maxMessageBytes` get 413 with a JSON-RPC error; a client that disconnects while a call is held cancels it.
 */
export function createHttpHandler(deps: HttpHandlerDeps): McpHttpHandler {
  const sessions = new Map<string, HttpSession>();
  /** Every session made and not yet closed, initialized or not. */
  const live = new Set<HttpSession>();

  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [id, s] of sessions) {
      if (s.session.inflight === 0 && now - s.lastSeen > deps.sessionIdleMs) {
        sessions.delete(id);
        s.closing = 'idle';
        void s.transport.close().catch(() => undefined);
      }
    }
  }, Math.min(deps.sessionIdleMs, 60_000));
  sweeper.unref();

  // Never rejects: a server calls it as `void handler(req, res)`, and a rejection nobody handles stops the process.
  // Anything unexpected is logged — the error's name and where it was thrown, not its message, which may quote what
  // the client sent — and answered -32603, or the response is ended.
  const handler = (async (req: IncomingMessage, res: ServerResponse) => {
    try {
      await handle(req, res);
    } catch (e) {
      const where = ((e as Error)?.stack ?? '').split('\n').find((l) => l.trim().startsWith('at '))?.trim() ?? '';
      console.error(`countersign: internal error in the MCP HTTP endpoint (${req.method ?? '?'}): ${(e as Error)?.name ?? typeof e} ${where}`);
      if (!res.headersSent) sendJsonRpcError(res, 500, ErrorCode.InternalError, 'An unexpected error; the gateway log has details.');
      else res.destroy();
    }
  }) as McpHttpHandler;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let principal: Principal;
    try {
      principal = await deps.authenticate(req);
    } catch (e) {
      const err = asCountersignError(e);
      await deps.recordAuthFailure(err.code).catch(() => undefined);
      const status = err.status === 401 || err.status === 403 ? err.status : 401;
      return sendJsonRpcError(res, status, ErrorCode.InvalidRequest, `Unauthorized: ${err.message}`, { 'www-authenticate': challengeFor(deps.challenge?.(req) ?? 'Bearer', err.code) });
    }

    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (typeof sessionId === 'string' && !existing) {
      return sendJsonRpcError(res, 404, ErrorCode.InvalidRequest, 'Session not found: initialize a new session');
    }
    if (existing && !sameCredential(existing.session.principal, principal)) {
      return sendJsonRpcError(res, 403, ErrorCode.InvalidRequest, 'This session belongs to another principal or credential: initialize a new session');
    }
    // A client renews its OIDC token and goes on in the same session: the session acts until the new token expires.
    existing?.session.renew(principal);

    if (req.method !== 'POST') {
      if (req.method !== 'GET' && req.method !== 'DELETE') {
        return sendJsonRpcError(res, 405, ErrorCode.InvalidRequest, 'Method not allowed', { allow: 'GET, POST, DELETE' });
      }
      if (!existing) return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, 'Bad Request: mcp-session-id header is required');
      existing.lastSeen = Date.now();
      return existing.transport.handleRequest(req, res);
    }

    let body: unknown;
    try {
      const raw = await readBody(req, deps.maxMessageBytes);
      body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      if (e instanceof TooLarge) {
        // Drained: the connection stays usable. Not drained: it is closed once the answer is out.
        return sendJsonRpcError(res, 413, ErrorCode.InvalidRequest, `Message larger than ${deps.maxMessageBytes} bytes (max_message_bytes)`, e.drained ? {} : { connection: 'close' });
      }
      return sendJsonRpcError(res, 400, ErrorCode.ParseError, 'Parse error: the body is not valid JSON');
    }
    // MCP 2025-06-18 removed JSON-RPC batching (2025-11-25 keeps it out); stdio refuses batches too.
    if (Array.isArray(body)) return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, BATCH_REFUSED);
    // JSON that is no JSON-RPC 2.0 message: -32600 with its id, as on stdio (the SDK transport would say -32700).
    if (!JSONRPCMessageSchema.safeParse(body).success) {
      const id = body && typeof body === 'object' ? (body as { id?: unknown }).id : undefined;
      return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, NOT_JSON_RPC, {}, typeof id === 'string' || typeof id === 'number' ? id : null);
    }

    let entry = existing;
    if (!entry) {
      if (!isInitializeRequest(body)) {
        return sendJsonRpcError(res, 400, ErrorCode.InvalidRequest, 'Bad Request: no session; send initialize first');
      }
      // One principal's credential holds at most maxSessionsPerPrincipal sessions (an agent that never closes its
      // sessions must not grow the gateway without bound): the longest-idle one without a call in flight makes room.
      // Another key of the same principal id neither counts against nor evicts them.
      // Counted from `live`, which holds a session from the moment it is made (the map only once initialized), so
      // concurrent initializes cannot slip past the limit.
      const mine = [...live].filter((s) => sameCredential(s.session.principal, principal));
      if (mine.length >= deps.maxSessionsPerPrincipal) {
        const idle = mine.filter((s) => s.session.inflight === 0).sort((a, b) => a.lastSeen - b.lastSeen)[0];
        if (!idle) {
          return sendJsonRpcError(
            res,
            429,
            ErrorCode.InvalidRequest,
            `Too many sessions: ${principal.id} has ${mine.length} open, each with a call in flight; close one (HTTP DELETE) or wait`,
            { 'retry-after': '5' },
          );
        }
        const id = idle.transport.sessionId;
        if (id) sessions.delete(id);
        live.delete(idle);
        idle.closing = 'evicted';
        void idle.transport.close().catch(() => undefined);
      }
      const session = deps.openSession(principal, 'http');
      const created: HttpSession = {
        session,
        lastSeen: Date.now(),
        transport: new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            sessions.set(id, created);
          },
        }),
      };
      live.add(created);
      created.transport.onclose = () => {
        const id = created.transport.sessionId;
        if (id) sessions.delete(id);
        live.delete(created);
        deps.onSessionClosed(session, created.closing ?? 'client');
      };
      await session.server.connect(created.transport);
      entry = created;
    }
    entry.lastSeen = Date.now();

    // A client that goes away before its answer is written cancels what it asked (held calls included).
    const ids = requestIds(body);
    const target = entry;
    if (ids.length) {
      res.on('close', () => {
        if (!res.writableFinished) for (const id of ids) target.session.abort(id, 'the client disconnected');
      });
    }
    await entry.transport.handleRequest(req, res, body);
    // An initialize the transport refused leaves a session without an id: it never counts again.
    if (!entry.transport.sessionId && live.delete(entry)) void entry.transport.close().catch(() => undefined);
  };

  Object.defineProperty(handler, 'sessions', { get: () => sessions.size });
  handler.close = async () => {
    clearInterval(sweeper);
    const all = [...live];
    // Held calls are answered (GATEWAY_STOPPING) and running ones finish before the transports close.
    await Promise.all(all.map((s) => s.session.stopHeld(deps.shutdownGraceMs)));
    sessions.clear();
    live.clear();
    for (const s of all) s.closing = 'gateway_stopped';
    await Promise.all(all.map((s) => s.transport.close().catch(() => undefined)));
  };
  return handler;
}
