// An approval the audit log does not hold never lets anything run: rows written into the SQLite file past the gateway
// (a second connection, as anyone with write access to the file can) make no approval count.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { ActionInput } from '../../src/core/action.js';
import { randomIds, type Clock } from '../../src/core/clock.js';
import { CountersignError } from '../../src/core/errors.js';
import type { Principal } from '../../src/core/identity.js';
import { createAuditLog } from '../../src/audit/log.js';
import { verifyAudit } from '../../src/audit/verify.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { viewJson } from '../../src/api/app.js';
import { createMasker, maskingConfigSchema } from '../../src/masking/index.js';
import { createPipeline } from '../../src/pipeline/pipeline.js';
import type { RunOptions } from '../../src/pipeline/types.js';
import { compilePolicy } from '../../src/policy/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { AuditRecord, RequestEvent } from '../../src/store/types.js';

const agent: Principal = { id: 'agent:etl', type: 'agent', groups: ['bots'], authMethod: 'api_key' };
const dana: Principal = { id: 'dana@example.com', type: 'human', groups: ['dba'], authMethod: 'oidc' };
const erin: Principal = { id: 'erin@example.com', type: 'human', groups: ['dba'], authMethod: 'oidc' };
const policy = compilePolicy({
  rules: [
    { name: 'deletes-need-review', resource: 'prod-db', kind: 'delete', effect: 'review', review: { approvers: ['dba'], approvals: 1, timeout: '30m' } },
    { name: 'deletes-need-two', resource: 'hr-db', kind: 'delete', effect: 'review', review: { approvers: ['dba'], approvals: 2, timeout: '30m' } },
    { name: 'exports-window', resource: 'prod-db', kind: 'export', effect: 'review', review: { approvers: ['dba'], approvals: 1, timeout: '30m', grant: { window: '15m' } } },
  ],
});
const del = (sql: string, resource = 'prod-db') => ({ principal: agent, resource, connector: 'test', kind: 'delete' as const, summary: sql, detail: { sql } });
const exp = (what: string) => ({ principal: agent, resource: 'prod-db', connector: 'test', kind: 'export' as const, summary: what, detail: { what } });
const PENDING: RunOptions = { holdMode: 'return_pending' };
const unrecorded = (e: unknown) => e instanceof CountersignError && e.code === 'APPROVAL_UNRECORDED';

