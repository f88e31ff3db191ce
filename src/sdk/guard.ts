import { ApiClient, ApiError, type ActionRequest, type SubmitResult } from './client.js';

/** Thrown by guard() when the action may not run. `code`: POLICY_DENIED, APPROVAL_DENIED, APPROVAL_EXPIRED, APPROVAL_CANCELLED, TIMEOUT. */
export class ActionRefusedError extends Error {
  constructor(readonly code: string, readonly reason: string, readonly requestId?: string, readonly decidedBy: string[] = []) {
    super(`${code}: ${reason}`);
    this.name = 'ActionRefusedError';
  }
}

/**
 * Thrown by guard() when `fn` ran and succeeded but its outcome could not be reported to the gateway (after a retry):
 * the action happened — do not run it again. `result` is what `fn` returned.
 */
export class OutcomeNotRecordedError<T = unknown> extends Error {
  constructor(readonly result: T, readonly actionDigest: string, override readonly cause: unknown) {
    super(`the action ran and succeeded, but its outcome could not be recorded (${(cause as Error)?.message ?? String(cause)}); do not run it again`);
    this.name = 'OutcomeNotRecordedError';
  }
}

export interface GuardOptions {
  /** Give up waiting for approval after this long (default 15 minutes); throws ActionRefusedError('TIMEOUT'). */
  timeoutMs?: number;
  /** Called once when the action is held, with the request id to show a person. */
  onPending?: (requestId: string) => void;
}

/**
 * Run `fn` only if Countersign allows `action`: submit, wait for approval when held, run, report the outcome.
 * A denial, expiry or cancellation throws ActionRefusedError carrying the reason and who decided. If `fn` succeeded
 * but the outcome could not be reported, OutcomeNotRecordedError (the action ran; its `result` is attached).
 * The approval binds to the action's digest (principal, resource, kind, summary and detail): put what `fn` runs into
 * `detail`, so an approval of one statement cannot be used by another.
 *
 * @example
 * const sql = "DELETE FROM sessions WHERE created_at < now() - interval '90 days'";
 * await guard(api, { resource: 'prod-db', kind: 'delete', summary: 'purge sessions older than 90 days', detail: { sql } },
 *   () => db.query(sql));
 */
export async function guard<T>(api: ApiClient, action: ActionRequest, fn: () => Promise<T>, opts: GuardOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
  let r = await submit(api, action, deadline);
  // Held: wait for the decision, then submit the identical action again, which uses the approval (bound to its
  // digest). If another identical call used it first (a one-time grant), that submission is held anew: wait again.
  while (r.status === 'pending') {
    opts.onPending?.(r.requestId);
    await waitForApproval(api, r.requestId, deadline);
    r = await submit(api, action, deadline);
  }
  const allowed = r;
  // The ticket lets any gateway behind the same address take the report, not only the one that allowed the action.
  const outcome = (status: 'succeeded' | 'failed') => api.reportOutcome({ actionDigest: allowed.actionDigest, requestId: allowed.requestId, resource: action.resource, status, ticket: allowed.outcomeTicket });
  let out: T;
  try {
    out = await fn();
  } catch (e) {
    await outcome('failed').catch(() => undefined);
    throw e;
  }
  // fn succeeded: that is what is reported, never 'failed'. A report that fails is retried once; then the caller is
  // told the action ran (OutcomeNotRecordedError, with the result), so it is not run a second time.
  try {
    await outcome('succeeded');
  } catch {
    try {
      await outcome('succeeded');
    } catch (e) {
      throw new OutcomeNotRecordedError(out, r.actionDigest, e);
    }
  }
  return out;
}

/**
 * Submit `action`. A policy denial is a refusal. GRANT_USED means an identical call used the one-time approval between
 * the gateway finding it and consuming it: that is "used by another call", so submit again (held anew, or allowed by
 * a newer approval) until the deadline.
 */
async function submit(api: ApiClient, action: ActionRequest, deadline: number): Promise<SubmitResult> {
  for (;;) {
    try {
      return await api.submit(action);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'POLICY_DENIED') throw new ActionRefusedError(e.code, e.message);
      if (e.code !== 'GRANT_USED') throw e;
      if (Date.now() >= deadline) throw new ActionRefusedError('TIMEOUT', 'an identical call keeps using the approval first');
      await new Promise((r) => setTimeout(r, 100)); // let the other call finish consuming it
    }
  }
}

/**
 * Long-poll request `id` until it is approved, or `executed` (an identical call used the one-time approval: the caller
 * submits again and is held anew). A denial, expiry or cancellation is a refusal.
 */
async function waitForApproval(api: ApiClient, id: string, deadline: number): Promise<void> {
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new ActionRefusedError('TIMEOUT', `still waiting for approval ${id}`, id);
    const view = await api.wait(id, Math.max(1, Math.min(30, Math.ceil(left / 1000))));
    if (view.status === 'pending') continue;
    if (view.status === 'approved' || view.status === 'executed') return;
    const code = view.status === 'denied' ? 'APPROVAL_DENIED' : view.status === 'expired' ? 'APPROVAL_EXPIRED' : 'APPROVAL_CANCELLED';
    throw new ActionRefusedError(code, view.decisionReason ?? view.status, id, view.decidedBy);
  }
}
