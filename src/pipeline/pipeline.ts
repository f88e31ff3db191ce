import { describeAction, type Action, type ActionInput } from '../core/action.js';
import type { Clock } from '../core/clock.js';
import type { Decision, PolicyEngine } from '../core/decision.js';
import { CountersignError, asCountersignError, isGatewayStopping } from '../core/errors.js';
import type { CredentialCheck, Principal } from '../core/identity.js';
import type { MaskContext, Masker } from '../core/masking.js';
import type { AuditEventInput, AuditLog } from '../audit/types.js';
import type { ApprovalService, RequestView } from '../approvals/service.js';
import type { StoredRequest } from '../store/types.js';
import { createRefusalRecorder, type RefusalRecorder } from './refusals.js';
import type { Gateway, PendingInfo, PipelineObserver, RunOptions, RunResult } from './types.js';

export interface PipelineOptions {
  policy: PolicyEngine;
  approvals: ApprovalService;
  audit: AuditLog;
  masker: Masker;
  clock: Clock;
  /** Told of each decision and of the findings masked out of each result (metrics). */
  observer?: PipelineObserver;
  /**
   * Re-checks the acting principal's credential (API key not revoked, OIDC token not expired) at the start of every
   * action and again right before a held action runs, so a key revoked mid-session (stdio) or while a call waited
   * for approval stops working at once. Without it, a principal is trusted as the connector authenticated it.
   */
  credentials?: CredentialCheck;
}


const STAGES = ['classify', 'decide', 'hold', 'execute', 'mask', 'record'] as const;
/** How often one call is held again when other identical calls keep using the approvals it waited for. */
const MAX_HOLD_ATTEMPTS = 3;
/** How often one call looks for its request again when the one it found was cancelled before it could join it. */
const MAX_JOIN_ATTEMPTS = 3;
const DISCONNECTED = 'the waiting client disconnected';

/**
 * The one path every action takes: classify → decide → hold → execute → mask → record, in that order.
 * Every step is an audit event; when policy, store, audit or masking fails, the action does not run and the
 * data does not leave (fail closed).
 *
 * @example
 * const gw = createPipeline({ policy, approvals, audit, masker, clock });
 * const r = await gw.run(input, async () => db.query(sql));
 */
