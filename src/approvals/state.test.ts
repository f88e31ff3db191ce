import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestState, voteRefusal, executionRefusal, isRecorded, type RequestFacts } from './state.js';
import type { RequestEvent } from '../store/types.js';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;

function facts(over: Partial<RequestFacts['review']> = {}, onBehalfOf?: string): RequestFacts {
  return {
    principal: { id: 'agent:etl', type: 'agent', groups: [], onBehalfOf, authMethod: 'api_key' },
    review: { approverGroups: ['sre'], approvals: 2, timeoutSeconds: 600, grant: { type: 'once' }, ...over },
    createdAt: T0,
    expiresAt: T0 + 10 * MIN,
    digest: 'd1',
  };
}

const human = (id: string, groups = ['sre']) => ({ id, type: 'human' as const, groups });
let seq = 0;
/** A vote as the service stores it: naming the audit event that recorded it. */
const vote = (id: string, v: 'approve' | 'deny', atMin: number, reason?: string): RequestEvent => ({
  seq: ++seq, at: T0 + atMin * MIN, type: 'vote', voter: human(id), vote: v, reason, channel: 'api', audit: { seq: 100 + seq, hash: 'a'.repeat(64) },
});
/** A vote row that names no audit event: written past the service, or stored before votes named theirs. */
const bare = (id: string, v: 'approve' | 'deny', atMin: number, reason?: string): RequestEvent => {
  const { audit: _audit, ...e } = vote(id, v, atMin, reason) as Extract<RequestEvent, { type: 'vote' }>;
  return e;
};
const exec = (atMin: number, digest = 'd1'): RequestEvent => ({ seq: ++seq, at: T0 + atMin * MIN, type: 'execute', digest });

// Scenario tables: a sequence of events, the expected state after each one.
const scenarios: Array<{ name: string; req: RequestFacts; steps: Array<[RequestEvent | null, number, string]> }> = [
  {
    name: 'quorum of two distinct approvers, then one execution',
    req: facts(),
    steps: [
      [null, 0, 'pending'],
      [vote('alice', 'approve', 1), 1, 'pending'],
      [vote('alice', 'approve', 2), 2, 'pending'], // a second vote by the same person does not count
      [vote('bob', 'approve', 3), 3, 'approved'],
      [exec(4), 4, 'executed'],
      [vote('carol', 'deny', 5, 'late'), 5, 'executed'], // resolved is final
    ],
  },
  {
    name: 'any eligible denial ends it',
    req: facts(),
    steps: [
      [vote('alice', 'approve', 1), 1, 'pending'],
      [vote('bob', 'deny', 2, 'not during freeze'), 2, 'denied'],
      [vote('carol', 'approve', 3), 3, 'denied'],
    ],
  },
  {
    name: 'expiry is its own state and is final',
    req: facts(),
    steps: [
      [vote('alice', 'approve', 1), 1, 'pending'],
      [null, 10, 'expired'],
      [vote('bob', 'approve', 11), 11, 'expired'], // a vote after the deadline cannot revive it
    ],
  },
  {
    name: 'votes by the requester or the human it acts for never count',
    req: facts({ approvals: 1 }, 'dave'),
    steps: [
      [{ seq: ++seq, at: T0 + MIN, type: 'vote', voter: human('dave'), vote: 'approve', channel: 'api' }, 1, 'pending'],
      [{ seq: ++seq, at: T0 + 2 * MIN, type: 'vote', voter: { id: 'agent:etl', type: 'agent', groups: ['sre'] }, vote: 'approve', channel: 'api' }, 2, 'pending'],
      [vote('erin', 'approve', 3), 3, 'approved'],
    ],
  },
  {
    name: 'window grant allows several executions until it ends',
    req: facts({ approvals: 1, grant: { type: 'window', seconds: 15 * 60 } }),
    steps: [
      [vote('alice', 'approve', 1), 1, 'approved'],
      [exec(2), 2, 'approved'],
      [exec(3, 'other-digest'), 3, 'approved'],
    ],
  },
  {
    name: 'cancelled by the requester',
    req: facts(),
    steps: [
      [{ seq: ++seq, at: T0 + MIN, type: 'cancel', by: 'agent:etl', reason: 'client went away' }, 1, 'cancelled'],
      [vote('alice', 'approve', 2), 2, 'cancelled'],
    ],
  },
];

