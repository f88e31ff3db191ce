import { EventEmitter } from 'node:events';
import type { Action } from '../core/action.js';
import type { Clock, IdSource } from '../core/clock.js';
import type { ReviewRequirement } from '../core/decision.js';
import type { Principal } from '../core/identity.js';
import { CountersignError, type ErrorCode } from '../core/errors.js';
import type { Masker } from '../core/masking.js';
import type { AuditEventInput, AuditLog } from '../audit/types.js';
import { canonicalJson } from '../core/canonical.js';
import { StillWaitedError, StoreConflictError, type ApprovalStore, type AuditRecord, type AuditStore, type RequestEvent, type RequestFilter, type StoredRequest } from '../store/types.js';
import { executionRefusal, isRecorded, requestState, stateRefusal, voteRefusal, type RequestState } from './state.js';
import { recordedState, unrecordedError, VoteRecords } from './recorded.js';
import { WaiterLeases, type Waiter } from './waiters.js';

export type { Waiter } from './waiters.js';

/** A request with its events and derived state, as the API and channels show it. */
/** Channel data key of the request's `action.held` audit record ({ seq, hash }): the terms it was made with. */
const HELD_RECORD = 'audit';

/** The terms of a request as its `action.held` event records them (compared as canonical JSON). */
function heldTerms(req: StoredRequest): Record<string, unknown> {
  const r = req.review;
  return { rule: req.rule, approverGroups: r.approverGroups, approvals: r.approvals, timeoutSeconds: r.timeoutSeconds, grant: r.grant, expiresAt: req.expiresAt };
}

/** Channel data key of a request handed out as pending to a caller told its outcome on its next call. */
const HANDED_OUT = 'return_pending';

export interface RequestView {
  request: StoredRequest;
  events: RequestEvent[];
  state: RequestState;
}

export interface CreateRequestInput {
  action: Action;
  rule: string;
  reason?: string;
  review: ReviewRequirement;
  maskProfile?: string;
  /** Masked forms, computed by the pipeline: nothing raw is stored. */
  summary: string;
  preview: unknown;
  context: Record<string, unknown>;
  /** The action's tags, masked (policy matched the raw ones; a tag can hold a customer's e-mail). */
  tags: string[];
}

export interface ApprovalServiceOptions {
  /**
   * The requests, and the audit log's records: before a held action runs, each approving vote that counts is checked
   * against the audit event it names (readAudit, one read per vote).
   */
  store: ApprovalStore & Pick<AuditStore, 'readAudit'>;
  audit: AuditLog;
  clock: Clock;
  ids: IdSource;
  /** How often a waiter re-reads the store (for votes taken by another gateway sharing it). */
  pollMs?: number;
  /**
   * Requests one principal may have pending at once (`approvals.max_pending_per_principal`); `create` refuses one
   * more with TOO_MANY_PENDING. Unset: no limit.
   */
  maxPendingPerPrincipal?: number;
  /**
   * Masks the free text people type on a request (a vote's or a cancellation's reason: a phone number, a card, a
   * password) before it is stored, as the audit log masks it. Without one, reasons are stored as typed.
   */
  masker?: Masker;
  /**
   * How often this gateway expires the overdue pending requests it finds in the store (default 5000 ms). Each gateway
   * times its own requests; the sweep covers those whose gateway stopped or died before their deadline.
   */
  sweepMs?: number;
  /**
   * How long a held call counts as waiting on its request without its gateway renewing it (default 30 s, renewed
   * every third of it): a gateway that died stops keeping its requests from being cancelled after this long.
   */
  waiterLeaseMs?: number;
}

const MAX_TIMER = 2 ** 31 - 1;
/**
 * How late another gateway's request must be before this one expires it (sweep, or a read that finds it overdue):
 * its own gateway's timer normally does it on time, so they rarely race (a race is harmless: the store's event seq
 * lets one expiry win and the log voids the other).
 */
const EXPIRY_GRACE_MS = 1000;
const FINAL = new Set(['approved', 'denied', 'expired', 'cancelled', 'executed']);

/**
 * The life of approval requests: create, vote (same checks for every channel), cancel, expire on a timer that
 * survives restarts (start() re-arms timers for pending requests), wait, and consume an approval to execute.
 * Events: `changed` (view) whenever a request changes, so channels and waiters can follow.
 */