export function createPipeline(opts: PipelineOptions): Gateway & { approvals: ApprovalService; refused: RefusalRecorder['refused']; refusals: RefusalRecorder; stages: readonly string[] } {
  const { policy, approvals, audit, masker, clock, observer, credentials } = opts;
  /** Tell the observer, if any; its failure never touches the action. */
  const observe = (fn: (o: PipelineObserver) => void): void => {
    if (!observer) return;
    try {
      fn(observer);
    } catch {
      // metrics are best effort
    }
  };

  const principalRef = (a: Action) => ({ id: a.principal.id, type: a.principal.type, ...(a.principal.onBehalfOf ? { onBehalfOf: a.principal.onBehalfOf } : {}) });

  async function record(ev: AuditEventInput): Promise<void> {
    await audit.append(ev);
  }

  /**
   * The credential behind `who` must still be good: refused (AUTH_INVALID / AUTH_EXPIRED) → `auth.failed` is
   * recorded and the error thrown, so nothing runs. A store failure passes through as STORE_UNAVAILABLE (fail closed).
   */
  async function checkCredential(who: Principal, action: Action, base: Omit<AuditEventInput, 'type'>, stage: 'call' | 'before_execute', requestId?: string): Promise<void> {
    const err = await credentialRefusal(who);
    if (!err) return;
    await record({
      ...base,
      type: 'auth.failed',
      ...(requestId ? { requestId } : {}),
      data: { code: err.code, reason: err.message, stage, connector: action.connector, ...(who.keyId ? { keyId: who.keyId } : {}), ...(who.id !== action.principal.id ? { requester: who.id } : {}) },
    });
    const after = requestId ? `; the approved action (approval request ${requestId}) was not run` : '';
    throw new CountersignError(err.code, `${err.message}${after}`, requestId ? { requestId } : undefined);
  }

  /**
   * Why `who`'s credential no longer holds (AUTH_INVALID: revoked key; AUTH_EXPIRED: expired token), or undefined
   * when it does. Any other failure (the store) is thrown: fail closed.
   */
  async function credentialRefusal(who: Principal): Promise<CountersignError | undefined> {
    if (!credentials) return undefined;
    try {
      await credentials.stillValid(who);
      return undefined;
    } catch (e) {
      const err = asCountersignError(e);
      if (err.code !== 'AUTH_INVALID' && err.code !== 'AUTH_EXPIRED') throw err;
      return err;
    }
  }

  /** The request was made with another key than the caller's, and that key no longer holds (revoked, deleted). */
  async function madeWithRevokedKey(requester: Principal, action: Action): Promise<boolean> {
    if (!credentials || requester.keyId === undefined || requester.keyId === action.principal.keyId) return false;
    return (await credentialRefusal(requester)) !== undefined; // the store cannot say: it throws (fail closed)
  }

  /** Before a held action runs: the caller's credential, and the one the approval request was made with. */
  async function checkBeforeExecute(action: Action, requester: Principal, base: Omit<AuditEventInput, 'type'>, requestId: string): Promise<void> {
    await checkCredential(action.principal, action, base, 'before_execute', requestId);
    if (requester.keyId !== undefined && requester.keyId !== action.principal.keyId) {
      await checkCredential(requester, action, base, 'before_execute', requestId);
    }
  }

  /** What approvers see besides the summary: the detail and context, masked. Only built when a request is held. */
  async function approverView(action: Action): Promise<{ preview: unknown; context: Record<string, unknown>; tags: string[] }> {
    try {
      let preview = (await masker.maskValue(action.detail)).value;
      // An unmask names a masking token, itself no secret: the approver sees the one being asked for, as the summary
      // names it (under its `token` key the engine would mask it again as a secret, or even tokenise it anew).
      const token = action.detail.token;
      if (action.kind === 'unmask' && typeof token === 'string' && /^tok_[A-Za-z0-9_-]{22}$/.test(token)) preview = { ...preview, token };
      return {
        preview,
        context: (await masker.maskValue(action.context)).value,
        tags: action.tags.length ? (await masker.maskValue(action.tags)).value : action.tags,
      };
    } catch (e) {
      throw asMasking(e);
    }
  }

  function decide(input: ActionInput): Decision {
    try {
      return policy.evaluate(describeAction(input));
    } catch (e) {
      return { effect: 'deny', rule: 'policy_error', reason: 'policy could not be evaluated' };
    }
  }

  /**
   * The approval a review action runs on: a grant that covers it, or its request once approved (made now, or joined
   * when an identical one is pending); with `return_pending`, the pending request at once.
   *
   * Identical held calls share one request, in this gateway or in any other sharing the store: each waiting call is
   * counted in the store (approvals.join), and one handed out as pending keeps the request until its deadline
   * (approvals.keep: a later identical call runs once it is approved). A call whose client goes away leaves; the
   * request is cancelled only when no waiter is left in any process (approvals.leave).
   */
  async function holdFor<T>(action: Action, decision: Extract<Decision, { effect: 'review' }>, base: Omit<AuditEventInput, 'type'>, summary: string, ro: RunOptions): Promise<{ requestId: string } | { pending: RunResult<T> }> {
    for (let attempt = 1; ; attempt++) {
      const found = await approvalFor(action, decision, base, summary, ro);
      if ('grant' in found) return { requestId: found.grant.id };
      const req = found.request;
      const again = attempt < MAX_JOIN_ATTEMPTS;
      const info: PendingInfo = { requestId: req.id, expiresAt: req.expiresAt, approvalsNeeded: req.review.approvals, approverGroups: req.review.approverGroups };
      if (ro.holdMode === 'return_pending') {
        // Decided since it was found (approved: the grant runs this call; otherwise a new request): look again.
        if (!(await approvals.keep(req)) && again) continue;
        if (ro.tellOutcome) await approvals.handedOut(req);
        return { pending: { status: 'pending', action, decision, pending: info } };
      }
      // Counted in the store before it waits, or it does not wait at all (STORE_UNAVAILABLE): uncounted, another
      // gateway could cancel the request under it.
      const waiter = await approvals.join(req.id);
      // Cancelled before this call could join it (its last waiter left): ask anew. Decided otherwise: the wait below
      // returns at once, and the decision stands for this call too.
      if (!waiter && again && (await approvals.get(req.id)).state.status === 'cancelled') continue;
      ro.onPending?.(info);
      const started = clock.now();
      const hb = ro.onHeartbeat ? setInterval(() => ro.onHeartbeat!(clock.now() - started, info), ro.heartbeatMs ?? 10_000) : undefined;
      let view: RequestView | undefined;
      try {
        view = await approvals.wait(req.id, { signal: ro.signal });
      } finally {
        if (hb) clearInterval(hb);
        // The caller went away while held (the view is still pending): the request is cancelled, recorded as such,
        // unless a waiter is left on it somewhere (or it was handed out as pending), who then keeps waiting. A gateway
        // that stops lets go of it without cancelling it: the caller may send the action again to another.
        if (waiter) await approvals.leave(waiter, view?.state.status === 'pending' && !stopping(ro.signal) ? { by: action.principal.id, reason: DISCONNECTED } : undefined);
      }
      if (view.state.status === 'pending') {
        if (stopping(ro.signal)) {
          throw new CountersignError('GATEWAY_STOPPING', `the gateway is shutting down; approval request ${req.id} stays open: send the same action again to wait on it`, { requestId: req.id });
        }
        throw new CountersignError('APPROVAL_CANCELLED', 'the call was cancelled while waiting for approval', { requestId: req.id });
      }
      await throwIfRefused(view, masker);
      // The wait may have lasted hours: the key may have been revoked (or the token expired) meanwhile.
      await checkBeforeExecute(action, view.request.principal, base, req.id);
      return { requestId: req.id };
    }
  }

  /**
   * A grant that covers the action, else the pending request for it: an identical one found or joined, or one made
   * now. A grant or a pending request made with another key of this principal (a rotated key) is only good while
   * that key is: one made with a revoked key is passed over, and this call asks again.
   */
  async function approvalFor(action: Action, decision: Extract<Decision, { effect: 'review' }>, base: Omit<AuditEventInput, 'type'>, summary: string, ro: RunOptions): Promise<{ grant: StoredRequest } | { request: StoredRequest }> {
    let grant = await approvals.findGrant(action, decision.rule);
    if (grant && (await madeWithRevokedKey(grant.principal, action))) grant = undefined;
    if (grant) return { grant };
    const existing = await approvals.findPending(action, decision.rule);
    const passOver = existing && (await madeWithRevokedKey(existing.principal, action)) ? [existing.id] : [];
    if (existing && !passOver.length) return { request: existing };
    // A caller handed the last request for this action, which ended without running it, hears how it ended (once)
    // before it is asked for anew: an agent in return_pending mode has no other way to learn of a denial.
    if (ro.holdMode === 'return_pending' && ro.tellOutcome) {
      const told = await approvals.untoldOutcome(action, decision.rule);
      if (told) {
        await throwIfRefused(told, masker);
        const s = told.state;
        throw new CountersignError(
          'APPROVAL_EXPIRED',
          `approval request ${told.request.id} was approved by ${s.approvedBy.join(', ')} but not used before the approval lapsed at ${new Date(s.grantEndsAt!).toISOString()}; call again to ask anew`,
          { requestId: told.request.id, decidedBy: s.approvedBy, lapsed: true },
        );
      }
    }
    try {
      // Joins an identical request another gateway (or call) opened since findPending looked: the store decides.
      const opened = await approvals.open({ action, rule: decision.rule, reason: decision.reason, review: decision.review, maskProfile: decision.maskProfile, summary, ...(await approverView(action)) }, { passOver });
      return { request: opened.request };
    } catch (e) {
      // The principal has too many requests waiting: the action.requested above gets its outcome.
      if (e instanceof CountersignError && e.code === 'TOO_MANY_PENDING') await record({ ...base, type: 'action.failed', data: { code: e.code, rule: decision.rule }, flush: 'soon' });
      throw e;
    }
  }

  async function run<T>(input: ActionInput, execute: (action: Action, mask: MaskContext) => Promise<T>, ro: RunOptions = {}): Promise<RunResult<T>> {
    // classify
    const action = describeAction(input);
    let summary = action.summary;
    if (!ro.summaryMasked) {
      try {
        summary = (await masker.maskText(summary)).text;
      } catch (e) {
        throw asMasking(e);
      }
    }
    const base = { principal: principalRef(action), resource: action.resource, actionDigest: action.digest, summary, summaryMasked: true };

    // The credential may have been revoked (or expired) since the connector authenticated it: a stdio session
    // authenticates once, an HTTP MCP session keeps the principal that opened it.
    await checkCredential(action.principal, action, base, 'call');

    // decide
    let decision: Decision;
    try {
      decision = policy.evaluate(action);
    } catch (e) {
      observe((o) => o.decided(action, 'deny'));
      await record({ ...base, type: 'action.denied', data: { rule: 'policy_error', kind: action.kind, connector: action.connector } });
      throw new CountersignError('POLICY_ERROR', undefined, undefined, { cause: e });
    }
    // One decision event per action, carrying what was asked: action.allowed / action.denied, or
    // action.requested when policy asks for review (then action.held, or the grant that covers it).
    observe((o) => o.decided(action, decision.effect));
    // The data of the decision and result events below holds names this gateway checked (the kind and connector are
    // validated where the action enters, the rule is the operator's), counts, and the caller's tags, masked here once:
    // the audit log need not mask it again (dataMasked).
    let tags = action.tags;
    if (tags.length > 0) {
      try {
        tags = (await masker.maskValue(tags)).value;
      } catch (e) {
        throw asMasking(e);
      }
    }
    const asked = { kind: action.kind, connector: action.connector, tags, rule: decision.rule };
    if (decision.effect === 'deny') {
      await record({ ...base, type: 'action.denied', data: { ...asked, reason: decision.reason } });
      throw new CountersignError('POLICY_DENIED', decision.reason, { rule: decision.rule });
    }
    if (decision.effect === 'review') await record({ ...base, type: 'action.requested', data: { ...asked, effect: decision.effect } });

    // hold
    let requestId: string | undefined;
    if (decision.effect === 'review') {
      // Another identical call may use a one-time approval between this call finding it and consuming it (two workers,
      // a retry, two gateways): GRANT_USED then means this call comes after that one, and it is held anew.
      try {
        for (let attempt = 1; requestId === undefined; attempt++) {
          const held = await holdFor<T>(action, decision, base, summary, ro);
          if ('pending' in held) return held.pending;
          try {
            await approvals.consume(held.requestId, action);
            requestId = held.requestId;
          } catch (e) {
            if (!(e instanceof CountersignError && e.code === 'GRANT_USED' && attempt < MAX_HOLD_ATTEMPTS)) throw e;
          }
        }
      } catch (e) {
        // The store holds an approval the audit log does not (a row written past the gateway): the action does not run,
        // and the log says so, naming the request and the votes that did not count.
        if (e instanceof CountersignError && e.code === 'APPROVAL_UNRECORDED') await recordUnrecorded(e, base, decision.rule);
        throw e;
      }
    } else {
      await record({ ...base, type: 'action.allowed', data: asked, dataMasked: true });
    }

    // execute: what the upstream sends while it runs is masked by the connector as the result is (maskCtx).
    const maskCtx: MaskContext = { profile: decision.maskProfile, scope: action.principal.id };
    let result: T;
    try {
      // Stopping before the action ran: it is not started (recorded as failed with GATEWAY_STOPPING).
      if (stopping(ro.signal)) throw new CountersignError('GATEWAY_STOPPING', 'the gateway is shutting down; send the action again to a running gateway');
      result = await execute(action, maskCtx);
    } catch (e) {
      // An error the upstream answered with (a JSON-RPC error, with its numeric code) is the upstream's, not this
      // gateway's: recorded as UPSTREAM_ERROR with that code, not as INTERNAL.
      const rpcCode = e instanceof CountersignError ? undefined : (e as { code?: unknown } | null)?.code;
      const data = typeof rpcCode === 'number' ? { code: 'UPSTREAM_ERROR', rpcCode } : { code: asCountersignError(e).code };
      await record({ ...base, type: 'action.failed', requestId, data, flush: 'soon' });
      throw e;
    }

    // mask
    let out: T = result;
    let findings = 0;
    if (ro.maskResult !== false) {
      try {
        if (ro.maskWith) {
          const m = await ro.maskWith(result, maskCtx);
          out = m.value as T;
          findings = m.findings;
        } else {
          const m = await masker.maskValue(result, maskCtx);
          out = m.value;
          findings = m.findings.length;
        }
      } catch (e) {
        await record({ ...base, type: 'action.failed', requestId, data: { code: 'MASKING_FAILED' }, flush: 'soon' });
        throw asMasking(e);
      }
    }

    if (ro.maskResult !== false) observe((o) => o.masked(action, findings));

    // record: the action already ran, so this event need not wait for the disk flush (it is committed, and a
    // failed write still keeps the result from leaving); the decision event before it was flushed.
    await record({ ...base, type: 'action.executed', requestId, data: { rule: decision.rule, resultBytes: sizeOf(out), findings }, dataMasked: true, flush: 'soon' });
    return { status: 'executed', result: out, action, decision, requestId };
  }

  /** `action.failed` with APPROVAL_UNRECORDED: the request, and each vote that did not count (its event seq, and why). */
  async function recordUnrecorded(e: CountersignError, base: Omit<AuditEventInput, 'type'>, rule: string): Promise<void> {
    const d = e.details as { requestId: string; votes?: Array<{ seq: number; why: string }>; terms?: string };
    const why = d.votes ? { votes: d.votes.map((v) => ({ seq: v.seq, why: v.why })) } : { terms: d.terms };
    await record({ ...base, type: 'action.failed', requestId: d.requestId, data: { code: e.code, rule, ...why } });
  }

  /** Gateway.stillValid: the credential check of a request that is no action (a listing). */
  async function stillValid(who: Principal, what: string): Promise<void> {
    const err = await credentialRefusal(who);
    if (!err) return;
    const principal = { id: who.id, type: who.type, ...(who.onBehalfOf ? { onBehalfOf: who.onBehalfOf } : {}) };
    await record({ type: 'auth.failed', principal, summary: `${what} refused`, data: { code: err.code, reason: err.message, stage: 'list', ...(who.keyId ? { keyId: who.keyId } : {}) }, flush: 'soon' });
    throw new CountersignError(err.code, err.message);
  }

  const refusals = createRefusalRecorder(record, { clock });

  return { run, decide, record, stillValid, refused: refusals.refused, refusals, masker, approvals, stages: STAGES };
}

