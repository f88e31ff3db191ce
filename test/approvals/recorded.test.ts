import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomIds } from '../../src/core/clock.js';
import { CountersignError } from '../../src/core/errors.js';
import { ApprovalService } from '../../src/approvals/service.js';
import type { Store } from '../../src/store/types.js';
import { action, dana, erin, input, sqliteWorld } from './support.js';

/** The gate reads the audit log only when a held action is about to run: one read per approving vote it counts. */
describe('checking approvals against the audit log costs one read per counted vote', () => {
  it('two approvals: two reads when the grant is used, none while the request waits, none for a vote checked before', async () => {
    const w = await sqliteWorld();
    try {
      const { store, audit } = w.service();
      const reads: number[] = [];
      const counting = Object.create(store) as Store;
      counting.readAudit = (after, limit) => (reads.push(after + 1), store.readAudit(after, limit));
      const svc = new ApprovalService({ store: counting, audit, clock: w.clock, ids: randomIds });

      const a = action('DELETE FROM t WHERE id = 1');
      const req = await svc.create(input(a, 60, 2));
      await svc.vote(req.id, dana, 'approve', { channel: 'api' });
      assert.equal(await svc.findGrant(a, 'r'), undefined);
      await assert.rejects(svc.consume(req.id, a), (e: unknown) => e instanceof CountersignError && e.code === 'REQUEST_FINISHED');
      assert.deepEqual(reads, [], 'a pending request lets nothing run: nothing to check');

      await svc.vote(req.id, erin, 'approve', { channel: 'web' });
      const log = await store.readAudit(0, 100);
      const votes = log.filter((r) => r.type === 'approval.vote').map((r) => r.seq);
      const held = log.filter((r) => r.type === 'action.held' && r.body.requestId === req.id).map((r) => r.seq);
      assert.equal((await svc.findGrant(a, 'r'))?.id, req.id);
      assert.deepEqual(reads.sort((x, y) => x - y), [...votes, ...held].sort((x, y) => x - y), 'each counted vote read once, by its seq, and the record of the request\'s terms');
      await svc.consume(req.id, a);
      assert.equal(reads.length, 3, 'checked votes and terms are not read again when the grant is used');
      // Once used, a once-grant is refused by the state alone, on any gateway.
      const fresh = new ApprovalService({ store: counting, audit, clock: w.clock, ids: randomIds });
      await assert.rejects(fresh.consume(req.id, a), (e: unknown) => e instanceof CountersignError && e.code === 'GRANT_USED');
      assert.equal(reads.length, 3, 'a used grant is refused before any read');
    } finally {
      await w.dispose();
    }
  });
});
