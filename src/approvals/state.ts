import { samePrincipalId, type Principal } from '../core/identity.js';
import type { ErrorCode } from '../core/errors.js';
import type { RequestEvent, RequestStatus, StoredRequest } from '../store/types.js';

/** The parts of a request the state function reads. */
export type RequestFacts = Pick<StoredRequest, 'principal' | 'review' | 'createdAt' | 'expiresAt' | 'digest'> & Partial<Pick<StoredRequest, 'kind'>>;

/**
 * Does this approval bind to the exact action (its digest)? Always for `grant: once`; for a window grant only when the
 * request is an `unmask`: approving one token's release must not release every token of the scope, so a window on an
 * unmask rule lets the same token be revealed again until it ends, and nothing else.
 */
export function bindsToDigest(req: RequestFacts): boolean {
  return req.review.grant.type === 'once' || req.kind === 'unmask';
}

/** Everything derived from a request and its append-only events at one instant. */
export interface RequestState {
  status: RequestStatus;
  /** Distinct approvers so far (ids), in vote order. */
  approvedBy: string[];
  /** Who ended it: the denier, the canceller, or the approvers whose votes made quorum. */
  decidedBy: string[];
  reason?: string;
  /** When the request left `pending` (approved, denied, cancelled, expired). */
  resolvedAt?: number;
  /** Until when an approval may be used: once-grants and window grants alike end here. */
  grantEndsAt?: number;
  executions: number;
  /** Seqs of the approving votes that count (the ones behind `approvedBy`): what the gate checks against the audit log. */
  countedVotes: number[];
  /**
   * Seqs of approving votes passed over, while the request was pending, because the audit log does not vouch for
   * them: they name no audit event (a row written past the gateway, or a vote stored before votes named theirs), or,
   * at the gate, one that does not check out (StateOptions.counts).
   */
  unrecorded: number[];
}

/** A vote event. */
export type VoteEvent = Extract<RequestEvent, { type: 'vote' }>;

/** How the state function counts approving votes. */
export interface StateOptions {
  /**
   * Does this approving vote count? Default: when it names the audit event that recorded it (isRecorded). Denials
   * always count: a vote that refuses never lets anything run.
   */
  counts?: (vote: VoteEvent) => boolean;
}

/**
 * Does the vote name the audit event that recorded it (a positive seq and a SHA-256 hex hash)? Whether that event is
 * in the log, and says the same, is the gate's check (ApprovalService), not this pure one.
 *
 * @example isRecorded({ ...vote, audit: { seq: 42, hash: 'ab12…' } }) // true
 */
export function isRecorded(vote: VoteEvent): boolean {
  const a = vote.audit;
  return a !== undefined && a !== null && Number.isSafeInteger(a.seq) && a.seq > 0 && typeof a.hash === 'string' && /^[0-9a-f]{64}$/.test(a.hash);
}

type Voter = Pick<Principal, 'id' | 'type' | 'groups'>;

/**
 * May `voter` vote on this request now? Returns null when yes, else the error code that explains why not.
 * Rules, in order: the request must be pending; only humans vote; the requester and the human an agent acts for
 * never vote; the voter must belong to an approver group (when groups are set); one vote per approver.
 */
export function voteRefusal(req: RequestFacts, events: RequestEvent[], voter: Voter, now: number): ErrorCode | null {
  const state = requestState(req, events, now);
  if (state.status !== 'pending') return 'REQUEST_FINISHED';
  // Ids compared in canonical form (case of an e-mail, surrounding space): stored requests may predate normalisation.
  if (samePrincipalId(voter.id, req.principal.id) || samePrincipalId(voter.id, req.principal.onBehalfOf)) {
    return 'SELF_APPROVAL';
  }
  if (voter.type !== 'human') return 'NOT_AN_APPROVER';
  const groups = req.review.approverGroups;
  if (groups.length > 0 && !voter.groups.some((g) => groups.includes(g))) return 'NOT_AN_APPROVER';
  // An approving vote that does not count (it names no audit event) does not stop its approver from giving it again.
  if (events.some((e) => e.type === 'vote' && samePrincipalId(e.voter.id, voter.id) && (e.vote === 'deny' || isRecorded(e)))) return 'ALREADY_VOTED';
  return null;
}