/**
 * Throw the refusal a decided request stands for. The approver's reason is free text a person typed (a phone number,
 * a name): it is masked before it goes into the error the requester gets, as the audit log masks it; when masking
 * fails it is left out (fail closed).
 */
/** Was the wait aborted because the gateway is stopping (the signal's reason is GATEWAY_STOPPING)? */
function stopping(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && isGatewayStopping(signal.reason);
}

async function throwIfRefused(view: RequestView, masker: Masker): Promise<void> {
  const s = view.state;
  if (s.status !== 'denied' && s.status !== 'expired' && s.status !== 'cancelled') return;
  const who = s.decidedBy.join(', ');
  let reason: string | undefined;
  if (s.reason) {
    try {
      reason = (await masker.maskText(s.reason, { field: 'reason' })).text;
    } catch {
      reason = 'not shown (it could not be masked); the approval request has it';
    }
  }
  if (s.status === 'denied') throw new CountersignError('APPROVAL_DENIED', `denied by ${who}: ${reason ?? 'no reason given'}`, { requestId: view.request.id, decidedBy: s.decidedBy, reason });
  if (s.status === 'expired') throw new CountersignError('APPROVAL_EXPIRED', `approval request ${view.request.id} expired before anyone decided`, { requestId: view.request.id });
  throw new CountersignError('APPROVAL_CANCELLED', `approval request ${view.request.id} was cancelled by ${who}${reason ? `: ${reason}` : ''}`, { requestId: view.request.id, decidedBy: s.decidedBy });
}

function asMasking(e: unknown): CountersignError {
  return e instanceof CountersignError && e.code === 'MASKING_FAILED' ? e : new CountersignError('MASKING_FAILED', undefined, undefined, { cause: e });
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  try {
    return Buffer.byteLength(JSON.stringify(v) ?? '');
  } catch {
    return 0;
  }
}