for (const sc of scenarios) {
  test(`state: ${sc.name}`, () => {
    const events: RequestEvent[] = [];
    sc.steps.forEach(([ev, atMin, want], i) => {
      if (ev) events.push(ev);
      assert.equal(requestState(sc.req, events, T0 + atMin * MIN).status, want, `after step ${i}`);
    });
  });
}

test('decidedBy and reason name who denied and why', () => {
  const s = requestState(facts(), [vote('alice', 'approve', 1), vote('bob', 'deny', 2, 'no')], T0 + 3 * MIN);
  assert.deepEqual(s.decidedBy, ['bob']);
  assert.equal(s.reason, 'no');
});

test('voteRefusal enforces who may vote', () => {
  const req = facts({}, 'dave');
  const now = T0 + MIN;
  assert.equal(voteRefusal(req, [], human('alice'), now), null);
  assert.equal(voteRefusal(req, [], human('dave'), now), 'SELF_APPROVAL');
  assert.equal(voteRefusal(req, [], { id: 'agent:etl', type: 'agent', groups: ['sre'] }, now), 'SELF_APPROVAL');
  assert.equal(voteRefusal(req, [], { id: 'agent:other', type: 'agent', groups: ['sre'] }, now), 'NOT_AN_APPROVER');
  assert.equal(voteRefusal(req, [], human('mallory', ['eng']), now), 'NOT_AN_APPROVER');
  assert.equal(voteRefusal(req, [vote('alice', 'approve', 0.5)], human('alice'), now), 'ALREADY_VOTED');
  assert.equal(voteRefusal(req, [], human('alice'), T0 + 10 * MIN), 'REQUEST_FINISHED');
  const open = facts({ approverGroups: [] });
  assert.equal(voteRefusal(open, [], human('anyone', []), now), null);
});

test('executionRefusal binds an approval to the exact digest, once', () => {
  const req = facts({ approvals: 1 });
  const approved = [vote('alice', 'approve', 1)];
  assert.equal(executionRefusal(req, approved, 'd1', T0 + 2 * MIN), null);
  assert.equal(executionRefusal(req, approved, 'tampered', T0 + 2 * MIN), 'DIGEST_MISMATCH');
  assert.equal(executionRefusal(req, [...approved, exec(2)], 'd1', T0 + 3 * MIN), 'GRANT_USED');
  assert.equal(executionRefusal(req, [], 'd1', T0 + 11 * MIN), 'APPROVAL_EXPIRED');
  assert.equal(executionRefusal(req, [vote('bob', 'deny', 1, 'no')], 'd1', T0 + 2 * MIN), 'APPROVAL_DENIED');
  // an approved once-grant is usable for timeoutSeconds after approval, then lapses
  assert.equal(executionRefusal(req, approved, 'd1', T0 + 12 * MIN), 'APPROVAL_EXPIRED');
});

test('window grant: matching actions run until the window ends', () => {
  const req = facts({ approvals: 1, grant: { type: 'window', seconds: 300 } });
  const ev = [vote('alice', 'approve', 1)];
  assert.equal(executionRefusal(req, ev, 'other', T0 + 5 * MIN), null);
  assert.equal(executionRefusal(req, ev, 'other', T0 + 6 * MIN), 'APPROVAL_EXPIRED');
});

test('window grant on an unmask: the one approved token may be revealed again until the window ends, no other token', () => {
  const req = { ...facts({ approvals: 1, grant: { type: 'window', seconds: 300 } }), kind: 'unmask' as const };
  const ev = [vote('alice', 'approve', 1)];
  assert.equal(executionRefusal(req, ev, 'd1', T0 + 2 * MIN), null);
  assert.equal(executionRefusal(req, ev, 'other-token', T0 + 2 * MIN), 'DIGEST_MISMATCH');
  const twice = [...ev, exec(2), exec(3), exec(3, 'other-token')];
  assert.equal(requestState(req, twice, T0 + 4 * MIN).executions, 2, 'an execution of another digest is not counted');
  assert.equal(executionRefusal(req, twice, 'd1', T0 + 4 * MIN), null);
  assert.equal(executionRefusal(req, twice, 'd1', T0 + 7 * MIN), 'APPROVAL_EXPIRED');
  // Look-alike: the same window on another kind still covers other actions of the rule.
  assert.equal(executionRefusal({ ...req, kind: 'export' }, ev, 'other', T0 + 2 * MIN), null);
});