/**
 * The state of a request: a pure function of its facts, its events and the clock.
 * Resolved states are final: events after the resolving one change nothing but the execution count.
 * Expiry is its own state, never reported as a denial, and applies only while pending.
 * An approving vote counts only when it names the audit event that recorded it (or as `opts.counts` says).
 *
 * @example requestState(req, [], req.expiresAt) // { status: 'expired', ... }
 */
export function requestState(req: RequestFacts, events: RequestEvent[], now: number, opts: StateOptions = {}): RequestState {
  const quorum = Math.max(1, req.review.approvals);
  const counts = opts.counts ?? isRecorded;
  const approvedBy: string[] = [];
  const countedVotes: number[] = [];
  const unrecorded: number[] = [];
  let status: RequestStatus = 'pending';
  let decidedBy: string[] = [];
  let reason: string | undefined;
  let resolvedAt: number | undefined;
  let executions = 0;

  for (const e of events) {
    if (status === 'pending') {
      if (e.at >= req.expiresAt) {
        // Anything at or after the deadline comes too late: the request had already expired.
        status = 'expired';
        resolvedAt = req.expiresAt;
        continue;
      }
      switch (e.type) {
        case 'vote': {
          // Defensive: the service refuses ineligible votes, but a stored one must never count.
          if (e.voter.type !== 'human' || samePrincipalId(e.voter.id, req.principal.id) || samePrincipalId(e.voter.id, req.principal.onBehalfOf)) break;
          if (e.vote === 'approve' && !counts(e)) {
            unrecorded.push(e.seq);
            break;
          }
          if (approvedBy.some((id) => samePrincipalId(id, e.voter.id))) break;
          if (e.vote === 'deny') {
            status = 'denied';
            decidedBy = [e.voter.id];
            reason = e.reason;
            resolvedAt = e.at;
          } else {
            approvedBy.push(e.voter.id);
            countedVotes.push(e.seq);
            if (approvedBy.length >= quorum) {
              status = 'approved';
              decidedBy = [...approvedBy];
              resolvedAt = e.at;
            }
          }
          break;
        }
        case 'cancel':
          status = 'cancelled';
          decidedBy = [e.by];
          reason = e.reason;
          resolvedAt = e.at;
          break;
        case 'expire':
          status = 'expired';
          resolvedAt = req.expiresAt;
          break;
        case 'execute':
          break; // cannot execute while pending; ignored
      }
    } else if ((status === 'approved' || status === 'executed') && e.type === 'execute' && (!bindsToDigest(req) || e.digest === req.digest)) {
      executions++;
      if (req.review.grant.type === 'once') status = 'executed';
    }
  }

  if (status === 'pending' && now >= req.expiresAt) {
    status = 'expired';
    resolvedAt = req.expiresAt;
  }
  let grantEndsAt: number | undefined;
  if ((status === 'approved' || status === 'executed') && resolvedAt !== undefined) {
    const grant = req.review.grant;
    grantEndsAt = resolvedAt + (grant.type === 'window' ? grant.seconds : req.review.timeoutSeconds) * 1000;
  }
  return { status, approvedBy, decidedBy, reason, resolvedAt, grantEndsAt, executions, countedVotes, unrecorded };
}

/** May the approved request run the action with `digest` now? Null when yes, else why not. */
export function executionRefusal(req: RequestFacts, events: RequestEvent[], digest: string, now: number, opts?: StateOptions): ErrorCode | null {
  return stateRefusal(req, requestState(req, events, now, opts), digest, now);
}

/**
 * executionRefusal over a state already derived (`s` = requestState(req, …, now)).
 *
 * @example stateRefusal(req, requestState(req, events, now), action.digest, now) // null: it may run
 */
export function stateRefusal(req: RequestFacts, s: RequestState, digest: string, now: number): ErrorCode | null {
  if (s.status === 'executed') return 'GRANT_USED';
  if (s.status === 'denied') return 'APPROVAL_DENIED';
  if (s.status === 'expired') return 'APPROVAL_EXPIRED';
  if (s.status === 'cancelled') return 'APPROVAL_CANCELLED';
  if (s.status !== 'approved') return 'REQUEST_FINISHED';
  if (bindsToDigest(req) && digest !== req.digest) return 'DIGEST_MISMATCH';
  if (s.grantEndsAt !== undefined && now >= s.grantEndsAt) return 'APPROVAL_EXPIRED';
  return null;
}
