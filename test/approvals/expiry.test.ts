import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { action, input, sqliteWorld } from './support.js';

async function until(cond: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}

/** Requests of a gateway that died: the gateways left expire them, and they stop counting toward the cap. */
describe('expiry across gateways sharing a store', () => {
  it("a surviving gateway's sweep expires the dead gateway's overdue requests, once, with approval.expired", async () => {
    const w = await sqliteWorld({ maxPendingPerPrincipal: 3 });
    try {
      // B and C were running already: they time only what was pending when they started, not A's new requests.
      const b = w.service({ sweepMs: 20 });
      const c = w.service({ sweepMs: 20 });
      await b.svc.start();
      await c.svc.start();
      const a = w.service();
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await a.svc.create(input(action(`DELETE ${i}`), 8))).id);
      a.svc.stop(); // gateway A dies: its timers are gone
      await sleep(100);
      assert.equal((await b.store.listRequests({ status: ['pending'] })).length, 3, 'nothing is overdue yet');
      w.clock.advance(8_000 + 1_000);
      await until(async () => (await b.store.listRequests({ status: ['pending'] })).length === 0);
      await sleep(100);
      for (const id of ids) assert.equal((await b.store.getRequest(id))?.status, 'expired');
      const types = await w.auditTypes(b.store);
      // Exactly one expiry per request takes effect; a race between B and C leaves a voided duplicate at most.
      const expired = types.filter((t) => t === 'approval.expired').length;
      const voided = types.filter((t) => t === 'approval.void').length;
      assert.equal(expired - voided, 3);
      for (const id of ids) assert.equal((await b.store.events(id)).filter((e) => e.type === 'expire').length, 1);
    } finally {
      await w.dispose();
    }
  });

  it('the per-principal cap counts only requests still waiting: overdue ones do not lock the agent out', async () => {
    const w = await sqliteWorld({ maxPendingPerPrincipal: 3, sweepMs: 3_600_000 });
    try {
      const a = w.service();
      for (let i = 0; i < 3; i++) await a.svc.create(input(action(`DELETE ${i}`), 8));
      await assert.rejects(a.svc.create(input(action('DELETE 3'), 8)), /TOO_MANY_PENDING|already has 3/);
      a.svc.stop();
      const b = w.service();
      w.clock.advance(8_000);
      // Nobody recorded the expiries yet (no sweep, no timer): the cap still lets the agent ask again.
      assert.equal((await b.store.listRequests({ status: ['pending'] })).length, 3);
      const fresh = await b.svc.create(input(action('DELETE 4'), 8));
      assert.equal(fresh.status, 'pending');
    } finally {
      await w.dispose();
    }
  });

  it('reading an overdue request (get, list) records its expiry; a status=pending list leaves it out', async () => {
    const w = await sqliteWorld({ sweepMs: 3_600_000 });
    try {
      const a = w.service();
      const req = await a.svc.create(input(action('DELETE 1'), 8));
      a.svc.stop();
      const b = w.service();
      w.clock.advance(9_000);
      assert.deepEqual(await b.svc.list({ status: ['pending'] }), []);
      assert.equal((await b.svc.get(req.id)).state.status, 'expired');
      await until(async () => (await b.store.getRequest(req.id))?.status === 'expired');
      await sleep(50);
      assert.equal((await w.auditTypes(b.store)).filter((t) => t === 'approval.expired').length, 1);
    } finally {
      await w.dispose();
    }
  });
});