test('self-approval and one-vote-each compare ids in canonical form: e-mail case and surrounding space do not make another person', () => {
  for (const stored of ['Alice@Example.COM', ' alice@example.com', 'alice@example.com']) {
    const req = facts({}, stored);
    for (const voter of ['alice@example.com', 'ALICE@example.com', 'Alice@Example.COM']) {
      assert.equal(voteRefusal(req, [], human(voter), T0), 'SELF_APPROVAL', `${voter} vs stored ${stored}`);
    }
    // A stored vote of hers (made before the check) never counts toward quorum.
    assert.deepEqual(requestState(req, [vote('ALICE@example.com', 'approve', 1)], T0 + 2 * MIN).approvedBy, []);
    // Look-alikes are other people: another local part, another domain.
    assert.equal(voteRefusal(req, [], human('alice2@example.com'), T0), null);
    assert.equal(voteRefusal(req, [], human('alice@example.co'), T0), null);
  }
  // One vote each: Bob in another case is still Bob, and does not make a quorum of two on his own.
  const req = facts();
  const events = [vote('bob@example.com', 'approve', 1)];
  assert.equal(voteRefusal(req, events, human('Bob@Example.com'), T0 + 2 * MIN), 'ALREADY_VOTED');
  assert.equal(requestState(req, [...events, vote('BOB@example.com', 'approve', 2)], T0 + 3 * MIN).status, 'pending');
});

test('an approving vote that names no audit event does not count, is listed as unrecorded, and may be given again', () => {
  const req = facts({ approvals: 1 });
  const forged = bare('mallory', 'approve', 1);
  const s = requestState(req, [forged], T0 + 2 * MIN);
  assert.equal(s.status, 'pending');
  assert.deepEqual(s.approvedBy, []);
  assert.deepEqual(s.unrecorded, [forged.seq]);
  assert.equal(executionRefusal(req, [forged], 'd1', T0 + 2 * MIN), 'REQUEST_FINISHED');
  // Counted anyway (the claim the store's rows make), it would approve: the gate tells the two apart.
  assert.equal(executionRefusal(req, [forged], 'd1', T0 + 2 * MIN, { counts: () => true }), null);
  // Its approver is not held to it: the vote given again through the service counts, once.
  const old = bare('alice', 'approve', 1);
  assert.equal(voteRefusal(facts(), [old], human('alice'), T0 + 2 * MIN), null);
  const again = vote('alice', 'approve', 2);
  const t = requestState(req, [old, again], T0 + 3 * MIN);
  assert.equal(t.status, 'approved');
  assert.deepEqual(t.countedVotes, [again.seq]);
  assert.deepEqual(t.unrecorded, [old.seq]);
  assert.equal(t.resolvedAt, T0 + 2 * MIN, 'approved when the recorded vote came');
});

test('a denial counts without an audit reference (it never lets anything run); a reference must look like one', () => {
  const s = requestState(facts(), [vote('alice', 'approve', 1), bare('bob', 'deny', 2, 'no')], T0 + 3 * MIN);
  assert.equal(s.status, 'denied');
  assert.deepEqual(s.unrecorded, []);
  const v = vote('alice', 'approve', 1) as Extract<RequestEvent, { type: 'vote' }>;
  assert.equal(isRecorded(v), true);
  for (const audit of [{ seq: 0, hash: 'a'.repeat(64) }, { seq: 1.5, hash: 'a'.repeat(64) }, { seq: 3, hash: 'A'.repeat(64) }, { seq: 3, hash: 'ab' }, null]) {
    assert.equal(isRecorded({ ...v, audit: audit as never }), false, JSON.stringify(audit));
  }
});

test('countedVotes are the approving votes behind the quorum, in order; later and duplicate votes are not among them', () => {
  const a = vote('alice', 'approve', 1);
  const dup = vote('alice', 'approve', 2);
  const b = vote('bob', 'approve', 3);
  const late = vote('carol', 'approve', 4);
  assert.deepEqual(requestState(facts(), [a, dup, b, late], T0 + 5 * MIN).countedVotes, [a.seq, b.seq]);
});