/** A gateway on a real SQLite file, and a second connection to that file, as an attacker with write access has. */
async function world() {
  const dir = await mkdtemp(join(tmpdir(), 'cs-unrecorded-'));
  const file = join(dir, 'cs.db');
  const clock: Clock = { now: () => Date.now() };
  const store = new SqliteStore(file);
  const audit = createAuditLog({ store, clock });
  const approvals = new ApprovalService({ store, audit, clock, ids: randomIds, pollMs: 20 });
  const gateway = createPipeline({ policy, approvals, audit, masker: createMasker(maskingConfigSchema.parse({})), clock });
  const raw = new Database(file);
  const alive = setInterval(() => undefined, 1000);
  let ran = 0;
  return {
    store,
    approvals,
    gateway,
    raw,
    get ran() {
      return ran;
    },
    run: (input: ActionInput, ro: RunOptions = PENDING) => gateway.run(input, async () => (ran++, 'done'), ro),
    /** What the tester did: a vote row in request_events, and the request's status set to approved. */
    forge(requestId: string, seq: number, vote: Omit<Extract<RequestEvent, { type: 'vote' }>, 'seq' | 'at' | 'type' | 'channel' | 'vote'> & { vote?: 'approve' | 'deny' }) {
      const doc = { seq, at: Date.now(), type: 'vote', vote: 'approve', channel: 'api', ...vote };
      raw.prepare('INSERT INTO request_events (request_id, seq, doc) VALUES (?, ?, ?)').run(requestId, seq, JSON.stringify(doc));
      raw.prepare(`UPDATE requests SET status = 'approved' WHERE id = ?`).run(requestId);
    },
    async audit(): Promise<AuditRecord[]> {
      return store.readAudit(0, 10_000);
    },
    async dispose() {
      clearInterval(alive);
      approvals.stop();
      raw.close();
      await audit.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const mallory = { id: 'mallory@example.com', type: 'human' as const, groups: ['dba'] };

/** The request a pending run result names. */
function requestOf(r: Awaited<ReturnType<ReturnType<typeof createPipeline>['run']>>): string {
  assert.equal(r.status, 'pending');
  return r.status === 'pending' ? r.pending.requestId : '';
}

describe('an approval the audit log does not hold never lets anything run', () => {
  it("the tester's attack: a vote row and status written into the file do not run the held action; the refusal is named and audited", async () => {
    const w = await world();
    try {
      const id = requestOf(await w.run(del('DELETE FROM users WHERE id = 1')));
      w.forge(id, 1, { voter: mallory });
      assert.equal((await w.store.getRequest(id))?.status, 'approved', 'the store says approved');

      await assert.rejects(w.run(del('DELETE FROM users WHERE id = 1')), (e: unknown) => {
        assert.ok(unrecorded(e), String(e));
        const err = e as CountersignError;
        assert.match(err.message, /mallory@example\.com's vote \(event 1\): it names no audit event/);
        assert.deepEqual((err.details as { votes: unknown[] }).votes, [{ seq: 1, voter: 'mallory@example.com', why: 'it names no audit event' }]);
        return true;
      });
      assert.equal(w.ran, 0, 'the held action did not run');
      const failed = (await w.audit()).filter((r) => r.type === 'action.failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.body.requestId, id);
      assert.deepEqual(failed[0]!.body.data, { code: 'APPROVAL_UNRECORDED', rule: 'deletes-need-review', votes: [{ seq: 1, why: 'it names no audit event' }] });
      assert.ok(!(await w.audit()).some((r) => r.type === 'action.executed'));
      assert.equal((await verifyAudit(w.store)).ok, true, 'the log is intact, and holds the refusal');

      // Approvers see the row for what it is: a vote that does not count, on a request still waiting.
      const view = await w.approvals.get(id);
      assert.equal(view.state.status, 'pending');
      assert.deepEqual(view.state.unrecorded, [1]);
      assert.deepEqual(viewJson(view).votes.map((v) => [v.voter, v.auditSeq, v.counted]), [['mallory@example.com', null, false]]);

      // A real approval still decides it, and then the action runs.
      const voted = await w.approvals.vote(id, dana, 'approve', { channel: 'api' });
      assert.equal(voted.state.status, 'approved');
      assert.equal((await w.run(del('DELETE FROM users WHERE id = 1'))).status, 'executed');
      assert.equal(w.ran, 1);
    } finally {
      await w.dispose();
    }
  });

  it('a normal approval runs the held action; its vote names the approval.vote event that recorded it', async () => {
    const w = await world();
    try {
      const id = requestOf(await w.run(del('DELETE FROM users WHERE id = 2')));
      await w.approvals.vote(id, dana, 'approve', { channel: 'api' });
      const rec = (await w.audit()).find((r) => r.type === 'approval.vote' && r.body.requestId === id)!;
      const [ev] = await w.store.events(id);
      assert.deepEqual(ev?.type === 'vote' && ev.audit, { seq: rec.seq, hash: rec.hash });
      assert.deepEqual(viewJson(await w.approvals.get(id)).votes.map((v) => [v.auditSeq, v.counted]), [[rec.seq, true]]);
      const r = await w.run(del('DELETE FROM users WHERE id = 2'));
      assert.equal(r.status, 'executed');
      assert.equal(w.ran, 1);
    } finally {
      await w.dispose();
    }
  });

  it('a vote row naming another event, a wrong hash, another voter or an event that does not exist does not count', async () => {
    const w = await world();
    try {
      // A real approval on another request: its approval.vote is a genuine event to point at.
      const other = requestOf(await w.run(del('DELETE FROM users WHERE id = 99')));
      await w.approvals.vote(other, dana, 'approve', { channel: 'api' });
      const log = await w.audit();
      const otherVote = log.find((r) => r.type === 'approval.vote' && r.body.requestId === other)!;
      const cases: Array<{ name: string; forge: (id: string, own: AuditRecord) => void; why: RegExp }> = [
        { name: "another request's approval.vote", forge: (id) => w.forge(id, 1, { voter: dana, audit: { seq: otherVote.seq, hash: otherVote.hash } }), why: /records a vote on another request/ },
        { name: 'this request\'s action.held, with its hash', forge: (id, own) => w.forge(id, 1, { voter: dana, audit: { seq: own.seq, hash: own.hash } }), why: /is action\.held, not approval\.vote/ },
        { name: 'a wrong hash', forge: (id) => w.forge(id, 1, { voter: dana, audit: { seq: otherVote.seq, hash: 'f'.repeat(64) } }), why: /has another hash/ },
        { name: 'an event past the head', forge: (id) => w.forge(id, 1, { voter: dana, audit: { seq: 1_000_000, hash: otherVote.hash } }), why: /audit event 1000000 does not exist/ },
      ];
      let n = 0;
      for (const c of cases) {
        const sql = `DELETE FROM users WHERE id = ${100 + n++}`;
        const id = requestOf(await w.run(del(sql)));
        const held = (await w.audit()).find((r) => r.type === 'action.held' && r.body.requestId === id)!;
        c.forge(id, held);
        // The row names an audit event, so the request reads as approved until the gate reads that event back.
        assert.equal((await w.approvals.get(id)).state.status, 'approved', c.name);
        await assert.rejects(w.run(del(sql)), (e: unknown) => {
          assert.ok(unrecorded(e), `${c.name}: ${String(e)}`);
          assert.match((e as CountersignError).message, c.why, c.name);
          return true;
        });
      }
      assert.equal(w.ran, 0);

      // Quorum of two: Dana's real vote, and a row for Erin naming Dana's approval.vote, make no quorum.
      const id = requestOf(await w.run(del('DELETE FROM staff WHERE id = 1', 'hr-db')));
      await w.approvals.vote(id, dana, 'approve', { channel: 'api' });
      const danas = (await w.store.events(id))[0] as Extract<RequestEvent, { type: 'vote' }>;
      w.forge(id, 2, { voter: { id: erin.id, type: 'human', groups: ['dba'] }, audit: danas.audit });
      await assert.rejects(w.run(del('DELETE FROM staff WHERE id = 1', 'hr-db')), (e: unknown) => {
        assert.ok(unrecorded(e), String(e));
        assert.match((e as CountersignError).message, /erin@example\.com's vote \(event 2\): audit event \d+ records another voter's vote/);
        return true;
      });
      assert.equal(w.ran, 0);
      assert.equal((await w.audit()).filter((r) => r.type === 'action.failed' && (r.body.data as { code?: string }).code === 'APPROVAL_UNRECORDED').length, cases.length + 1);
    } finally {
      await w.dispose();
    }
  });

  it('a waiting call: a row naming no event leaves it waiting; one naming a wrong event wakes it, and it is refused', async () => {
    const w = await world();
    try {
      let requestId = '';
      const call = w.run(del('DELETE FROM users WHERE id = 3'), { onPending: (p) => (requestId = p.requestId) });
      let settled = false;
      call.then(() => (settled = true), () => (settled = true));
      while (!requestId) await sleep(10);
      w.forge(requestId, 1, { voter: mallory });
      await sleep(150); // several polls
      assert.equal(settled, false, 'still waiting: the row does not count');
      const held = (await w.audit()).find((r) => r.type === 'action.held' && r.body.requestId === requestId)!;
      w.forge(requestId, 2, { voter: { id: 'trent@example.com', type: 'human', groups: ['dba'] }, audit: { seq: held.seq, hash: held.hash } });
      await assert.rejects(call, unrecorded);
      assert.equal(w.ran, 0);
      const failed = (await w.audit()).filter((r) => r.type === 'action.failed' && r.body.requestId === requestId);
      assert.deepEqual(failed.map((r) => (r.body.data as { code: string }).code), ['APPROVAL_UNRECORDED']);
    } finally {
      await w.dispose();
    }
  });

  it('terms edited in the store (quorum, approvers, grant) make no approval count: the log recorded the terms when the action was held', async () => {
    const w = await world();
    const edit = (id: string, change: (doc: { review: Record<string, unknown> }) => void) => {
      const row = w.raw.prepare('SELECT doc FROM requests WHERE id = ?').get(id) as { doc: string };
      const doc = JSON.parse(row.doc) as { review: Record<string, unknown> };
      change(doc);
      w.raw.prepare('UPDATE requests SET doc = ? WHERE id = ?').run(JSON.stringify(doc), id);
    };
    try {
      // Two approvals needed; the quorum lowered to one in the store, and one real vote.
      const two = requestOf(await w.run(del('DELETE FROM staff WHERE id = 1', 'hr-db')));
      edit(two, (d) => (d.review.approvals = 1));
      await w.approvals.vote(two, dana, 'approve', { channel: 'api' });
      await assert.rejects(w.run(del('DELETE FROM staff WHERE id = 1', 'hr-db')), (e: unknown) => unrecorded(e) && /differ from those the audit log recorded/.test((e as Error).message));
      // A once-grant turned into a window after a real approval covers nothing else, not even its own action.
      const once = requestOf(await w.run(del('DELETE FROM users WHERE id = 7')));
      await w.approvals.vote(once, dana, 'approve', { channel: 'api' });
      edit(once, (d) => (d.review.grant = { type: 'window', seconds: 86_400 }));
      await assert.rejects(w.run(del('DELETE FROM users WHERE id = 7')), unrecorded);
      // Approver groups cleared: anyone's vote would count; it does not.
      const groups = requestOf(await w.run(del('DELETE FROM users WHERE id = 8')));
      edit(groups, (d) => (d.review.approverGroups = []));
      await w.approvals.vote(groups, { id: 'eve@example.com', type: 'human', groups: [], authMethod: 'oidc' }, 'approve', { channel: 'api' });
      await assert.rejects(w.run(del('DELETE FROM users WHERE id = 8')), unrecorded);
      assert.equal(w.ran, 0);
      // Terms as recorded: runs.
      edit(once, (d) => (d.review.grant = { type: 'once' }));
      assert.equal((await w.run(del('DELETE FROM users WHERE id = 7'))).status, 'executed');
      assert.equal(w.ran, 1);
    } finally {
      await w.dispose();
    }
  });

  it('a forged window grant covers no other action: the next export is held for approval as its own request, not run', async () => {
    const w = await world();
    try {
      const id = requestOf(await w.run(exp('customers to s3')));
      w.forge(id, 1, { voter: mallory });
      const other = await w.run(exp('orders to s3'));
      assert.equal(other.status, 'pending', 'passed over, not refused: a window the log does not back stops none of the principal\'s other actions');
      assert.notEqual(other.status === 'pending' && other.pending.requestId, id);
      await assert.rejects(w.run(exp('customers to s3')), (e: unknown) => unrecorded(e) && ((e as CountersignError).details as { requestId: string }).requestId === id);
      assert.equal(w.ran, 0);
      // A real approval of the window lets the other export run.
      await w.approvals.vote(id, dana, 'approve', { channel: 'api' });
      assert.equal((await w.run(exp('orders to s3'))).status, 'executed');
    } finally {
      await w.dispose();
    }
  });
});
