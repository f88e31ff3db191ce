import type { Principal } from '../core/identity.js';
import type { ActionKind } from '../core/action.js';
import type { ReviewRequirement } from '../core/decision.js';

/**
 * Storage, split by role. One contract suite (src/store/contract.ts) runs against every implementation
 * (SQLite, PostgreSQL). Every write resolves only once it is durable; every failure rejects with
 * CountersignError('STORE_UNAVAILABLE') so callers fail closed.
 */

// ---------- approvals ----------
export type RequestStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled' | 'executed';

/** An approval request as stored: masked summary and preview only, never the raw action. */
export interface StoredRequest {
  id: string;
  createdAt: number; // epoch ms
  expiresAt: number;
  /** SHA-256 digest of the canonical action the approval binds to. */
  digest: string;
  principal: Principal;
  resource: string;
  connector: string;
  kind: ActionKind;
  tags: string[];
  summary: string; // masked
  preview: unknown; // masked detail
  context: Record<string, unknown>; // masked
  rule: string;
  reason?: string;
  review: ReviewRequirement;
  maskProfile?: string;
  /** Materialised from the events by approvals/state.ts, for listing and queries. */
  status: RequestStatus;
  /** Channel-specific data (Slack message ts, ...) kept beside the request, not in the core model. */
  channelData?: Record<string, unknown>;
}

/** Which requests `listRequests` returns (every field narrows; all unset: every request), newest first. */
export interface RequestFilter {
  status?: RequestStatus[];
  principalId?: string;
  /** Only requests whose `expiresAt` is after this instant (epoch ms): pending ones still waiting then. */
  expiresAfter?: number;
  /** Only requests whose `expiresAt` is at or before this instant: pending ones overdue then. */
  expiredBy?: number;
  /** At most this many (default 1000). */
  limit?: number;
}

/**
 * Where the audit log holds an event: its seq and hash (the AuditRecord `AuditLog.append` resolved with). A vote names
 * the `approval.vote` event that recorded it; before a held action runs, each approving vote that counts is checked
 * against the log by it (docs/audit.md, Approval events before the approval).
 */
export interface AuditRef {
  seq: number;
  hash: string;
}

/** Append-only history of a request. State is a pure function of these. */
export type RequestEvent =
  | {
      seq: number;
      at: number;
      type: 'vote';
      voter: Pick<Principal, 'id' | 'type' | 'groups' | 'name'>;
      vote: 'approve' | 'deny';
      reason?: string;
      channel: string;
      /** The audit event that recorded this vote. An approving vote without one never counts (a forged row, or a vote stored before votes named it). */
      audit?: AuditRef;
    }
  | { seq: number; at: number; type: 'cancel'; by: string; reason?: string }
  | { seq: number; at: number; type: 'expire' }
  | { seq: number; at: number; type: 'execute'; digest: string };

/** What `openRequest` did: made the request, joined a waiting one for the same action, or refused (cap reached). */
export type OpenRequestResult =
  | { outcome: 'created'; request: StoredRequest }
  | { outcome: 'joined'; request: StoredRequest }
  | { outcome: 'full'; waiting: number };

export interface OpenRequestOptions {
  /** The instant "waiting" is judged at: pending requests with `expiresAt` after it. */
  now: number;
  /** Refuse ('full') when the principal already has this many requests waiting. Unset: no limit. */
  maxWaiting?: number;
  /** Requests not to join even if they match (e.g. made with a key since revoked). */
  passOver?: string[];
}

