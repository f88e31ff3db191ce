import type { ActionKind } from '../core/action.js';

/** A request as the API returns it (see openapi.yaml). */
export interface RequestJson {
  id: string;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'executed';
  expiresAt: string;
  /** When an approval stops letting the action run (once approved; null before). */
  grantEndsAt?: string | null;
  /** `keyId`/`keyStatus`: the API key the request was made with, and whether it is still active (null: not a key). */
  principal: { id: string; type: string; onBehalfOf: string | null; keyId?: string | null; keyStatus?: 'active' | 'revoked' | 'missing' | null };
  resource: string;
  connector: string;
  kind: ActionKind;
  summary: string;
  /** In a list (`listRequests`), cut to a few KB of JSON text when larger (`truncated: true`); `getRequest` has it whole. */
  preview: unknown;
  /** The caller's context (masked); in a list cut like `preview`. */
  context?: unknown;
  tags?: string[];
  /** The masking profile the result goes through (the rule's `mask`); null: the gateway's default. */
  maskProfile?: string | null;
  /** Lists only: whether `preview` or `context` was cut. */
  truncated?: boolean;
  rule: string;
  reason: string | null;
  actionDigest: string;
  review: { approverGroups: string[]; approvals: number; timeoutSeconds?: number; grant?: { type: 'once' } | { type: 'window'; seconds: number } };
  approvedBy: string[];
  decidedBy: string[];
  decisionReason: string | null;
  /**
   * `auditSeq`: the audit event that recorded the vote (null: none). `counted: false`: an approving vote the gateway
   * passes over because the audit log does not vouch for it (it names no audit event).
   */
  votes: Array<{ voter: string; vote: string; reason: string | null; channel: string; auditSeq?: number | null; counted?: boolean }>;
}

export interface ActionRequest {
  resource: string;
  kind: ActionKind;
  summary: string;
  detail?: Record<string, unknown>;
  tags?: string[];
  context?: Record<string, unknown>;
  /** `api` (the default) or `sdk`; the gateway refuses any other (a caller cannot pose as another connector). */
  connector?: 'api' | 'sdk';
}

export type SubmitResult =
  | { status: 'allowed'; actionDigest: string; requestId: string | null; rule: string; /** Pass to reportOutcome: any gateway sharing this one's audit key takes the outcome. */ outcomeTicket?: string }
  | { status: 'pending'; actionDigest: string; requestId: string; expiresAt: number; rule: string };

/**
 * A signal that aborts when any of `signals` does (`AbortSignal.any`, which Node has from 20.3; the package supports
 * every Node 20, so earlier ones get the same by listeners).
 */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const c = new AbortController();
  for (const s of signals) {
    if (s.aborted) {
      c.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => c.abort(s.reason), { once: true });
  }
  return c.signal;
}

/** An error the gateway returned: `code` from the error catalog (docs/errors.md). */
export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number, readonly details?: unknown) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  url: string;
  token: string;
  fetch?: typeof fetch;
  /**
   * Give up on a call the gateway does not answer (a hung gateway, a stuck load balancer, a half-open connection)
   * after this long, with ApiError UPSTREAM_TIMEOUT; default 30 s. A long-poll `wait` gets its own wait time on top.
   */
  timeoutMs?: number;
}

/**
 * A small client for the gateway's HTTP API. Every call takes an optional AbortSignal; aborting it rejects the call
 * with the signal's reason.
 *
 * @example
 * const api = new ApiClient({ url: 'http://127.0.0.1:8080', token: process.env.COUNTERSIGN_TOKEN!, timeoutMs: 10_000 });
 * const r = await api.submit({ resource: 'prod-db', kind: 'delete', summary: 'purge old rows' });
 */
export class ApiClient {
  constructor(private readonly opts: ApiClientOptions) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ApiClient {
    const token = env.COUNTERSIGN_TOKEN;
    if (!token) throw new ApiError('AUTH_REQUIRED', 'set COUNTERSIGN_TOKEN to your API key or token', 401);
    return new ApiClient({ url: env.COUNTERSIGN_URL ?? 'http://127.0.0.1:8080', token });
  }

