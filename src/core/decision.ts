/** What an approval allows once granted. */
export type Grant =
  | { type: 'once' } // exactly this action (same digest), one execution
  | { type: 'window'; seconds: number }; // actions matching the same rule, principal and resource until it ends

/** What a `review` decision asks of humans. */
export interface ReviewRequirement {
  /** Groups whose (human) members may approve. Empty means any human except the requester and owner. */
  approverGroups: string[];
  /** Distinct approvals needed (quorum). */
  approvals: number;
  /** How long the request may wait before it expires. */
  timeoutSeconds: number;
  grant: Grant;
}

/** The outcome of policy for one action. Default (no rule matched): deny. */
export type Decision =
  | { effect: 'allow'; rule: string; maskProfile?: string }
  | { effect: 'deny'; rule: string; reason: string }
  | { effect: 'review'; rule: string; reason?: string; review: ReviewRequirement; maskProfile?: string };

export type Effect = Decision['effect'];

/** Evaluates policy. Compiled once at load time; evaluate() only matches. */
export interface PolicyEngine {
  evaluate(action: import('./action.js').Action): Decision;
}