export class ApprovalService extends EventEmitter {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** One store poll per request being waited on, whatever the number of waiters (long-polls, event streams, calls). */
  private readonly polls = new Map<string, { timer: NodeJS.Timeout; waiters: Set<(v: RequestView | Error) => void> }>();
  /** The tail of each request's queue of writes in this process (see appendWithRetry). */
  private readonly lanes = new Map<string, Promise<void>>();
  /** Requests this process is expiring right now (a sweep and a read may both find one). */
  private readonly expiring = new Set<string>();
  private readonly opts: ApprovalServiceOptions & { pollMs: number; sweepMs: number };
  private stopped = false;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;
  private readonly leases: WaiterLeases;
  private readonly records: VoteRecords;

  constructor(opts: ApprovalServiceOptions) {
    super();
    this.setMaxListeners(0);
    this.opts = { pollMs: 1000, sweepMs: 5000, ...opts };
    this.leases = new WaiterLeases({ store: opts.store, clock: opts.clock, ids: opts.ids, leaseMs: opts.waiterLeaseMs });
    this.records = new VoteRecords(opts.store);
  }

  /**
   * Re-arm expiry timers for every pending request (after a restart), expire those already overdue, and sweep the
   * store every `sweepMs` for overdue requests of other gateways (one that died leaves its requests to the others).
   */
  async start(): Promise<void> {
    this.stopped = false;
    const pending = await this.opts.store.listRequests({ status: ['pending'], limit: 100_000 });
    for (const r of pending) this.arm(r);
    clearInterval(this.sweeper);
    this.sweeper = setInterval(() => void this.sweep(), this.opts.sweepMs);
    this.sweeper.unref?.();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.leases.stop();
  }