export interface ApprovalStore {
  createRequest(req: StoredRequest): Promise<void>;
  /**
   * Open an approval request for `req`'s action, atomically across every process sharing the store: join the newest
   * request still waiting with the same digest and rule (a retry, another gateway's identical submission), else
   * refuse when its principal has `maxWaiting` requests waiting, else insert `req`. Count, lookup and insert happen
   * under one lock per principal (SQLite: the write lock; PostgreSQL: an advisory lock), so neither the cap nor the
   * join can be raced past.
   *
   * @example
   *   const r = await store.openRequest(req, { now: Date.now(), maxWaiting: 20 });
   *   if (r.outcome === 'full') throw new CountersignError('TOO_MANY_PENDING');
   */
  openRequest(req: StoredRequest, opts: OpenRequestOptions): Promise<OpenRequestResult>;
  getRequest(id: string): Promise<StoredRequest | undefined>;
  listRequests(filter?: RequestFilter): Promise<StoredRequest[]>;
  /** Requests in a given status with this digest (for reuse of pending requests and for grants). */
  findByDigest(digest: string, status: RequestStatus[]): Promise<StoredRequest[]>;
  events(requestId: string): Promise<RequestEvent[]>;
  /**
   * Append one event and set the materialised status, atomically; a status other than `pending` also forgets the
   * request's waiters (nobody waits on a decided request). `event.seq` must be exactly the next
   * sequence number (events.length + 1), else it rejects with CountersignError('REQUEST_FINISHED' | 'ALREADY_VOTED')
   * is the service's job; the store rejects a taken seq with a StoreConflictError so concurrent voters can't both win.
   */
  appendEvent(requestId: string, event: RequestEvent, newStatus: RequestStatus, opts?: AppendEventOptions): Promise<void>;
  setChannelData(requestId: string, channel: string, data: unknown): Promise<void>;
  /**
   * Count waiter `waiterId` (unique across every process sharing the store) on request `requestId` until `leaseUntil`
   * (epoch ms): true once recorded, false when the request is no longer pending (nothing is recorded). Joining again
   * moves the lease forward only. Serialised with leaveWaiter and with a conditional appendEvent on the same request
   * (SQLite: the write lock; PostgreSQL: a lock on the request's row), so a waiter is never counted after a
   * cancellation for want of waiters took effect, nor left out of one. Unknown request: REQUEST_NOT_FOUND.
   *
   * @example if (!(await store.joinWaiter(req.id, 'gw_1.7', now + 30_000))) return; // decided meanwhile
   */
  joinWaiter(requestId: string, waiterId: string, leaseUntil: number): Promise<boolean>;
  /** Move the leases of these waiters forward to `leaseUntil` (never back); waiters no longer recorded are ignored. */
  renewWaiters(waiterIds: string[], leaseUntil: number): Promise<void>;
  /**
   * Remove waiter `waiterId` from request `requestId` (an unknown one is ignored) and resolve how many waiters are
   * left on it with a lease running past `now`, in one step serialised with joinWaiter on the same request: of two
   * waiters leaving at once, the second sees the first gone.
   */
  leaveWaiter(requestId: string, waiterId: string, now: number): Promise<number>;
}

export interface AppendEventOptions {
  /**
   * Append only if no waiter on the request has a lease running past this instant (epoch ms), checked in the same
   * transaction as the append; else reject with StillWaitedError and append nothing. A cancellation for want of
   * waiters uses it, so a waiter that joined meanwhile keeps the request.
   */
  unlessWaitedAt?: number;
}

/** Thrown by appendEvent with `unlessWaitedAt` when a waiter's lease still runs: nothing was appended. */
export class StillWaitedError extends Error {
  constructor(message = 'the request is still waited on') {
    super(message);
    this.name = 'StillWaitedError';
  }
}

/** Thrown by appendEvent when the seq is already taken (a concurrent write won). */
/** Longest a `flush: 'soon'` audit commit waits for the disk (SQLite; PostgreSQL's WAL writer has its own delay). */
export const SOON_FLUSH_MS = 200;

export class StoreConflictError extends Error {
  constructor(message = 'concurrent write conflict') {
    super(message);
    this.name = 'StoreConflictError';
  }
}

// ---------- audit ----------
/** One audit event as stored. `hash` = SHA-256(prevHash + canonical(body)); see audit/chain.ts. */
export interface AuditRecord {
  seq: number; // 1, 2, 3, ... no gaps
  at: number; // epoch ms
  code: string; // stable event code, audit/codes.ts
  type: string; // e.g. action.requested
  body: Record<string, unknown>; // identity + masked summary/data; never raw secrets
  prevHash: string;
  hash: string;
}

/** An audit record with its body exactly as stored: the canonical JSON text its hash was computed over. */
export interface AuditRawRecord extends Omit<AuditRecord, 'body'> {
  bodyJson: string;
}

