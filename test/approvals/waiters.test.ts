import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { action, dana, input, sqliteWorld } from './support.js';

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
});
