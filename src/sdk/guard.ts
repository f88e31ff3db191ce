import { setTimeout as sleep } from 'node:timers/promises';
import { anySignal, ApiClient, ApiError, type ActionRequest, type SubmitResult } from './client.js';

/**
 * Thrown by guard() when the action may not run. `code`: POLICY_DENIED, APPROVAL_DENIED, APPROVAL_EXPIRED,
 * APPROVAL_CANCELLED, TIMEOUT, ABORTED (the caller's `signal`).
 */
export class ActionRefusedError extends Error {
  constructor(readonly code: string, readonly reason: string, readonly requestId?: string, readonly decidedBy: string[] = []) {
    super(`${code}: ${reason}`);
    this.name = 'ActionRefusedError';
  }
}

/**
 * Thrown by guard() when `fn` ran and succeeded but its outcome could not be reported to the gateway (after a few
 * retries within 30 s when the gateway is unreachable or answers 502/503/504; a retry answered 409 OUTCOME_RECORDED
 * found the earlier attempt recorded, which is success):
 * the action happened — do not run it again. `result` is what `fn` returned.
 */
export class OutcomeNotRecordedError<T = unknown> extends Error {
  constructor(readonly result: T, readonly actionDigest: string, override readonly cause: unknown) {
    super(`the action ran and succeeded, but its outcome could not be recorded (${(cause as Error)?.message ?? String(cause)}); do not run it again`);
    this.name = 'OutcomeNotRecordedError';
  }
}

export interface GuardOptions {
  /**
   * Give up waiting for approval after this long (default 15 minutes); throws ActionRefusedError('TIMEOUT'). It bounds
   * every call made before `fn` runs (a gateway that never answers included), not `fn` or the outcome report.
   */
  timeoutMs?: number;
  /** Called once when the action is held, with the request id to show a person. */
  onPending?: (requestId: string) => void;
  /**
   * Stop waiting (a job shutting down): guard throws ActionRefusedError('ABORTED'). Like TIMEOUT, it cancels the
   * request it was held on. Once `fn` has started, the signal no longer applies (pass it to `fn` yourself).
   */
  signal?: AbortSignal;
}

/**
 * Run `fn` only if Countersign allows `action`: submit, wait for approval when held, run, report the outcome.
 * A denial, expiry or cancellation throws ActionRefusedError carrying the reason and who decided. While waiting, a
 * gateway that cannot be reached or answers 502/503/504 (restarting, behind a load balancer) is polled again with a
 * short backoff until `timeoutMs`: the request is safe in the store. If `fn` succeeded but the outcome could not be
 * reported, OutcomeNotRecordedError (the action ran; its `result` is attached). Each allowed action takes one report:
 * a retried report the gateway answers 409 OUTCOME_RECORDED (an earlier attempt landed, its answer lost) counts as
 * recorded.
 * The approval binds to the action's digest (principal, resource, kind, summary and detail): put what `fn` runs into
 * `detail`, so an approval of one statement cannot be used by another.
 *
 * @example
 * const sql = "DELETE FROM sessions WHERE created_at < now() - interval '90 days'";
 * await guard(api, { resource: 'prod-db', kind: 'delete', summary: 'purge sessions older than 90 days', detail: { sql } },
 *   () => db.query(sql));
 */