export interface AuditCheckpoint {
  seq: number; // last event covered
  hash: string; // that event's hash
  at: number;
  keyId: string;
  signature: string; // Ed25519 over canonical({seq, hash, at, keyId}), base64url
}

export interface AuditStore {
  /**
   * Append events in one durable transaction. `build` gets the current head (seq 0 and the genesis hash when
   * empty) and returns the records to write; the store serialises concurrent appenders (across gateways too).
   *
   * `flush: 'now'` (the default) resolves once the transaction is on disk (fsync; PostgreSQL synchronous commit).
   * `flush: 'soon'` resolves once it is committed — readable, in the write-ahead log, surviving a crash of the
   * gateway process — and reaches the disk with the next `'now'` commit or within `SOON_FLUSH_MS`, whichever is
   * first (SQLite `synchronous=NORMAL` for that commit; PostgreSQL `synchronous_commit = off`). Only for facts
   * recorded after an action already ran; anything that gates an action uses 'now'.
   */
  appendAudit(build: (head: { seq: number; hash: string }) => AuditRecord[], opts?: { flush?: 'now' | 'soon' }): Promise<AuditRecord[]>;
  auditHead(): Promise<{ seq: number; hash: string }>;
  /** Events with seq > afterSeq, in seq order, at most `limit`. */
  readAudit(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** Optional fast path for verification: like readAudit, with the body as the stored canonical JSON text. */
  readAuditRaw?(afterSeq: number, limit: number): Promise<AuditRawRecord[]>;
  /** Idempotent per seq: a second checkpoint of the same seq (another gateway signing the same head) is ignored. */
  appendCheckpoint(cp: AuditCheckpoint): Promise<void>;
  checkpoints(): Promise<AuditCheckpoint[]>;
}

// ---------- API keys ----------
export interface StoredKey {
  id: string; // public key id, the part before the secret in the key string
  hash: string; // SHA-256 (hex) of the whole key; the key itself is never stored
  principal: Principal;
  createdAt: number;
  revokedAt?: number;
  lastUsedAt?: number;
}

export interface KeyStore {
  /** Insert only: an id that exists (revoked or not) is refused with BAD_REQUEST. */
  putKey(key: StoredKey): Promise<void>;
  getKey(id: string): Promise<StoredKey | undefined>;
  listKeys(): Promise<StoredKey[]>;
  revokeKey(id: string, at: number): Promise<void>;
  /** Record a use: moves `lastUsedAt` forward only, never touches `revokedAt`; unknown ids are ignored. */
  touchKey(id: string, at: number): Promise<void>;
}

// ---------- masking token vault ----------
/** Reversible masking tokens: ciphertext only (authenticated encryption done by the masking engine). */
export interface TokenStore {
  /** Idempotent: putting the same (scope, token) twice keeps the first. */
  putToken(scope: string, token: string, ciphertext: string, at: number): Promise<void>;
  getToken(scope: string, token: string): Promise<string | undefined>;
}

// ---------- outcome claims ----------
/**
 * One outcome report per allowed action (POST /v1/actions/outcome): a report claims its key before it is recorded,
 * and only the first claim of a key wins, across every gateway sharing the store and across restarts.
 */
export interface OutcomeStore {
  /**
   * Claim `key` at `at` (epoch ms): true for the first claim, false when it is already claimed. Atomic across store
   * instances (one insert that does nothing on conflict), so of two concurrent claims exactly one is true.
   *
   * @example
   *   if (!(await store.claimOutcome(`outcome:${nonce}`, clock.now()))) throw new CountersignError('OUTCOME_RECORDED');
   */
  claimOutcome(key: string, at: number): Promise<boolean>;
  /** Give a claim back (the report it was for could not be recorded); an unclaimed key is ignored. */
  releaseOutcome(key: string): Promise<void>;
  /** Delete the claims made before `before` (epoch ms), once nothing could still use them; resolves how many went. */
  forgetOutcomes(before: number): Promise<number>;
}

export interface Store extends ApprovalStore, AuditStore, KeyStore, TokenStore, OutcomeStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Create tables if missing; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
