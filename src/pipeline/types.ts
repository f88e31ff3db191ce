import type { ActionInput, Action } from '../core/action.js';
import type { Decision } from '../core/decision.js';
import type { MaskContext, Masker } from '../core/masking.js';
import type { RequestStatus } from '../store/types.js';

/** Shown to a waiting caller while its action is held for approval. */
export interface PendingInfo {
  requestId: string;
  expiresAt: number;
  approvalsNeeded: number;
  approverGroups: string[];
}

export interface RunOptions {
  /** Abort while held: the request is cancelled and audited as such. */
  signal?: AbortSignal;
  /** Called once when the action is held for approval. */
  onPending?: (info: PendingInfo) => void;
  /** Called every `heartbeatMs` while held (keep a client alive, e.g. MCP progress notifications). */
  onHeartbeat?: (elapsedMs: number, info: PendingInfo) => void;
  heartbeatMs?: number;
  /** `wait` (default) holds until resolved; `return_pending` returns { status: 'pending' } at once. */
  holdMode?: 'wait' | 'return_pending';
  /**
   * With `return_pending`: the caller has no other way to learn how a request it was handed ended (an MCP agent, which
   * only calls again). The identical call after the request was denied, expired, cancelled, or approved and left
   * unused until the approval lapsed, is answered with that outcome once, instead of a new request.
   */
  tellOutcome?: boolean;
  /** Mask the result with the decision's profile before returning it (default true). Connectors that mask
   *  their own structures (MCP content blocks) pass false and mask through `gateway.masker`. */
  maskResult?: boolean;
  /** Mask the result with this instead of `masker.maskValue` (e.g. MCP content blocks, base64 text blobs). */
  maskWith?: (result: unknown, ctx: MaskContext) => Promise<{ value: unknown; findings: number }>;
  /** The action's summary was built from values this gateway's masker already masked (the MCP connector masks the
   *  arguments for it): the pipeline does not mask it a second time. */
  summaryMasked?: boolean;
}

/**
 * What the pipeline tells an observer (metrics): each decision, and how many values were masked out of each result.
 * Called synchronously on the action's path; an observer that throws is ignored (it never stops an action).
 */
export interface PipelineObserver {
  decided(action: Action, effect: Decision['effect']): void;
  masked(action: Action, findings: number): void;
}

export type RunResult<T> =
  | { status: 'executed'; result: T; action: Action; decision: Decision; requestId?: string }
  | { status: 'pending'; action: Action; decision: Decision; pending: PendingInfo };

/**
 * What connectors call. classify → decide → hold → execute → mask → record, in that order.
 * Refusals throw CountersignError: POLICY_DENIED, APPROVAL_DENIED (details.decidedBy, reason),
 * APPROVAL_EXPIRED, APPROVAL_CANCELLED, STORE_UNAVAILABLE/AUDIT_UNAVAILABLE (fail closed).
 */
export interface Gateway {
  /**
   * `execute` gets the action and `mask`: how its result will be masked (the decision's profile, the principal as
   * token scope). What else comes back from the upstream while it runs, before the result (progress it reports, the
   * text of an error it answers with), is the connector's to mask, with the same context.
   */
  run<T>(input: ActionInput, execute: (action: Action, mask: MaskContext) => Promise<T>, opts?: RunOptions): Promise<RunResult<T>>;
  /** Policy only, nothing recorded: used to hide tools a principal may never call. */
  decide(input: ActionInput): Decision;
  /** Record an audit event from a connector (sessions, listings, cancellations). */
  record(event: import('../audit/types.js').AuditEventInput): Promise<void>;
  /**
   * For a request that is no action (a listing, `what`): throws AUTH_INVALID / AUTH_EXPIRED, after recording
   * `auth.failed`, when `who`'s key was revoked or token expired since the session began. Absent: nothing to check.
   */
  stillValid?(who: import('../core/identity.js').Principal, what: string): Promise<void>;
  /**
   * Record a credential refused before anyone was authenticated (HTTP API, MCP over HTTP) as `auth.failed`, a flood
   * of them counted rather than recorded one by one (pipeline/refusals.ts). Never rejects. Absent: `record` it.
   */
  refused?(r: import('./refusals.js').Refusal): Promise<void>;
  masker: Masker;
}

export type { RequestStatus };
