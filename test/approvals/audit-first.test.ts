import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { CountersignError } from '../../src/core/errors.js';
import { ApprovalService } from '../../src/approvals/service.js';
import type { Store } from '../../src/store/types.js';
import { action, agent, dana, erin, input, sqliteWorld } from './support.js';

const code = (c: string) => (e: unknown) => e instanceof CountersignError && e.code === c;

/** A vote or resolution takes effect only once its audit events are durable; what did not take effect is voided. */
describe('approval events: audit first, then the store', () => {
  it('a vote whose audit append fails does not count: the request stays pending and nothing can run on it', async () => {
    const w = await sqliteWorld();
    try {
      const { svc, store } = w.service();
      const a = action('DELETE FROM t WHERE id = 1');
      const req = await svc.create(input(a));
      w.failAudit(true);
      await assert.rejects(svc.vote(req.id, dana, 'approve', { channel: 'api' }), code('AUDIT_UNAVAILABLE'));
      w.failAudit(false);
      const view = await svc.get(req.id);
      assert.equal(view.state.status, 'pending');
      assert.deepEqual(view.events, []);
      assert.equal((await store.getRequest(req.id))?.status, 'pending');
      await assert.rejects(svc.consume(req.id, a), code('REQUEST_FINISHED'));
      assert.ok(!(await w.auditTypes(store)).some((t) => t.startsWith('approval.')));
      // The approver votes again once the log is back: now it counts, and the log says so before it does.
      await svc.vote(req.id, dana, 'approve', { channel: 'api' });
      assert.deepEqual((await w.auditTypes(store)).slice(-2), ['approval.vote', 'approval.approved']);
      await svc.consume(req.id, a);
    } finally {
      await w.dispose();
    }
  });

  it('cancel and expiry whose audit append fails change nothing either', async () => {
    const w = await sqliteWorld();
    try {
      const { svc, store } = w.service();
      const req = await svc.create(input(action('DELETE FROM t WHERE id = 2'), 60));
      w.failAudit(true);
      await assert.rejects(svc.cancel(req.id, agent.id), code('AUDIT_UNAVAILABLE'));
      w.clock.advance(61_000);
      await svc.expire(req.id);
      svc.stop(); // no retry timer in the background
      assert.equal((await store.getRequest(req.id))?.status, 'pending');
      assert.deepEqual(await store.events(req.id), []);
    } finally {
      await w.dispose();
    }
  });

  it('a store write that fails after the audit events were written: the log voids them, the vote does not count', async () => {
    const w = await sqliteWorld();
    try {
      const { svc, store } = w.service();
      const a = action('DELETE FROM t WHERE id = 3');
      const req = await svc.create(input(a));
      const db = new Database(w.file);
      db.exec(`CREATE TRIGGER no_events BEFORE INSERT ON request_events BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
      await assert.rejects(svc.vote(req.id, dana, 'approve', { channel: 'api' }), code('STORE_UNAVAILABLE'));
      db.exec('DROP TRIGGER no_events');
      db.close();
      assert.equal((await svc.get(req.id)).state.status, 'pending');
      await assert.rejects(svc.consume(req.id, a), code('REQUEST_FINISHED'));
      const recs = await store.readAudit(0, 100);
      assert.deepEqual(recs.slice(-3).map((r) => r.type), ['approval.vote', 'approval.approved', 'approval.void']);
      const voided = recs.at(-1)!;
      assert.deepEqual((voided.body.data as { voided: number[] }).voided, [recs.at(-3)!.seq, recs.at(-2)!.seq]);
      assert.equal(voided.body.requestId, req.id);
    } finally {
      await w.dispose();
    }
  });

  it('two approvers voting at once on one gateway both count, with nothing voided', async () => {
    const w = await sqliteWorld();
    try {
      const { svc, store } = w.service();
      const req = await svc.create(input(action('DELETE FROM t WHERE id = 5'), 60, 2));
      await Promise.all([svc.vote(req.id, dana, 'approve', { channel: 'api' }), svc.vote(req.id, erin, 'approve', { channel: 'web' })]);
      assert.equal((await svc.get(req.id)).state.status, 'approved');
      assert.deepEqual((await w.auditTypes(store)).filter((t) => t.startsWith('approval.')), ['approval.vote', 'approval.vote', 'approval.approved']);
    } finally {
      await w.dispose();
    }
  });

  it('a vote that loses the race to another gateway is voided in the log, then re-checked', async () => {
    const w = await sqliteWorld();
    try {
      const b = w.service();
      const req = await b.svc.create(input(action('DELETE FROM t WHERE id = 4')));
      // Gateway A: between its audit append and its store write, gateway B's requester cancels.
      const a = w.service();
      const racing = Object.create(a.store) as Store;
      let first = true;
      racing.appendEvent = async (id, ev, status) => {
        if (first) {
          first = false;
          await b.svc.cancel(id, agent.id);
        }
        return a.store.appendEvent(id, ev, status);
      };
      const svcA = new ApprovalService({ store: racing, audit: a.audit, clock: w.clock, ids: () => 'x' });
      await assert.rejects(svcA.vote(req.id, dana, 'approve', { channel: 'api' }), code('REQUEST_FINISHED'));
      assert.equal((await b.svc.get(req.id)).state.status, 'cancelled');
      assert.deepEqual((await w.auditTypes(b.store)).slice(-4), ['approval.vote', 'approval.approved', 'approval.cancelled', 'approval.void']);
    } finally {
      await w.dispose();
    }
  });
});
