import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { action, dana, input, sqliteWorld } from './support.js';

const giveUp = { by: 'agent:etl', reason: 'the waiting client disconnected' };

describe('waiting on a request', () => {
  it('many waiters on one request share one store poll, and all see a vote another gateway took', async () => {
    const w = await sqliteWorld({ pollMs: 50 });
    const alive = setInterval(() => undefined, 1000); // the polls do not hold the process open (a server does)
    try {
      const a = w.service();
      const b = w.service();
      const req = await a.svc.create(input(action('DELETE FROM sessions')));
      const waits = Array.from({ length: 100 }, () => a.svc.wait(req.id));
      await sleep(20); // every waiter is in
      let reads = 0;
      const get = a.store.getRequest.bind(a.store);
      a.store.getRequest = (id) => (reads++, get(id));
      await sleep(500);
      // About ten polls in half a second at 50 ms, however many wait (it was one poll per waiter: about 1,000).
      assert.ok(reads >= 5 && reads <= 20, `${reads} reads`);
      await b.svc.vote(req.id, dana, 'approve', { channel: 'api' });
      const views = await Promise.all(waits);
      assert.ok(views.every((v) => v.state.status === 'approved'));
      reads = 0;
      await sleep(200);
      assert.equal(reads, 0, 'nobody waits any more: no poll is left behind');
    } finally {
      clearInterval(alive);
      await w.dispose();
    }
  });

  it('a waiter joining on another gateway as the last one leaves keeps the request: the cancellation is voided', async () => {
    const w = await sqliteWorld();
    try {
      const a = w.service();
      const b = w.service();
      const req = await a.svc.create(input(action('DELETE FROM carts')));
      const leaving = await a.svc.join(req.id);
      // The leaver counts none left; before it records the cancellation, a call on gateway B joins.
      let late: Awaited<ReturnType<typeof b.svc.join>>;
      const leaveWaiter = a.store.leaveWaiter.bind(a.store);
      a.store.leaveWaiter = async (...args) => {
        const left = await leaveWaiter(...args);
        late = await b.svc.join(req.id);
        return left;
      };
      assert.equal(await a.svc.leave(leaving!, giveUp), false);
      assert.ok(late!, 'the late call joined');
      assert.equal((await b.svc.get(req.id)).state.status, 'pending', 'the request stays for the late call');
      const types = await w.auditTypes(a.store);
      assert.deepEqual(types.slice(-2), ['approval.cancelled', 'approval.void']);
      const voided = (await a.store.readAudit(0, 100)).at(-1)!;
      assert.equal((voided.body.data as { reason: string }).reason, 'a call still waits on the request');
      // When the late call gives up too, nobody is left: cancelled.
      assert.equal(await b.svc.leave(late!, giveUp), true);
      assert.equal((await a.svc.get(req.id)).state.status, 'cancelled');
    } finally {
      await w.dispose();
    }
  });

  it('leaving without giving up never cancels; a decided request takes no more waiters', async () => {
    const w = await sqliteWorld();
    try {
      const a = w.service();
      const req = await a.svc.create(input(action('DELETE FROM tmp')));
      const only = await a.svc.join(req.id);
      assert.equal(await a.svc.leave(only!), false);
      assert.equal((await a.svc.get(req.id)).state.status, 'pending');
      // A request approved meanwhile takes no more waiters.
      await a.svc.vote(req.id, dana, 'approve', { channel: 'api' });
      assert.equal(await a.svc.join(req.id), undefined);
    } finally {
      await w.dispose();
    }
  });
});