  /** `timeoutMs`: this call's limit instead of the client's (see ApiClientOptions). */
  async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal, timeoutMs = this.opts.timeoutMs ?? 30_000): Promise<{ status: number; json: T }> {
    const f = this.opts.fetch ?? fetch;
    // Encoded before anything is sent: a value JSON cannot carry (a BigInt, a cycle) is the caller's mistake, not an
    // unreachable gateway.
    let encoded: string | undefined;
    try {
      encoded = body === undefined ? undefined : JSON.stringify(body);
    } catch (e) {
      throw new ApiError('BAD_REQUEST', `the request cannot be sent as JSON: ${(e as Error).message}`, 0);
    }
    // The limit covers the body too: a gateway can send its headers and then stall.
    const limit = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await f(this.opts.url.replace(/\/$/, '') + path, {
        method,
        headers: { authorization: `Bearer ${this.opts.token}`, ...(encoded === undefined ? {} : { 'content-type': 'application/json' }) },
        body: encoded,
        signal: signal ? anySignal([signal, limit]) : limit,
      });
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (limit.aborted) throw new ApiError('UPSTREAM_TIMEOUT', `the gateway at ${this.opts.url} did not answer within ${timeoutMs} ms`, 0);
      throw new ApiError('UPSTREAM_UNAVAILABLE', `cannot reach the gateway at ${this.opts.url}: ${(e as Error).message}`, 0);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new ApiError('BAD_JSON', `the gateway answered ${res.status} with a body that is not JSON`, res.status);
    }
    if (!res.ok) {
      const err = (json as { error?: { code: string; message: string; details?: unknown } }).error;
      throw new ApiError(err?.code ?? 'INTERNAL', err?.message ?? `HTTP ${res.status}`, res.status, err?.details);
    }
    return { status: res.status, json: json as T };
  }

  async submit(action: ActionRequest, signal?: AbortSignal): Promise<SubmitResult> {
    return (await this.call<SubmitResult>('POST', '/v1/actions', action, signal)).json;
  }
  /** Long-poll: answers when the request is decided, or after `timeoutSeconds` with it still pending. */
  async wait(id: string, timeoutSeconds = 30, signal?: AbortSignal): Promise<RequestJson> {
    const limit = (this.opts.timeoutMs ?? 30_000) + timeoutSeconds * 1000;
    return (await this.call<RequestJson>('GET', `/v1/requests/${encodeURIComponent(id)}/wait?timeout=${timeoutSeconds}`, undefined, signal, limit)).json;
  }
  async getRequest(id: string, signal?: AbortSignal): Promise<RequestJson> {
    return (await this.call<RequestJson>('GET', `/v1/requests/${encodeURIComponent(id)}`, undefined, signal)).json;
  }
  /** Requests, newest first: `status` comma-separated (default all), at most `limit` (the gateway's default 100, up to 1,000). */
  async listRequests(status?: string, limit?: number, signal?: AbortSignal): Promise<RequestJson[]> {
    const params = new URLSearchParams();
    if (status) params.set('status', status);
    if (limit !== undefined) params.set('limit', String(limit));
    const q = params.size > 0 ? `?${params}` : '';
    return (await this.call<{ requests: RequestJson[] }>('GET', `/v1/requests${q}`, undefined, signal)).json.requests;
  }
  async vote(id: string, vote: 'approve' | 'deny', reason?: string, signal?: AbortSignal): Promise<RequestJson> {
    return (await this.call<RequestJson>('POST', `/v1/requests/${encodeURIComponent(id)}/${vote}`, reason ? { reason } : {}, signal)).json;
  }
  /**
   * Withdraw your own pending request (only its requester may); answers the cancelled request, 409 when it is no
   * longer pending.
   *
   * @example
   * await api.cancel(r.requestId, 'the job was stopped');
   */
  async cancel(id: string, reason?: string, signal?: AbortSignal): Promise<RequestJson> {
    return (await this.call<RequestJson>('POST', `/v1/requests/${encodeURIComponent(id)}/cancel`, reason ? { reason } : {}, signal)).json;
  }
  /**
   * Report how an allowed action went; pass the `outcomeTicket` of the allowed answer as `ticket`. Each allowed action
   * takes one report: another report of it rejects with ApiError `OUTCOME_RECORDED` (409) and records nothing — after
   * a retry, that means the earlier attempt was recorded.
   *
   * @example
   * const r = await api.submit({ resource: 'prod-db', kind: 'read', summary: 'count users' });
   * if (r.status === 'allowed') {
   *   await api.reportOutcome({ actionDigest: r.actionDigest, requestId: r.requestId, resource: 'prod-db', status: 'succeeded', ticket: r.outcomeTicket });
   * }
   */
  async reportOutcome(o: { actionDigest: string; requestId?: string | null; resource: string; status: 'succeeded' | 'failed'; summary?: string; ticket?: string }, signal?: AbortSignal): Promise<void> {
    await this.call('POST', '/v1/actions/outcome', { ...o, requestId: o.requestId ?? undefined }, signal);
  }
}