export async function guard<T>(api: ApiClient, action: ActionRequest, fn: () => Promise<T>, opts: GuardOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
  const deadline = Date.now() + timeoutMs;
  // Every call before fn runs is bounded by the deadline: a gateway that accepts the connection and never answers
  // cannot hold guard past it.
  const expired = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? anySignal([opts.signal, expired]) : expired;
  const held: Held = {};
  let allowed: Allowed;
  try {
    signal.throwIfAborted();
    allowed = await untilAllowed(api, action, opts, { deadline, signal, held });
  } catch (e) {
    const refusal = asRefusal(e, opts.signal, expired, timeoutMs, held.id);
    // An abandoned request would linger until it expires, count toward the principal's cap of pending requests, and
    // an approval given later would let a future identical call run unasked: withdraw it. An identical call that
    // joined the same request sees it cancelled too.
    if (held.id && (refusal.code === 'TIMEOUT' || refusal.code === 'ABORTED')) await withdraw(api, held.id, refusal.reason);
    throw refusal;
  }
  // The ticket lets any gateway behind the same address take the report, not only the one that allowed the action.
  const outcome = (status: 'succeeded' | 'failed') => async (signal: AbortSignal) => {
    try {
      await api.reportOutcome({ actionDigest: allowed.actionDigest, requestId: allowed.requestId, resource: action.resource, status, ticket: allowed.outcomeTicket }, signal);
    } catch (e) {
      // An allowance takes one report: a retry whose earlier attempt landed (the answer was lost on the way back) is
      // told OUTCOME_RECORDED. The outcome is in the log: that is success, not OutcomeNotRecordedError.
      if (e instanceof ApiError && e.code === 'OUTCOME_RECORDED') return;
      throw e;
    }
  };
  let out: T;
  try {
    out = await fn();
  } catch (e) {
    await withRetries(outcome('failed')).catch(() => undefined);
    throw e;
  }
  // fn succeeded: that is what is reported, never 'failed'. A report the gateway could not take (unreachable,
  // restarting, 503) is retried a few times; then the caller is told the action ran (OutcomeNotRecordedError, with the
  // result), so it is not run a second time.
  try {
    await withRetries(outcome('succeeded'));
  } catch (e) {
    throw new OutcomeNotRecordedError(out, allowed.actionDigest, e);
  }
  return out;
}

/**
 * What guard throws for `e`, raised while waiting: a refusal stands; any other error the caller's abort or the
 * deadline caused (an aborted call or pause) becomes ABORTED or TIMEOUT; anything else is rethrown as it is.
 */
function asRefusal(e: unknown, caller: AbortSignal | undefined, expired: AbortSignal, timeoutMs: number, id?: string): ActionRefusedError {
  if (e instanceof ActionRefusedError) return e;
  if (caller?.aborted) return new ActionRefusedError('ABORTED', `guard was aborted: ${(caller.reason as Error)?.message ?? String(caller.reason)}`, id);
  if (expired.aborted) return new ActionRefusedError('TIMEOUT', `no decision within ${timeoutMs} ms`, id);
  throw e;
}

/** Cancel the request guard gave up on; best effort, and briefly (the gateway may be the reason guard gave up). */
async function withdraw(api: ApiClient, id: string, reason: string): Promise<void> {
  await api.cancel(id, reason, AbortSignal.timeout(5_000)).catch(() => undefined);
}

type Allowed = Extract<SubmitResult, { status: 'allowed' }>;
/** The request this guard is held on and still pending, if any: the one to cancel when guard gives up. */
interface Held {
  id?: string;
}
interface Bounds {
  deadline: number;
  signal: AbortSignal;
  held: Held;
}

/**
 * Held: wait for the decision, then submit the identical action again, which uses the approval (bound to its digest).
 * If another identical call used it first (a one-time grant), that submission is held anew: wait again.
 */
async function untilAllowed(api: ApiClient, action: ActionRequest, opts: GuardOptions, b: Bounds): Promise<Allowed> {
  let r = await submit(api, action, b);
  while (r.status === 'pending') {
    b.held.id = r.requestId;
    opts.onPending?.(r.requestId);
    await waitForApproval(api, r.requestId, b);
    b.held.id = undefined; // decided: nothing left to cancel
    r = await submit(api, action, b);
  }
  return r;
}

/**
 * Submit `action`. A policy denial is a refusal. GRANT_USED means an identical call used the one-time approval between
 * the gateway finding it and consuming it: that is "used by another call", so submit again (held anew, or allowed by
 * a newer approval) until the deadline. A gateway that cannot be reached or answers 502/503/504 is asked again with
 * the polls' backoff until the deadline too: after an approval, giving up would leave it for a later identical call
 * to use unasked. (If a lost answer had used a one-time approval, the next submission is held anew: nothing runs
 * twice.)
 */
