import { recordHashOk } from '../audit/chain.js';
import { CountersignError } from '../core/errors.js';
import { canonicalJson } from '../core/canonical.js';
import type { AuditStore, RequestEvent, StoredRequest } from '../store/types.js';
import { isRecorded, requestState, type RequestFacts, type RequestState, type VoteEvent } from './state.js';

/** How many checked votes one gateway remembers (the oldest is forgotten first). */
const REMEMBERED = 10_000;

/** The request fields an `approval.vote` event repeats, and the request id. */
type VotedOn = Pick<StoredRequest, 'id' | 'digest' | 'resource'>;

/**
 * Checks approving votes against the audit log. A vote counts only when the event it names (seq and hash) is in the
 * log at that seq with that hash, intact (the hash matches its content), and is the `approval.vote` of this very vote:
 * this request, its action digest and resource, this voter, approving. One read by seq per vote; a vote that checks
 * out is remembered (an event at a seq with a hash stays what it is in an append-only log), so a window grant used
 * again, or a grant found and then consumed, is not read twice.
 *
 * @example
 *   const records = new VoteRecords(store);
 *   await records.whyNot(req, vote) // undefined: recorded; else why not, e.g. 'audit event 12 has another hash'
 */
export class VoteRecords {
  private readonly ok = new Set<string>();

  constructor(private readonly store: Pick<AuditStore, 'readAudit'>) {}

  /**
   * Why the terms `req` is decided on (`terms`: rule, approvers, quorum, grant, deadline) are not those its
   * `action.held` audit event (`ref`, from the request's channel data) recorded, or undefined when they are. A request
   * made before requests named their record has none: its approvals do not count (it expires, and the action asks
   * anew). Rejects when the store cannot be read (fail closed).
   */
  async termsWhyNot(req: VotedOn, ref: { seq?: unknown; hash?: unknown } | undefined, terms: Record<string, unknown>): Promise<string | undefined> {
    if (!ref || typeof ref.seq !== 'number' || typeof ref.hash !== 'string') return 'it names no audit record of its terms (a request made before this version, or edited in the store)';
    const want = canonicalJson(terms);
    const key = JSON.stringify(['held', req.id, req.digest, req.resource, ref.seq, ref.hash, want]);
    if (this.ok.has(key)) return undefined;
    const [rec] = await this.store.readAudit(ref.seq - 1, 1);
    if (!rec || rec.seq !== ref.seq || rec.hash !== ref.hash || !recordHashOk(rec)) return `the audit record of its terms (event ${ref.seq}) is not in the log as named`;
    const b = rec.body as { requestId?: unknown; actionDigest?: unknown; resource?: unknown; data?: unknown };
    if (rec.type !== 'action.held' || b.requestId !== req.id || b.actionDigest !== req.digest || b.resource !== req.resource) return `audit event ${ref.seq} is not the record of this request's terms`;
    if (canonicalJson(b.data) !== want) return `its terms in the store (approvers, approvals, grant or deadline) differ from those the audit log recorded when it was held (event ${ref.seq})`;
    if (this.ok.size >= REMEMBERED) this.ok.delete(this.ok.values().next().value!);
    this.ok.add(key);
    return undefined;
  }

  /** Why `vote` on `req` is not recorded in the audit log, or undefined when it is. Rejects when the store cannot be read (fail closed). */
  async whyNot(req: VotedOn, vote: VoteEvent): Promise<string | undefined> {
    const ref = vote.audit;
    if (!ref || !isRecorded(vote)) return 'it names no audit event';
    const key = JSON.stringify([req.id, req.digest, req.resource, vote.voter.id, ref.seq, ref.hash]);
    if (this.ok.has(key)) return undefined;
    // Seqs have no gaps: the first event after seq-1 is the one at seq, if the log has it.
    const [rec] = await this.store.readAudit(ref.seq - 1, 1);
    if (!rec || rec.seq !== ref.seq) return `audit event ${ref.seq} does not exist`;
    if (rec.hash !== ref.hash) return `audit event ${ref.seq} has another hash`;
    if (!recordHashOk(rec)) return `audit event ${ref.seq} does not match its hash`;
    if (rec.type !== 'approval.vote') return `audit event ${ref.seq} is ${rec.type}, not approval.vote`;
    const b = rec.body as { requestId?: unknown; actionDigest?: unknown; resource?: unknown; principal?: { id?: unknown; type?: unknown }; data?: { vote?: unknown } };
    if (b.requestId !== req.id || b.actionDigest !== req.digest || b.resource !== req.resource) return `audit event ${ref.seq} records a vote on another request`;
    if (b.principal?.id !== vote.voter.id || b.principal.type !== 'human') return `audit event ${ref.seq} records another voter's vote`;
    if (b.data?.vote !== 'approve') return `audit event ${ref.seq} records no approval`;
    if (this.ok.size >= REMEMBERED) this.ok.delete(this.ok.values().next().value!);
    this.ok.add(key);
    return undefined;
  }
}

/**
 * The state of `req` counting only the approving votes the audit log holds. The votes the state counts are checked
 * (VoteRecords); one that fails is dropped and the state derived again, so the next vote in line is checked in its
 * place. Reads one audit event per counted vote. `failed`: why each dropped vote (by seq) did not check out.
 *
 * @example const { state } = await recordedState(req, events, now, records); // state.status 'pending': not recorded
 */
export async function recordedState(
  req: RequestFacts & VotedOn,
  events: RequestEvent[],
  now: number,
  records: VoteRecords,
): Promise<{ state: RequestState; failed: Map<number, string> }> {
  const failed = new Map<number, string>();
  const checked = new Set<number>();
  const votes = votesBySeq(events);
  for (;;) {
    const state = requestState(req, events, now, { counts: (v) => isRecorded(v) && !failed.has(v.seq) });
    const todo = state.countedVotes.filter((seq) => !checked.has(seq));
    if (todo.length === 0) return { state, failed };
    const whys = await Promise.all(todo.map((seq) => records.whyNot(req, votes.get(seq)!)));
    todo.forEach((seq, i) => (whys[i] === undefined ? checked.add(seq) : failed.set(seq, whys[i]!)));
  }
}

/**
 * APPROVAL_UNRECORDED for `req`, naming the approving votes that did not count (`state.unrecorded`) and why.
 *
 * @example throw unrecordedError(req, events, state, failed);
 */
export function unrecordedError(req: VotedOn, events: RequestEvent[], state: RequestState, failed: Map<number, string>): CountersignError {
  const votes = votesBySeq(events);
  const list = state.unrecorded.map((seq) => ({ seq, voter: votes.get(seq)?.voter.id ?? '?', why: failed.get(seq) ?? 'it names no audit event' }));
  const told = list.map((v) => `${v.voter}'s vote (event ${v.seq}): ${v.why}`).join('; ');
  return new CountersignError(
    'APPROVAL_UNRECORDED',
    `approval request ${req.id} holds approvals the audit log does not (${told}); they do not count, and the action was not run`,
    { requestId: req.id, votes: list },
  );
}

function votesBySeq(events: RequestEvent[]): Map<number, VoteEvent> {
  const m = new Map<number, VoteEvent>();
  for (const e of events) if (e.type === 'vote') m.set(e.seq, e);
  return m;
}