  /**
   * Expire every pending request in the store overdue by EXPIRY_GRACE_MS that this process does not time itself.
   * Safe on every gateway at once: expire() re-checks the stored events and the store lets one expiry win.
   */
  async sweep(): Promise<void> {
    if (this.sweeping || this.stopped) return;
    this.sweeping = true;
    try {
      const overdue = await this.opts.store.listRequests({ status: ['pending'], expiredBy: this.opts.clock.now() - EXPIRY_GRACE_MS, limit: 1000 });
      for (const r of overdue) if (!this.timers.has(r.id) && !this.stopped) await this.expire(r.id);
    } catch {
      // The store is down: the next sweep tries again; reads already show these requests as expired.
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Hold an action for approval: join the request still waiting for the identical action under the same rule (a
   * retry, or the same submission on another gateway), else make a new one, unless its principal already has
   * `maxPendingPerPrincipal` waiting (TOO_MANY_PENDING). The store does lookup, count and insert atomically, so every
   * gateway sharing it applies one limit and makes one request per action. `passOver`: requests not to join.
   *
   * @example const req = await approvals.create({ action, rule, review, summary, preview, context, tags });
   */
  async create(input: CreateRequestInput, opts: { passOver?: string[] } = {}): Promise<StoredRequest> {
    return (await this.open(input, opts)).request;
  }

  /**
   * create(), telling whether the request was made now or an identical pending one was joined (whoever opened that
   * one — another call, another gateway, a caller given it as pending — is waiting on it too).
   */
  async open(input: CreateRequestInput, opts: { passOver?: string[] } = {}): Promise<{ request: StoredRequest; joined: boolean }> {
    const now = this.opts.clock.now();
    const a = input.action;
    const cap = this.opts.maxPendingPerPrincipal;
    const req: StoredRequest = {
      id: this.opts.ids('req'),
      createdAt: now,
      expiresAt: now + input.review.timeoutSeconds * 1000,
      digest: a.digest,
      principal: a.principal,
      resource: a.resource,
      connector: a.connector,
      kind: a.kind,
      tags: input.tags,
      summary: input.summary,
      preview: input.preview,
      context: input.context,
      rule: input.rule,
      reason: input.reason,
      review: input.review,
      maskProfile: input.maskProfile,
      status: 'pending',
    };
    // A request past its deadline is no longer waiting, whether or not a gateway has recorded its expiry yet.
    const opened = await this.opts.store.openRequest(req, { now, maxWaiting: cap, passOver: opts.passOver });
    if (opened.outcome === 'joined') return { request: opened.request, joined: true };
    if (opened.outcome === 'full') {
      const waiting = opened.waiting;
      throw new CountersignError('TOO_MANY_PENDING', `${a.principal.id} already has ${waiting} approval requests waiting, the most approvals.max_pending_per_principal allows: this action was neither held nor run; wait for those to be decided, or cancel some`, { pending: waiting, limit: cap });
    }
    // The terms the request is decided on (who may approve, how many, what the approval grants) are recorded as they
    // are (operator configuration, not the caller's data: dataMasked), and the request names that record: before an
    // approval lets the action run, the terms in the store are checked against it (recorded.ts, termsWhyNot).
    const held = await this.opts.audit.append({
      type: 'action.held',
      principal: principalRef(a.principal),
      resource: a.resource,
      actionDigest: a.digest,
      requestId: req.id,
      summary: input.summary,
      data: heldTerms(req),
      dataMasked: true,
    });
    await this.opts.store.setChannelData(req.id, HELD_RECORD, { seq: held.seq, hash: held.hash });
    req.channelData = { ...req.channelData, [HELD_RECORD]: { seq: held.seq, hash: held.hash } };
    this.arm(req);
    this.emitChanged({ request: req, events: [], state: requestState(req, [], now) });
    return { request: req, joined: false };
  }

  /** A request as it stands now; one found overdue but still pending in the store gets its expiry recorded. */
  async get(id: string): Promise<RequestView> {
    const view = await this.read(id);
    this.expireIfOverdue(view);
    return view;
  }

  /**
   * Requests as they stand now, newest first. A status filter applies to the state as it stands (an overdue request
   * is `expired` even before a gateway records it; its expiry is recorded on the way).
   */
  async list(filter: RequestFilter = {}): Promise<RequestView[]> {
    const reqs = await this.opts.store.listRequests(filter);
    const now = this.opts.clock.now();
    const views = await Promise.all(
      reqs.map(async (request) => {
        const events = await this.opts.store.events(request.id);
        return { request, events, state: requestState(request, events, now) };
      }),
    );
    for (const v of views) this.expireIfOverdue(v);
    return filter.status ? views.filter((v) => filter.status!.includes(v.state.status)) : views;
  }

  private async read(id: string): Promise<RequestView> {
    const request = await this.opts.store.getRequest(id);
    if (!request) throw new CountersignError('REQUEST_NOT_FOUND', `no approval request ${id}`);
    const events = await this.opts.store.events(id);
    return { request, events, state: requestState(request, events, this.opts.clock.now()) };
  }

  /** Record the expiry of a request read as expired but stored as pending, unless its own timer here will. */
  private expireIfOverdue(view: RequestView): void {
    const { request, events, state } = view;
    if (request.status !== 'pending' || state.status !== 'expired' || this.timers.has(request.id) || this.stopped) return;
    if (this.opts.clock.now() < request.expiresAt + EXPIRY_GRACE_MS || events.some((e) => e.type === 'expire')) return;
    void this.expire(request.id);
  }

  /**
   * Record a vote. Every channel (API, CLI, web, Slack, Teams) comes through here, so the same rules hold:
   * pending only, humans only, no self-approval (requester or the human it acts for), approver groups,
   * one vote each, a denial needs a reason.
   */
  async vote(id: string, voter: Principal, vote: 'approve' | 'deny', opts: { reason?: string; channel: string }): Promise<RequestView> {
    const typed = opts.reason?.trim();
    if (vote === 'deny' && !typed) throw new CountersignError('REASON_REQUIRED');
    const reason = await this.masked(typed);
    return this.appendWithRetry(id, (view, now) => {
      const refusal = voteRefusal(view.request, view.events, voter, now);
      if (refusal) throw refusalError(refusal, view, voter);
      return {
        seq: view.events.length + 1,
        at: now,
        type: 'vote',
        voter: { id: voter.id, type: voter.type, groups: voter.groups, name: voter.name },
        vote,
        reason: reason || undefined,
        channel: opts.channel,
      };
    }, (before, after) => [
      {
        type: 'approval.vote',
        principal: principalRef(voter),
        resource: after.request.resource,
        actionDigest: after.request.digest,
        requestId: id,
        data: { vote, reason, channel: opts.channel },
      },
      ...(before.state.status === 'pending' && after.state.status !== 'pending' ? resolutionEvent(after) : []),
    ]);
  }

  /**
   * Cancel a pending request, whoever waits on it: by its requester, or when the key it was made with is revoked. (A
   * waiting call whose client went away uses leave, which cancels only when no waiter is left.)
   */
  async cancel(id: string, by: string, typed?: string): Promise<RequestView> {
    return this.cancelAs(id, by, typed, false);
  }

  /** `unlessWaited`: the store refuses the cancellation (StillWaitedError) while any waiter's lease runs. */
  private async cancelAs(id: string, by: string, typed: string | undefined, unlessWaited: boolean): Promise<RequestView> {
    const reason = await this.masked(typed);
    return this.appendWithRetry(id, (view, now) => {
      if (view.state.status !== 'pending') throw new CountersignError('REQUEST_FINISHED', `request ${id} is ${view.state.status}`);
      return { seq: view.events.length + 1, at: now, type: 'cancel', by, reason };
    }, (_before, after) => resolutionEvent(after), unlessWaited);
  }

  /**
   * Count a held call as waiting on pending request `id`, in the store, so that every gateway sharing it knows
   * someone still counts on the request (see leave). Undefined when the request is no longer pending. Rejects with
   * STORE_UNAVAILABLE when the store cannot record it: the call must not wait uncounted (fail closed).
   *
   * @example
   *   const w = await approvals.join(req.id);
   *   const view = await approvals.wait(req.id, { signal });
   *   if (w) await approvals.leave(w, view.state.status === 'pending' ? { by: principal.id, reason: 'the waiting client disconnected' } : undefined);
   */
  join(id: string): Promise<Waiter | undefined> {
    return this.leases.join(id);
  }

  /**
   * `req` was handed out as pending (`return_pending`): whoever has it may send the action again once approved, so it
   * counts as waited on until its deadline and no waiter leaving cancels it. False when it is no longer pending.
   */
  keep(req: StoredRequest): Promise<boolean> {
    return this.leases.keep(req);
  }

  /**
   * `req` was handed to a caller that learns its outcome only by calling again (RunOptions.tellOutcome): marked so the
   * identical call after it ended is told how (untoldOutcome). Kept beside the request (channel data `return_pending`).
   */
  async handedOut(req: StoredRequest): Promise<void> {
    if ((req.channelData?.[HANDED_OUT] as { told?: boolean } | undefined) !== undefined) return;
    await this.opts.store.setChannelData(req.id, HANDED_OUT, { told: false });
  }

  /**
   * The newest request for this very action under `rule`, when it was handed out (handedOut), has ended without
   * running it — denied, expired, cancelled, or approved and left unused until the approval lapsed — and its caller has
   * not been told yet; marked told as it is returned, so it is told once.
   */
  async untoldOutcome(action: Action, rule: string): Promise<RequestView | undefined> {
    const now = this.opts.clock.now();
    // Only the newest request for this action counts: one made after it (a call that waited, and ran) makes an older
    // outcome old news.
    const all = await this.opts.store.findByDigest(action.digest, ['pending', 'approved', 'denied', 'expired', 'cancelled', 'executed']);
    const r = all.find((x) => x.rule === rule && x.principal.id === action.principal.id);
    if (!r || (r.channelData?.[HANDED_OUT] as { told?: boolean } | undefined)?.told !== false) return undefined;
    const view = await this.get(r.id);
    const s = view.state;
    const lapsed = s.status === 'approved' && s.executions === 0 && s.grantEndsAt !== undefined && now >= s.grantEndsAt;
    if (!lapsed && s.status !== 'denied' && s.status !== 'expired' && s.status !== 'cancelled') return undefined;
    await this.opts.store.setChannelData(r.id, HANDED_OUT, { told: true });
    return view;
  }

  /**
   * Waiter `w` stops waiting. With `giveUp` (its caller went away before a decision), the request is cancelled —
   * recorded as `approval.cancelled` — when no waiter is left on it in any process sharing the store (none handed it
   * out as pending either): the store checks that in the very transaction that records the cancellation, so a waiter
   * joining meanwhile keeps it. Never throws: resolves whether it cancelled. If the store cannot be told, the
   * waiter's lease runs out on its own (ApprovalServiceOptions.waiterLeaseMs) and the request waits for its decision
   * or its deadline.
   */
  async leave(w: Waiter, giveUp?: { by: string; reason: string }): Promise<boolean> {
    let left: number;
    try {
      left = await this.leases.leave(w);
    } catch {
      return false;
    }
    if (!giveUp || left > 0) return false;
    try {
      await this.cancelAs(w.requestId, giveUp.by, giveUp.reason, true);
      return true;
    } catch {
      // Decided meanwhile (REQUEST_FINISHED), joined meanwhile (StillWaitedError), or the store failed.
      return false;
    }
  }

  /** `text` masked for the store (see ApprovalServiceOptions.masker); a masking failure records nothing (fail closed). */
  private async masked(text: string | undefined): Promise<string | undefined> {
    if (!text || !this.opts.masker) return text;
    try {
      return (await this.opts.masker.maskText(text, { field: 'reason' })).text;
    } catch (e) {
      throw e instanceof CountersignError && e.code === 'MASKING_FAILED' ? e : new CountersignError('MASKING_FAILED', undefined, undefined, { cause: e });
    }
  }

  /**
   * Use an approval to execute `action`: checks the grant (digest for once-grants, window for time grants) and that
   * the audit log holds every approving vote it counts (else APPROVAL_UNRECORDED), and durably records the execution
   * before returning. Throws the refusal otherwise.
   */
  async consume(id: string, action: Action): Promise<RequestView> {
    return this.appendWithRetry(id, async (view, now) => {
      const refusal = await this.grantRefusal(view.request, view.events, action.digest, now);
      if (refusal) throw refusal instanceof CountersignError ? refusal : refusalError(refusal, view);
      if (view.request.review.grant.type === 'window' &&
        (view.request.principal.id !== action.principal.id || view.request.resource !== action.resource)) {
        throw new CountersignError('DIGEST_MISMATCH', 'the time grant is for another principal or resource');
      }
      return { seq: view.events.length + 1, at: now, type: 'execute', digest: action.digest };
    });
  }

  /**
   * An approved grant this action may run on without asking again, if any. A request the store holds as approved whose
   * approvals the audit log does not hold is no grant: when no other covers the action, that is APPROVAL_UNRECORDED
   * (thrown), not a new request.
   */
  async findGrant(action: Action, rule: string): Promise<StoredRequest | undefined> {
    const now = this.opts.clock.now();
    let unrecorded: CountersignError | undefined;
    const usable = async (r: StoredRequest, exactly: boolean): Promise<boolean> => {
      const refusal = await this.grantRefusal(r, await this.opts.store.events(r.id), action.digest, now);
      // Told only for the request of this very action: another's window the log does not back is passed over (it must
      // not stop the principal's other actions from being asked for).
      if (exactly && refusal instanceof CountersignError) unrecorded ??= refusal;
      return refusal === null;
    };
    const exact = await this.opts.store.findByDigest(action.digest, ['approved']);
    for (const r of exact) {
      // Approved under the rule that decides this action now: the same digest under a stricter rule (tags and context
      // are not in the digest: `minor` → one approver, `destructive` → two DBAs) asks again.
      if (r.rule !== rule) continue;
      if (await usable(r, true)) return r;
    }
    const approved = await this.opts.store.listRequests({ status: ['approved'], principalId: action.principal.id, limit: 1000 });
    for (const r of approved) {
      // A window grant covers other actions of its rule, resource and kind (a window approved for reads covers no
      // delete), except an unmask (bound to its one token).
      if (r.review.grant.type !== 'window' || r.kind === 'unmask' || action.kind === 'unmask' || r.rule !== rule || r.resource !== action.resource || r.kind !== action.kind) continue;
      if (await usable(r, false)) return r;
    }
    if (unrecorded) throw unrecorded;
    return undefined;
  }

  /**
   * Why `req` may not run the action with `digest` now, counting only the approving votes the audit log holds (null:
   * it may). The state without reads comes first: only when it would let the action run is each vote it counts read
   * back from the log (recorded.ts). A request the store's votes would approve, were they all counted, but whose
   * recorded votes do not: APPROVAL_UNRECORDED, naming the votes that do not count and why.
   */
  private async grantRefusal(req: StoredRequest, events: RequestEvent[], digest: string, now: number): Promise<ErrorCode | CountersignError | null> {
    let state = requestState(req, events, now);
    let refusal = stateRefusal(req, state, digest, now);
    let failed = new Map<number, string>();
    if (refusal === null) {
      ({ state, failed } = await recordedState(req, events, now, this.records));
      refusal = stateRefusal(req, state, digest, now);
      if (refusal === null) {
        // The votes are the log's; so must be the terms they were counted against.
        const why = await this.records.termsWhyNot(req, req.channelData?.[HELD_RECORD] as { seq?: unknown; hash?: unknown } | undefined, heldTerms(req));
        if (why === undefined) return null;
        return new CountersignError('APPROVAL_UNRECORDED', `approval request ${req.id}: ${why}; its approvals do not count, and the action was not run`, { requestId: req.id, terms: why });
      }
    }
    if (state.unrecorded.length > 0 && executionRefusal(req, events, digest, now, { counts: () => true }) === null) {
      return unrecordedError(req, events, state, failed);
    }
    return refusal;
  }

  /**
   * A pending request for the very same action under the same rule, so a retried call joins it instead of asking
   * twice (under another rule it asks those approvers anew).
   */
  async findPending(action: Action, rule: string): Promise<StoredRequest | undefined> {
    const now = this.opts.clock.now();
    const pending = await this.opts.store.findByDigest(action.digest, ['pending']);
    return pending.find((r) => r.expiresAt > now && r.rule === rule);
  }

  /**
   * Wait until the request leaves `pending` (or `signal` aborts / `timeoutMs` passes: then the current view).
   * Wakes on local changes at once and re-reads the store every pollMs for changes made by other gateways.
   */
  async wait(id: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<RequestView> {
    let view = await this.get(id);
    if (view.state.status !== 'pending') return view;
    return new Promise<RequestView>((resolve, reject) => {
      let done = false;
      const finish = (v: RequestView | Error) => {
        if (done) return;
        done = true;
        this.off('changed', onChange);
        unwatch();
        if (deadline) clearTimeout(deadline);
        opts.signal?.removeEventListener('abort', onAbort);
        v instanceof Error ? reject(v) : resolve(v);
      };
      const onChange = (v: RequestView) => {
        if (v.request.id === id && v.state.status !== 'pending') finish(v);
      };
      const onPoll = (v: RequestView | Error) => (v instanceof Error || v.state.status !== 'pending' ? finish(v) : (view = v));
      const onAbort = () => finish(view);
      this.on('changed', onChange);
      const unwatch = this.watch(id, onPoll);
      const deadline = opts.timeoutMs !== undefined ? setTimeout(() => this.get(id).then(finish, finish), opts.timeoutMs) : undefined;
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Re-read request `id` every pollMs while anyone waits on it (a vote taken by another gateway sharing the store is
   * seen that way), once for all its waiters: 400 open long-polls on one request cost one read a second, not 400.
   * Returns the function that stops this waiter's share.
   */
  private watch(id: string, waiter: (v: RequestView | Error) => void): () => void {
    let p = this.polls.get(id);
    if (!p) {
      const waiters = new Set<(v: RequestView | Error) => void>();
      const timer = setInterval(() => {
        this.get(id).then(
          (v) => waiters.forEach((w) => w(v)),
          (e: Error) => waiters.forEach((w) => w(e)),
        );
      }, this.opts.pollMs);
      timer.unref?.();
      this.polls.set(id, (p = { timer, waiters }));
    }
    p.waiters.add(waiter);
    const entry = p;
    return () => {
      entry.waiters.delete(waiter);
      if (entry.waiters.size === 0 && this.polls.get(id) === entry) {
        clearInterval(entry.timer);
        this.polls.delete(id);
      }
    };
  }

  /** Mark a pending request expired now (timer callback, sweep; also safe to call twice, or on several gateways). */
  async expire(id: string): Promise<void> {
    this.timers.delete(id);
    if (this.expiring.has(id)) return;
    this.expiring.add(id);
    try {
      await this.appendWithRetry(id, (view, now) => {
        if (view.state.status !== 'pending' && view.state.status !== 'expired') throw new SkipAppend();
        if (view.events.some((e) => e.type === 'expire')) throw new SkipAppend();
        if (now < view.request.expiresAt) throw new SkipAppend();
        return { seq: view.events.length + 1, at: now, type: 'expire' };
      }, (_b, after) => resolutionEvent(after));
    } catch (e) {
      if (e instanceof SkipAppend) return;
      // The store or audit failed: try again shortly; the derived state already reads `expired`.
      if (!this.stopped) {
        const t = setTimeout(() => void this.expire(id), 1000);
        t.unref?.();
        this.timers.set(id, t);
      }
    } finally {
      this.expiring.delete(id);
    }
  }

  private arm(req: StoredRequest): void {
    if (this.stopped) return;
    const delay = Math.max(0, req.expiresAt - this.opts.clock.now());
    const t = setTimeout(() => {
      if (req.expiresAt > this.opts.clock.now()) this.arm(req); // long timeouts re-arm in steps
      else void this.expire(req.id);
    }, Math.min(delay, MAX_TIMER));
    t.unref?.();
    const old = this.timers.get(req.id);
    if (old) clearTimeout(old);
    this.timers.set(req.id, t);
  }

  /**
   * Append the event `make` returns, re-checking on a lost race. Its audit events (`audit`) are written first and
   * durably: a vote, a resolution, only takes effect in the store once the log says so (an approval that lets an
   * action run is never missing from the log). When the store write then does not take effect, the log gets an
   * `approval.void` naming the events that counted for nothing; the store, which every check reads, never saw them.
   */
  private appendWithRetry(
    id: string,
    make: (view: RequestView, now: number) => RequestEvent | Promise<RequestEvent>,
    audit: (before: RequestView, after: RequestView) => AuditEventInput[] = () => [],
    unlessWaited = false,
  ): Promise<RequestView> {
    // One write at a time per request in this process: two local voters never race each other to the store, so a
    // voided audit event only ever comes from another gateway winning.
    const prev = this.lanes.get(id) ?? Promise.resolve();
    const run = prev.then(() => this.appendOnce(id, make, audit, unlessWaited));
    const tail = run.then(() => undefined, () => undefined);
    this.lanes.set(id, tail);
    void tail.then(() => {
      if (this.lanes.get(id) === tail) this.lanes.delete(id);
    });
    return run;
  }

  private async appendOnce(
    id: string,
    make: (view: RequestView, now: number) => RequestEvent | Promise<RequestEvent>,
    audit: (before: RequestView, after: RequestView) => AuditEventInput[],
    unlessWaited: boolean,
  ): Promise<RequestView> {
    for (let attempt = 0; ; attempt++) {
      const before = await this.read(id);
      const now = this.opts.clock.now();
      let ev = await make(before, now);
      let events = [...before.events, ev];
      // The vote counts as it will be stored, naming the audit event it is about to be given (a pure count needs one).
      const vote = ev.type === 'vote' ? ev : undefined;
      const state = requestState(before.request, events, now, vote && { counts: (v) => v === vote || isRecorded(v) });
      let view: RequestView = { request: { ...before.request, status: state.status }, events, state };
      const written: AuditRecord[] = [];
      try {
        for (const e of audit(before, view)) written.push(await this.opts.audit.append(e));
      } catch (e) {
        await this.voidAudit(view.request, written, ev, 'its audit events could not all be written');
        throw e;
      }
      // A vote names the audit event that recorded it: before an action runs on it, the gate reads that event back.
      if (ev.type === 'vote') {
        const voted = written.find((r) => r.type === 'approval.vote');
        if (!voted) {
          await this.voidAudit(view.request, written, ev, 'no approval.vote was written for it');
          throw new CountersignError('INTERNAL', 'invariant violated: a vote reached the store without its approval.vote audit event');
        }
        ev = { ...ev, audit: { seq: voted.seq, hash: voted.hash } };
        events = [...before.events, ev];
        const recorded = requestState(before.request, events, now);
        view = { request: { ...before.request, status: recorded.status }, events, state: recorded };
      }
      try {
        await this.opts.store.appendEvent(id, ev, view.state.status, unlessWaited ? { unlessWaitedAt: now } : undefined);
      } catch (e) {
        const conflict = e instanceof StoreConflictError;
        const waited = e instanceof StillWaitedError;
        // A conflict (or a waiter) wrote nothing; any other failure may hide a commit whose answer was lost: read what
        // the store holds.
        if (conflict || waited || (await this.tookEffect(id, ev)) === false) {
          const why = conflict ? 'another change to the request was recorded first' : waited ? 'a call still waits on the request' : 'the store write failed';
          await this.voidAudit(view.request, written, ev, why);
        }
        if (conflict && attempt < 5) continue; // someone else wrote first: re-check
        throw e;
      }
      if (FINAL.has(view.state.status)) {
        const t = this.timers.get(id);
        if (t) clearTimeout(t);
        this.timers.delete(id);
      }
      this.emitChanged(view);
      return view;
    }
  }

  /** Is `ev` stored as the request's event of its seq? Undefined when the store cannot say. */
  private async tookEffect(id: string, ev: RequestEvent): Promise<boolean | undefined> {
    try {
      const stored = (await this.opts.store.events(id))[ev.seq - 1];
      return stored !== undefined && canonicalJson(stored) === canonicalJson(ev);
    } catch {
      return undefined;
    }
  }

  /**
   * Record that audit events written ahead of a request event did not take effect. Best effort: if the log is down
   * too, the events stay unmatched in the log, and the store (which never held them) still lets nothing run.
   */
  private async voidAudit(req: StoredRequest, written: AuditRecord[], ev: RequestEvent, why: string): Promise<void> {
    if (written.length === 0) return;
    await this.opts.audit
      .append({
        type: 'approval.void',
        principal: principalRef(req.principal),
        resource: req.resource,
        actionDigest: req.digest,
        requestId: req.id,
        data: { voided: written.map((r) => r.seq), event: ev.type, reason: why },
      })
      .catch(() => undefined);
  }

  private emitChanged(view: RequestView): void {
    this.emit('changed', view);
  }
}

class SkipAppend extends Error {}

/** The audit event of a request leaving `pending` (none while it is still pending, or once executed). */
function resolutionEvent(view: RequestView): AuditEventInput[] {
  const s = view.state.status;
  const type =
    s === 'approved' ? 'approval.approved' : s === 'denied' ? 'approval.denied' : s === 'expired' ? 'approval.expired' : s === 'cancelled' ? 'approval.cancelled' : undefined;
  if (!type) return [];
  return [{
    type,
    principal: principalRef(view.request.principal),
    resource: view.request.resource,
    actionDigest: view.request.digest,
    requestId: view.request.id,
    decidedBy: view.state.decidedBy,
    data: { reason: view.state.reason },
  }];
}

function principalRef(p: Pick<Principal, 'id' | 'type' | 'onBehalfOf'>) {
  return { id: p.id, type: p.type, ...(p.onBehalfOf ? { onBehalfOf: p.onBehalfOf } : {}) };
}

function refusalError(code: NonNullable<ReturnType<typeof voteRefusal>>, view: RequestView, voter?: Pick<Principal, 'id'>): CountersignError {
  switch (code) {
    case 'REQUEST_FINISHED':
      return new CountersignError(code, `request ${view.request.id} is already ${view.state.status}`);
    case 'SELF_APPROVAL':
      return new CountersignError(code, `${voter?.id} cannot vote on a request made by or on behalf of themselves`);
    case 'NOT_AN_APPROVER':
      return new CountersignError(code, view.request.review.approverGroups.length
        ? `only humans in ${view.request.review.approverGroups.join(', ')} may vote on this request`
        : 'only humans may vote on approval requests');
    case 'ALREADY_VOTED':
      return new CountersignError(code, `${voter?.id} has already voted on this request`);
    case 'APPROVAL_DENIED':
      return new CountersignError(code, `denied by ${view.state.decidedBy.join(', ')}: ${view.state.reason ?? ''}`, { decidedBy: view.state.decidedBy, reason: view.state.reason });
    default:
      return new CountersignError(code);
  }
}