async function submit(api: ApiClient, action: ActionRequest, b: Bounds): Promise<SubmitResult> {
  // A guarded action comes from the SDK: `connector: sdk` (a rule can tell pipelines from other API callers).
  const asked: ActionRequest = { connector: 'sdk', ...action };
  let failures = 0;
  for (;;) {
    try {
      return await api.submit(asked, b.signal);
    } catch (e) {
      if (transient(e)) {
        const left = b.deadline - Date.now();
        if (left <= 0) throw new ActionRefusedError('TIMEOUT', `the gateway did not take the submission in time (${(e as Error).message})`);
        await sleep(Math.min(backoff(failures++), left), undefined, { signal: b.signal });
        continue;
      }
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'POLICY_DENIED') throw new ActionRefusedError(e.code, e.message);
      if (e.code !== 'GRANT_USED') throw e;
      if (Date.now() >= b.deadline) throw new ActionRefusedError('TIMEOUT', 'an identical call keeps using the approval first');
      await sleep(100, undefined, { signal: b.signal }); // let the other call finish consuming it
    }
  }
}

/**
 * Long-poll request `id` until it is approved, or `executed` (an identical call used the one-time approval: the caller
 * submits again and is held anew). A denial, expiry or cancellation is a refusal.
 */
async function waitForApproval(api: ApiClient, id: string, b: Bounds): Promise<void> {
  let failures = 0;
  let lastFailure = '';
  for (;;) {
    const left = b.deadline - Date.now();
    if (left <= 0) throw new ActionRefusedError('TIMEOUT', `still waiting for approval ${id}${lastFailure}`, id);
    let view;
    try {
      view = await api.wait(id, Math.max(1, Math.min(30, Math.ceil(left / 1000))), b.signal);
    } catch (e) {
      // The request is safe in the store: a gateway restarting, or one of several behind a load balancer going away,
      // only costs this poll.
      if (!transient(e)) throw e;
      lastFailure = ` (last poll: ${(e as Error).message})`;
      await sleep(Math.min(backoff(failures++), left), undefined, { signal: b.signal });
      continue;
    }
    failures = 0;
    lastFailure = '';
    if (view.status === 'pending') continue;
    if (view.status === 'approved' || view.status === 'executed') return;
    const code = view.status === 'denied' ? 'APPROVAL_DENIED' : view.status === 'expired' ? 'APPROVAL_EXPIRED' : 'APPROVAL_CANCELLED';
    throw new ActionRefusedError(code, view.decisionReason ?? view.status, id, view.decidedBy);
  }
}

/** How often, and for how long at most, an outcome report is tried when the gateway cannot take it. */
const OUTCOME_ATTEMPTS = 5;
const OUTCOME_BUDGET_MS = 30_000;

/**
 * Run `send`, trying again after a transient failure, up to OUTCOME_ATTEMPTS times; its signal ends it all within
 * OUTCOME_BUDGET_MS, a gateway that never answers included.
 */
async function withRetries(send: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const until = Date.now() + OUTCOME_BUDGET_MS;
  const budget = AbortSignal.timeout(OUTCOME_BUDGET_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(budget);
    } catch (e) {
      const pause = backoff(attempt - 1);
      if (!transient(e) || attempt >= OUTCOME_ATTEMPTS || Date.now() + pause >= until) throw e;
      await sleep(pause);
    }
  }
}

/**
 * A failure that says nothing about the request: the gateway could not be reached or did not answer in time, or it
 * (or a load balancer in front of it) answered 502/503/504 — restarting, store or audit briefly unavailable.
 */
function transient(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  return e.status === 0 ? e.code === 'UPSTREAM_UNAVAILABLE' || e.code === 'UPSTREAM_TIMEOUT' : e.status >= 502 && e.status <= 504;
}

/** 250 ms, doubling, at most 5 s. */
const backoff = (failures: number) => Math.min(5_000, 250 * 2 ** failures);
