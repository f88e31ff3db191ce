import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { FakeClock, randomIds } from '../../src/core/clock.js';
import { CountersignError } from '../../src/core/errors.js';
import { createAuditLog } from '../../src/audit/log.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { testDatabaseUrl } from '../support/postgres.js';
import { action, dana, input } from './support.js';

let db: { url: string; stop(): Promise<void> };
before(async () => {
  db = await testDatabaseUrl();
});
after(async () => {
  await db?.stop();
});

/** Two gateways (a store, an audit log and an approval service each) on one fresh PostgreSQL schema. */
async function twoGateways(maxPendingPerPrincipal?: number) {
  const schema = `g_${randomBytes(5).toString('hex')}`;
  const clock = new FakeClock();
  const gws: Array<{ store: PostgresStore; svc: ApprovalService }> = [];
  for (let i = 0; i < 2; i++) {
    const store = new PostgresStore({ url: db.url, schema, max: 8 });
    await store.migrate();
    const audit = createAuditLog({ store, clock });
    gws.push({ store, svc: new ApprovalService({ store, audit, clock, ids: randomIds, maxPendingPerPrincipal }) });
  }
  return {
    gws,
    schema,
    async close() {
      for (const g of gws) await g.store.close();
    },
  };
}

describe('approval requests on gateways sharing PostgreSQL', () => {
  it('max_pending_per_principal holds under 40 parallel submissions spread over two gateways', async () => {
    const w = await twoGateways(3);
    try {
      const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => w.gws[i % 2]!.svc.create(input(action(`DELETE ${i}`)))));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
      for (const r of results) {
        if (r.status === 'rejected') assert.ok(r.reason instanceof CountersignError && r.reason.code === 'TOO_MANY_PENDING', String(r.reason));
      }
      assert.equal((await w.gws[0]!.store.listRequests({ status: ['pending'] })).length, 3);
      const held = (await w.gws[1]!.store.readAudit(0, 1000)).filter((r) => r.type === 'action.held');
      assert.equal(held.length, 3);
    } finally {
      await w.close();
    }
  });

  it('identical submissions on two gateways at once make one request, which every caller joins', async () => {
    const w = await twoGateways(20);
    try {
      const a = action('DELETE FROM users WHERE id = 7');
      const reqs = await Promise.all(Array.from({ length: 10 }, (_, i) => w.gws[i % 2]!.svc.create(input(a))));
      assert.equal(new Set(reqs.map((r) => r.id)).size, 1);
      assert.equal((await w.gws[0]!.store.findByDigest(a.digest, ['pending'])).length, 1);
      assert.equal((await w.gws[1]!.store.readAudit(0, 1000)).filter((r) => r.type === 'action.held').length, 1);
    } finally {
      await w.close();
    }
  });

  it('a request is cancelled for want of waiters only once the last waiter on either gateway has left', async () => {
    const w = await twoGateways();
    try {
      const [g1, g2] = w.gws as [typeof w.gws[0], typeof w.gws[0]];
      const a = action('DELETE FROM users WHERE id = 8');
      const req = await g1.svc.create(input(a));
      const giveUp = { by: a.principal.id, reason: 'the waiting client disconnected' };
      // Ten waiters on each gateway, all giving up at once: exactly one of them finds none left and cancels.
      const waiters = await Promise.all(Array.from({ length: 20 }, (_, i) => w.gws[i % 2]!.svc.join(req.id)));
      assert.ok(waiters.every((x) => x !== undefined));
      const cancelled = await Promise.all(waiters.map((x, i) => w.gws[(i + 1) % 2]!.svc.leave(x!, giveUp)));
      assert.equal(cancelled.filter(Boolean).length, 1);
      assert.equal((await g2.svc.get(req.id)).state.status, 'cancelled');
      const audit = (await g1.store.readAudit(0, 1000)).filter((r) => r.body.requestId === req.id).map((r) => r.type);
      assert.deepEqual(audit.filter((t) => t !== 'action.held'), ['approval.cancelled']);
      assert.equal(await g1.svc.join(req.id), undefined, 'a cancelled request takes no waiter');

      // One waiter left on the other gateway keeps it.
      const b = action('DELETE FROM users WHERE id = 9');
      const kept = await g2.svc.create(input(b));
      const [w1, w2] = [await g1.svc.join(kept.id), await g2.svc.join(kept.id)];
      assert.equal(await g1.svc.leave(w1!, giveUp), false);
      assert.equal((await g1.svc.get(kept.id)).state.status, 'pending');
      assert.equal(await g2.svc.leave(w2!, giveUp), true);
      assert.equal((await g1.svc.get(kept.id)).state.status, 'cancelled');
    } finally {
      await w.close();
    }
  });

  it('an approval written into the database past the gateways is no grant on either; one given through a gateway is', async () => {
    const w = await twoGateways();
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      const [g1, g2] = w.gws as [typeof w.gws[0], typeof w.gws[0]];
      const unrecorded = (e: unknown) => e instanceof CountersignError && e.code === 'APPROVAL_UNRECORDED';
      const a = action('DELETE FROM users WHERE id = 10');
      const req = await g1.svc.create(input(a));
      // The row names a real event of the log (the request's action.held, hash and all), but not its approval.vote.
      const held = (await g1.store.readAudit(0, 1000)).find((r) => r.type === 'action.held' && r.body.requestId === req.id)!;
      const doc = { seq: 1, at: req.createdAt + 1, type: 'vote', voter: { id: 'mallory@example.com', type: 'human', groups: ['dba'] }, vote: 'approve', channel: 'api', audit: { seq: held.seq, hash: held.hash } };
      await sql.query(`INSERT INTO ${w.schema}.request_events (request_id, seq, doc) VALUES ($1, 1, $2)`, [req.id, JSON.stringify(doc)]);
      await sql.query(`UPDATE ${w.schema}.requests SET status = 'approved' WHERE id = $1`, [req.id]);
      await assert.rejects(g2.svc.findGrant(a, 'r'), unrecorded);
      await assert.rejects(g2.svc.consume(req.id, a), (e: unknown) => unrecorded(e) && /is action\.held, not approval\.vote/.test((e as Error).message));
      assert.ok(!(await g1.store.events(req.id)).some((e) => e.type === 'execute'));

      // Voted on one gateway, used on the other: the vote's approval.vote is read back from the shared log.
      const b = action('DELETE FROM users WHERE id = 11');
      const ok = await g1.svc.create(input(b));
      await g1.svc.vote(ok.id, dana, 'approve', { channel: 'api' });
      assert.equal((await g2.svc.findGrant(b, 'r'))?.id, ok.id);
      assert.equal((await g2.svc.consume(ok.id, b)).state.status, 'executed');
    } finally {
      await sql.end();
      await w.close();
    }
  });
});
