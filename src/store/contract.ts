import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CountersignError } from '../core/errors.js';
import { AUDIT_GENESIS_HASH, auditHash, chainRecords } from '../audit/chain.js';
import { StillWaitedError, StoreConflictError, type AuditRecord, type RequestEvent, type Store, type StoredRequest } from './types.js';

/**
 * Fresh backing storage for one test. `open()` may be called more than once: each call is a new Store instance
 * on the same storage (a restart, or a second gateway sharing it). `dispose()` closes nothing the test opened;
 * it removes the storage.
 */
export interface StoreFixture {
  open(): Promise<Store>;
  dispose(): Promise<void>;
}
export type StoreHarness = () => Promise<StoreFixture>;

const T0 = Date.UTC(2026, 0, 1);

/** A stored request for tests. */
export function sampleRequest(id: string, over: Partial<StoredRequest> = {}): StoredRequest {
  return {
    id,
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    digest: 'd'.repeat(64),
    principal: { id: 'agent:etl', type: 'agent', groups: ['bots'], authMethod: 'api_key', onBehalfOf: 'alice@example.com' },
    resource: 'prod-db',
    connector: 'postgres',
    kind: 'write',
    tags: ['pii'],
    summary: 'UPDATE users SET email = <EMAIL_1>',
    preview: { sql: 'UPDATE users SET email = $1', rows: 3 },
    context: { ticket: 'OPS-1' },
    rule: 'writes-need-review',
    reason: 'production write',
    review: { approverGroups: ['dba'], approvals: 1, timeoutSeconds: 3600, grant: { type: 'once' } } as StoredRequest['review'],
    status: 'pending',
    ...over,
  };
}

function vote(seq: number, voter: string): RequestEvent {
  return { seq, at: T0 + seq, type: 'vote', voter: { id: voter, type: 'human', groups: ['dba'] }, vote: 'approve', channel: 'cli' };
}

function events(n: number, tag = 'e'): Array<Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>> {
  return Array.from({ length: n }, (_, i) => ({ at: T0 + i, code: 'CS1001I', type: 'action.requested', body: { summary: `${tag}${i}`, n: i, nested: { ok: true } } }));
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof CountersignError && e.code === code);
}

/** Walks the whole audit log and checks seqs are 1..n and every hash links: one unforked chain. */
export async function assertSingleChain(store: Store, expected: number): Promise<void> {
  const all = await store.readAudit(0, expected + 10);
  assert.equal(all.length, expected);
  let prev = AUDIT_GENESIS_HASH;
  all.forEach((r, i) => {
    assert.equal(r.seq, i + 1);
    assert.equal(r.prevHash, prev);
    assert.equal(r.hash, auditHash(prev, r));
    prev = r.hash;
  });
  assert.deepEqual(await store.auditHead(), { seq: expected, hash: prev });
}

/**
 * Registers the Store contract (node:test) against one implementation. Every case gets fresh storage.
 *
 * @example
 *   storeContract('sqlite', async () => { const dir = mkdtempSync(...); return { open: ..., dispose: ... }; });
 */
export function storeContract(name: string, harness: StoreHarness): void {
  /** Runs `fn` with a fresh fixture and one opened store; closes and disposes after. */
  async function withStore(fn: (s: Store, fx: StoreFixture) => Promise<void>): Promise<void> {
    const fx = await harness();
    const s = await fx.open();
    try {
      await fn(s, fx);
    } finally {
      await s.close().catch(() => undefined);
      await fx.dispose();
    }
  }

  describe(`Store contract: ${name}`, () => {
    test('migrate is idempotent and keeps data', () =>
      withStore(async (s) => {
        await s.createRequest(sampleRequest('r1'));
        await s.migrate();
        await s.migrate();
        assert.equal((await s.getRequest('r1'))?.id, 'r1');
      }));

    test('requests round-trip exactly; unknown id is undefined; duplicate id conflicts', () =>
      withStore(async (s) => {
        const req = sampleRequest('r1', { channelData: { slack: { ts: '1.2' } } });
        await s.createRequest(req);
        assert.deepEqual(await s.getRequest('r1'), req);
        assert.equal(await s.getRequest('nope'), undefined);
        await assert.rejects(s.createRequest(sampleRequest('r1')), StoreConflictError);
      }));

    test('listRequests filters by status and principal, newest first, with a limit; findByDigest', () =>
      withStore(async (s) => {
        await s.createRequest(sampleRequest('a', { createdAt: T0 + 1 }));
        await s.createRequest(sampleRequest('b', { createdAt: T0 + 2, status: 'approved', digest: 'e'.repeat(64) }));
        await s.createRequest(sampleRequest('c', { createdAt: T0 + 3, principal: { id: 'bob', type: 'human', groups: [], authMethod: 'oidc' } }));
        assert.deepEqual((await s.listRequests()).map((r) => r.id), ['c', 'b', 'a']);
        assert.deepEqual((await s.listRequests({ status: ['pending'] })).map((r) => r.id), ['c', 'a']);
        assert.deepEqual((await s.listRequests({ status: [] })).map((r) => r.id), []);
        assert.deepEqual((await s.listRequests({ principalId: 'agent:etl' })).map((r) => r.id), ['b', 'a']);
        assert.deepEqual((await s.listRequests({ limit: 1 })).map((r) => r.id), ['c']);
        assert.deepEqual((await s.findByDigest('d'.repeat(64), ['pending'])).map((r) => r.id), ['c', 'a']);
        assert.deepEqual((await s.findByDigest('e'.repeat(64), ['pending'])).map((r) => r.id), []);
        assert.deepEqual((await s.findByDigest('e'.repeat(64), ['approved', 'executed'])).map((r) => r.id), ['b']);
      }));

    test('listRequests filters by expiry: still waiting after an instant, or overdue by it', () =>
      withStore(async (s) => {
        await s.createRequest(sampleRequest('early', { createdAt: T0 + 1, expiresAt: T0 + 100 }));
        await s.createRequest(sampleRequest('late', { createdAt: T0 + 2, expiresAt: T0 + 200 }));
        assert.deepEqual((await s.listRequests({ expiresAfter: T0 + 100 })).map((r) => r.id), ['late']);
        assert.deepEqual((await s.listRequests({ expiresAfter: T0 + 99 })).map((r) => r.id), ['late', 'early']);
        assert.deepEqual((await s.listRequests({ status: ['pending'], expiredBy: T0 + 100 })).map((r) => r.id), ['early']);
        assert.deepEqual((await s.listRequests({ expiredBy: T0 + 99 })).map((r) => r.id), []);
      }));

    test('openRequest joins a waiting request for the same digest and rule, else creates, else refuses at the cap', () =>
      withStore(async (s) => {
        const now = T0 + 10;
        const first = await s.openRequest(sampleRequest('a'), { now });
        assert.deepEqual(first, { outcome: 'created', request: sampleRequest('a') });
        assert.deepEqual(await s.getRequest('a'), sampleRequest('a'));
        // The identical action joins; another rule, a passed-over request or one past its deadline does not.
        assert.deepEqual(await s.openRequest(sampleRequest('b'), { now }), { outcome: 'joined', request: sampleRequest('a') });
        assert.equal((await s.openRequest(sampleRequest('c', { rule: 'other' }), { now })).outcome, 'created');
        assert.equal((await s.openRequest(sampleRequest('d'), { now, passOver: ['a'] })).outcome, 'created');
        assert.equal((await s.openRequest(sampleRequest('e'), { now: T0 + 3_600_000 })).outcome, 'created');
        assert.equal(await s.getRequest('b'), undefined);
        // The cap counts the principal's pending requests still waiting at `now`: a, c, d and e.
        assert.deepEqual(await s.openRequest(sampleRequest('f', { digest: 'f'.repeat(64) }), { now, maxWaiting: 4 }), { outcome: 'full', waiting: 4 });
        await s.appendEvent('e', vote(1, 'dana'), 'approved');
        assert.equal((await s.openRequest(sampleRequest('g', { digest: 'f'.repeat(64) }), { now, maxWaiting: 4 })).outcome, 'created');
        // At their deadline none of them is waiting any more, recorded as expired or not.
        const later = T0 + 3_600_000;
        const h = sampleRequest('h', { digest: '1'.repeat(64), expiresAt: later + 1000 });
        assert.equal((await s.openRequest(h, { now: later, maxWaiting: 1 })).outcome, 'created');
        assert.deepEqual(await s.openRequest(sampleRequest('i', { digest: '2'.repeat(64) }), { now: later, maxWaiting: 1 }), { outcome: 'full', waiting: 1 });
      }));

    test('openRequest on two store instances at once: the cap holds and identical actions make one request', () =>
      withStore(async (s, fx) => {
        const s2 = await fx.open();
        try {
          const now = T0 + 10;
          const distinct = await Promise.all(
            Array.from({ length: 40 }, (_, i) => (i % 2 ? s2 : s).openRequest(sampleRequest(`cap${i}`, { digest: i.toString(16).padStart(64, '0') }), { now, maxWaiting: 3 })),
          );
          assert.equal(distinct.filter((r) => r.outcome === 'created').length, 3);
          assert.equal(distinct.filter((r) => r.outcome === 'full').length, 37);
          assert.equal((await s.listRequests({ principalId: 'agent:etl' })).length, 3);

          const other = { id: 'agent:other', type: 'agent' as const, groups: [], authMethod: 'api_key' as const };
          const same = await Promise.all(
            Array.from({ length: 20 }, (_, i) => (i % 2 ? s2 : s).openRequest(sampleRequest(`dup${i}`, { principal: other, digest: 'a'.repeat(64) }), { now, maxWaiting: 3 })),
          );
          assert.equal(same.filter((r) => r.outcome === 'created').length, 1);
          const ids = new Set(same.map((r) => (r.outcome === 'full' ? 'full' : r.request.id)));
          assert.equal(ids.size, 1, `every caller got the one request: ${[...ids].join(', ')}`);
          assert.equal((await s2.listRequests({ principalId: 'agent:other' })).length, 1);
        } finally {
          await s2.close();
        }
      }));

    test('appendEvent appends in order and sets the status atomically', () =>
      withStore(async (s) => {
        await s.createRequest(sampleRequest('r1'));
        await s.appendEvent('r1', vote(1, 'dana'), 'pending');
        const exec: RequestEvent = { seq: 2, at: T0 + 9, type: 'execute', digest: 'd'.repeat(64) };
        await s.appendEvent('r1', exec, 'executed');
        assert.deepEqual(await s.events('r1'), [vote(1, 'dana'), exec]);
        assert.equal((await s.getRequest('r1'))?.status, 'executed');
        assert.deepEqual(await s.events('other'), []);
      }));

    test('appendEvent rejects a taken or skipped seq with StoreConflictError and changes nothing', () =>
      withStore(async (s) => {
        await s.createRequest(sampleRequest('r1'));
        await s.appendEvent('r1', vote(1, 'dana'), 'pending');
        await assert.rejects(s.appendEvent('r1', vote(1, 'erin'), 'approved'), StoreConflictError);
        await assert.rejects(s.appendEvent('r1', vote(3, 'erin'), 'approved'), StoreConflictError);
        assert.deepEqual(await s.events('r1'), [vote(1, 'dana')]);
        assert.equal((await s.getRequest('r1'))?.status, 'pending');
        await rejectsWith(s.appendEvent('missing', vote(1, 'dana'), 'approved'), 'REQUEST_NOT_FOUND');
      }));

    test('concurrent voters on two store instances: exactly one wins each seq', () =>
      withStore(async (s, fx) => {
        const s2 = await fx.open();
        try {
          await s.createRequest(sampleRequest('r1'));
          const outcomes = await Promise.allSettled([
            s.appendEvent('r1', vote(1, 'dana'), 'approved'),
            s2.appendEvent('r1', vote(1, 'erin'), 'denied'),
            s.appendEvent('r1', vote(1, 'fay'), 'approved'),
            s2.appendEvent('r1', vote(1, 'gus'), 'denied'),
          ]);
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          assert.equal(won.length, 1);
          for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof StoreConflictError, String(o.reason));
          const evs = await s2.events('r1');
          assert.equal(evs.length, 1);
          const winner = evs[0]!.type === 'vote' ? evs[0]!.voter.id : '';
          assert.equal((await s.getRequest('r1'))?.status, winner === 'dana' || winner === 'fay' ? 'approved' : 'denied');
        } finally {
          await s2.close();
        }
      }));

    test('waiters: each counts on a pending request until its lease runs out; leaveWaiter tells how many are left', () =>
      withStore(async (s) => {
        await s.createRequest(sampleRequest('r1'));
        await s.createRequest(sampleRequest('r2', { digest: 'e'.repeat(64) }));
        assert.equal(await s.joinWaiter('r1', 'gw_a.1', T0 + 100), true);
        assert.equal(await s.joinWaiter('r1', 'gw_b.1', T0 + 50), true);
        assert.equal(await s.joinWaiter('r2', 'gw_a.2', T0 + 100), true, 'another request');
        // Leaving an unknown waiter changes nothing and counts those left: a lease counts strictly before its end.
        assert.equal(await s.leaveWaiter('r1', 'gw_x.1', T0 + 10), 2);
        assert.equal(await s.leaveWaiter('r1', 'gw_x.1', T0 + 50), 1, "gw_b.1's lease has run out");
        assert.equal(await s.leaveWaiter('r1', 'gw_a.2', T0 + 10), 2, "a waiter leaves only its own request's count");
        // Renewing moves a lease forward, never back; joining again too; unknown ids are ignored.
        await s.renewWaiters(['gw_b.1', 'gw_unknown.1'], T0 + 200);
        await s.renewWaiters(['gw_b.1'], T0 + 20);
        await s.renewWaiters([], T0 + 300);
        assert.equal(await s.joinWaiter('r1', 'gw_a.1', T0 + 30), true);
        assert.equal(await s.leaveWaiter('r1', 'gw_x.1', T0 + 150), 1, 'gw_b.1 renewed past 150, gw_a.1 kept its 100');
        assert.equal(await s.leaveWaiter('r1', 'gw_b.1', T0 + 10), 1);
        assert.equal(await s.leaveWaiter('r1', 'gw_a.1', T0 + 10), 0);
        assert.equal(await s.leaveWaiter('r2', 'gw_x.1', T0 + 10), 1);
        await rejectsWith(s.joinWaiter('missing', 'gw_a.3', T0 + 100), 'REQUEST_NOT_FOUND');
      }));

    test('waiters: a decided request takes none and forgets those it had; a pending status keeps them', () =>
      withStore(async (s) => {
        await s.createRequest(sampleRequest('r1', { review: { ...sampleRequest('x').review, approvals: 2 } }));
        assert.equal(await s.joinWaiter('r1', 'gw_a.1', T0 + 100), true);
        await s.appendEvent('r1', vote(1, 'dana'), 'pending');
        assert.equal(await s.leaveWaiter('r1', 'gw_x.1', T0), 1, 'a vote that leaves it pending keeps its waiters');
        await s.appendEvent('r1', vote(2, 'erin'), 'approved');
        assert.equal(await s.leaveWaiter('r1', 'gw_x.1', T0), 0, 'approved: its waiters are forgotten');
        assert.equal(await s.joinWaiter('r1', 'gw_a.2', T0 + 100), false);
        assert.equal(await s.leaveWaiter('r1', 'gw_x.1', T0), 0, 'a refused join records nothing');
      }));

    test('appendEvent with unlessWaitedAt appends nothing while a waiter\'s lease runs (StillWaitedError)', () =>
      withStore(async (s) => {
        await s.createRequest(sampleRequest('r1'));
        await s.joinWaiter('r1', 'gw_a.1', T0 + 100);
        const cancel: RequestEvent = { seq: 1, at: T0, type: 'cancel', by: 'agent:etl', reason: 'the waiting client disconnected' };
        await assert.rejects(s.appendEvent('r1', cancel, 'cancelled', { unlessWaitedAt: T0 + 99 }), StillWaitedError);
        assert.deepEqual(await s.events('r1'), []);
        assert.equal((await s.getRequest('r1'))?.status, 'pending');
        await s.appendEvent('r1', cancel, 'cancelled', { unlessWaitedAt: T0 + 100 });
        assert.deepEqual(await s.events('r1'), [cancel]);
        assert.equal((await s.getRequest('r1'))?.status, 'cancelled');
      }));

    test('waiters on two store instances: of many leaving at once one sees none left; a join racing a conditional cancel', () =>
      withStore(async (s, fx) => {
        const s2 = await fx.open();
        try {
          await s.createRequest(sampleRequest('r1'));
          await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? s2 : s).joinWaiter('r1', `gw_${i % 2}.${i}`, T0 + 1000)));
          const left = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? s : s2).leaveWaiter('r1', `gw_${i % 2}.${i}`, T0)));
          // One after another: each leaver saw those before it gone, so the counts are 19, 18, … 0 in some order.
          assert.deepEqual([...left].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));

          // A join and a cancellation for want of waiters, at once: either the join comes first and the request is
          // kept, or the cancellation does and the join is refused; never a waiter on a cancelled request.
          for (let round = 0; round < 10; round++) {
            const id = `race${round}`;
            await s.createRequest(sampleRequest(id, { digest: round.toString(16).padStart(64, '0') }));
            const cancel: RequestEvent = { seq: 1, at: T0, type: 'cancel', by: 'agent:etl' };
            const [cancelled, joined] = await Promise.allSettled([
              (round % 2 ? s : s2).appendEvent(id, cancel, 'cancelled', { unlessWaitedAt: T0 }),
              (round % 2 ? s2 : s).joinWaiter(id, `gw_j.${round}`, T0 + 1000),
            ]);
            assert.equal(joined.status, 'fulfilled', String((joined as PromiseRejectedResult).reason));
            const didJoin = (joined as PromiseFulfilledResult<boolean>).value;
            if (didJoin) {
              assert.ok(cancelled.status === 'rejected' && cancelled.reason instanceof StillWaitedError, `round ${round}: joined, yet ${cancelled.status}`);
              assert.equal((await s.getRequest(id))?.status, 'pending');
              assert.equal(await s.leaveWaiter(id, 'gw_x.1', T0), 1);
            } else {
              assert.equal(cancelled.status, 'fulfilled', `round ${round}: neither joined nor cancelled`);
              assert.equal((await s2.getRequest(id))?.status, 'cancelled');
              assert.equal(await s.leaveWaiter(id, 'gw_x.1', T0), 0);
            }
          }
        } finally {
          await s2.close();
        }
      }));

    test('setChannelData keeps one entry per channel beside the request', () =>
      withStore(async (s) => {
        await s.createRequest(sampleRequest('r1'));
        await s.setChannelData('r1', 'slack', { ts: '1.1', channel: 'C1' });
        await s.setChannelData('r1', 'teams', { id: 'x' });
        await s.setChannelData('r1', 'slack', { ts: '2.2', channel: 'C1' });
        assert.deepEqual((await s.getRequest('r1'))?.channelData, { slack: { ts: '2.2', channel: 'C1' }, teams: { id: 'x' } });
        await rejectsWith(s.setChannelData('missing', 'slack', {}), 'REQUEST_NOT_FOUND');
      }));

    test('audit: empty head is genesis; appends chain; readAudit pages in seq order', () =>
      withStore(async (s) => {
        assert.deepEqual(await s.auditHead(), { seq: 0, hash: AUDIT_GENESIS_HASH });
        const a = await s.appendAudit((h) => chainRecords(h, events(3, 'a')));
        assert.deepEqual(a.map((r) => r.seq), [1, 2, 3]);
        const b = await s.appendAudit((h) => chainRecords(h, events(2, 'b')));
        assert.equal(b[0]!.prevHash, a[2]!.hash);
        assert.deepEqual(await s.readAudit(0, 100), [...a, ...b]);
        assert.deepEqual((await s.readAudit(2, 2)).map((r) => r.seq), [3, 4]);
        assert.deepEqual(await s.readAudit(5, 10), []);
        await assertSingleChain(s, 5);
      }));

    test("audit: flush 'soon' appends chain like 'now' ones, alone or in one batch with them, and are readable at once", () =>
      withStore(async (s) => {
        const a = await s.appendAudit((h) => chainRecords(h, events(2, 'soon')), { flush: 'soon' });
        const [b, c] = await Promise.all([
          s.appendAudit((h) => chainRecords(h, events(1, 'now')), { flush: 'now' }),
          s.appendAudit((h) => chainRecords(h, events(1, 'mixed')), { flush: 'soon' }),
        ]);
        const d = await s.appendAudit((h) => chainRecords(h, events(1, 'default')));
        assert.deepEqual([...a, ...b!, ...c!, ...d].map((r) => r.seq), [1, 2, 3, 4, 5]);
        assert.deepEqual(await s.readAudit(0, 10), [...a, ...b!, ...c!, ...d]);
        await assertSingleChain(s, 5);
      }));

    test('audit: a failing builder or a record that does not chain rejects alone; others in the batch commit', () =>
      withStore(async (s) => {
        const ok1 = s.appendAudit((h) => chainRecords(h, events(1)));
        const bad = s.appendAudit(() => {
          throw new Error('builder broke');
        });
        const forked = s.appendAudit((h) => chainRecords({ seq: h.seq, hash: 'f'.repeat(64) }, events(1)));
        const ok2 = s.appendAudit((h) => chainRecords(h, events(1)));
        await assert.rejects(bad, /builder broke/);
        await rejectsWith(forked, 'STORE_UNAVAILABLE');
        assert.equal((await ok1)[0]!.seq, 1);
        assert.equal((await ok2)[0]!.seq, 2);
        await assertSingleChain(s, 2);
      }));

    test('audit: 300 concurrent appends on two store instances keep one unforked chain', () =>
      withStore(async (s, fx) => {
        const s2 = await fx.open();
        try {
          const all = await Promise.all(
            Array.from({ length: 300 }, (_, i) => (i % 2 ? s2 : s).appendAudit((h) => chainRecords(h, events(1 + (i % 3), `c${i}-`)))),
          );
          const total = all.reduce((n, recs) => n + recs.length, 0);
          assert.equal(total, 600);
          await assertSingleChain(s, total);
          const seqs = all.flat().map((r) => r.seq).sort((x, y) => x - y);
          assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i + 1));
        } finally {
          await s2.close();
        }
      }));

    test('audit checkpoints round-trip in seq order; a second one for the same seq is ignored', () =>
      withStore(async (s) => {
        const cp2 = { seq: 20, hash: 'b'.repeat(64), at: T0 + 2, keyId: 'k1', signature: 'sig2' };
        const cp1 = { seq: 10, hash: 'a'.repeat(64), at: T0 + 1, keyId: 'k1', signature: 'sig1' };
        await s.appendCheckpoint(cp2);
        await s.appendCheckpoint(cp1);
        assert.deepEqual(await s.checkpoints(), [cp1, cp2]);
        await s.appendCheckpoint({ ...cp1, at: T0 + 9, signature: 'other' });
        assert.deepEqual(await s.checkpoints(), [cp1, cp2]);
      }));

    test('API keys: put, get, list, revoke keeps the first revocation time', () =>
      withStore(async (s) => {
        const key = { id: 'k_1', hash: 'h'.repeat(64), principal: sampleRequest('x').principal, createdAt: T0 };
        await s.putKey(key);
        await s.putKey({ ...key, id: 'k_2', createdAt: T0 + 1, lastUsedAt: T0 + 5 });
        assert.deepEqual(await s.getKey('k_1'), key);
        assert.equal(await s.getKey('k_9'), undefined);
        assert.deepEqual((await s.listKeys()).map((k) => k.id), ['k_1', 'k_2']);
        await s.revokeKey('k_1', T0 + 10);
        await s.revokeKey('k_1', T0 + 20);
        assert.equal((await s.getKey('k_1'))?.revokedAt, T0 + 10);
        assert.equal((await s.getKey('k_2'))?.lastUsedAt, T0 + 5);
        await rejectsWith(s.revokeKey('k_9', T0), 'NOT_FOUND');
        // An id is taken once: putting a fresh key under a revoked key's id must not bring the id back.
        await rejectsWith(s.putKey({ ...key, hash: 'e'.repeat(64), createdAt: T0 + 30 }), 'BAD_REQUEST');
        assert.deepEqual(await s.getKey('k_1'), { ...key, revokedAt: T0 + 10 });
      }));

    test('API keys: touchKey moves lastUsedAt forward only and never touches revocation', () =>
      withStore(async (s) => {
        const key = { id: 'k_t', hash: 'h'.repeat(64), principal: sampleRequest('x').principal, createdAt: T0 };
        await s.putKey(key);
        await s.touchKey('k_t', T0 + 50);
        await s.touchKey('k_t', T0 + 40);
        assert.equal((await s.getKey('k_t'))?.lastUsedAt, T0 + 50);
        await s.revokeKey('k_t', T0 + 60);
        await s.touchKey('k_t', T0 + 70);
        assert.deepEqual(await s.getKey('k_t'), { ...key, lastUsedAt: T0 + 70, revokedAt: T0 + 60 });
        await s.touchKey('k_missing', T0); // ignored
        assert.equal(await s.getKey('k_missing'), undefined);
      }));

    test('tokens: put is idempotent and keeps the first ciphertext, scoped', () =>
      withStore(async (s) => {
        await s.putToken('sess1', 'tok_A', 'c1', T0);
        await s.putToken('sess1', 'tok_A', 'c2', T0 + 1);
        assert.equal(await s.getToken('sess1', 'tok_A'), 'c1');
        assert.equal(await s.getToken('sess2', 'tok_A'), undefined);
      }));

    test('outcome claims: the first claim of a key wins; a released key is claimed again; old claims are forgotten', () =>
      withStore(async (s) => {
        assert.equal(await s.claimOutcome('outcome:a', T0), true);
        assert.equal(await s.claimOutcome('outcome:a', T0 + 1), false);
        assert.equal(await s.claimOutcome('outcome:b', T0 + 10), true);
        await s.releaseOutcome('outcome:a');
        await s.releaseOutcome('outcome:never'); // ignored
        assert.equal(await s.claimOutcome('outcome:a', T0 + 20), true, 'a released claim is free again');
        assert.equal(await s.claimOutcome('outcome:a', T0 + 21), false);
        // Strictly before the instant: b (T0 + 10) goes, a (claimed again at T0 + 20) stays.
        assert.equal(await s.forgetOutcomes(T0 + 20), 1);
        assert.equal(await s.claimOutcome('outcome:b', T0 + 30), true, 'a forgotten claim is free again');
        assert.equal(await s.claimOutcome('outcome:a', T0 + 30), false);
        assert.equal(await s.forgetOutcomes(T0), 0);
      }));

    test('outcome claims on two store instances at once: exactly one claim of a key wins, and it survives a restart', () =>
      withStore(async (s, fx) => {
        const s2 = await fx.open();
        try {
          const two = await Promise.all([s.claimOutcome('outcome:race', T0), s2.claimOutcome('outcome:race', T0)]);
          assert.deepEqual(two.filter(Boolean).length, 1, `one of two concurrent claims wins: ${two.join(', ')}`);
          const many = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? s2 : s).claimOutcome(`outcome:k${i % 3}`, T0 + i)));
          assert.equal(many.filter(Boolean).length, 3, 'one winner for each of three keys');
        } finally {
          await s2.close();
        }
        await s.close();
        const again = await fx.open();
        try {
          assert.equal(await again.claimOutcome('outcome:race', T0 + 100), false, 'a claim survives a restart');
          assert.equal(await again.claimOutcome('outcome:k1', T0 + 100), false);
        } finally {
          await again.close();
        }
      }));

    test('restart: requests, events, audit and checkpoints survive close and reopen', () =>
      withStore(async (s, fx) => {
        await s.createRequest(sampleRequest('r1'));
        await s.appendEvent('r1', vote(1, 'dana'), 'approved');
        const recs = await s.appendAudit((h) => chainRecords(h, events(4)));
        await s.appendCheckpoint({ seq: 4, hash: recs[3]!.hash, at: T0, keyId: 'k', signature: 's' });
        await s.close();
        const again = await fx.open();
        try {
          assert.equal((await again.getRequest('r1'))?.status, 'approved');
          assert.deepEqual(await again.events('r1'), [vote(1, 'dana')]);
          assert.deepEqual(await again.readAudit(0, 10), recs);
          assert.equal((await again.checkpoints()).length, 1);
          const more = await again.appendAudit((h) => chainRecords(h, events(1)));
          assert.equal(more[0]!.prevHash, recs[3]!.hash);
        } finally {
          await again.close();
        }
      }));

    test('a closed store fails closed: every call rejects with STORE_UNAVAILABLE', () =>
      withStore(async (s) => {
        await s.close();
        await rejectsWith(s.getRequest('r1'), 'STORE_UNAVAILABLE');
        await rejectsWith(s.createRequest(sampleRequest('r1')), 'STORE_UNAVAILABLE');
        await rejectsWith(s.openRequest(sampleRequest('r1'), { now: T0 }), 'STORE_UNAVAILABLE');
        await rejectsWith(s.appendEvent('r1', vote(1, 'dana'), 'approved'), 'STORE_UNAVAILABLE');
        await rejectsWith(s.appendAudit((h) => chainRecords(h, events(1))), 'STORE_UNAVAILABLE');
        await rejectsWith(s.auditHead(), 'STORE_UNAVAILABLE');
        await rejectsWith(s.readAudit(0, 1), 'STORE_UNAVAILABLE');
        await rejectsWith(s.putToken('a', 'b', 'c', T0), 'STORE_UNAVAILABLE');
        await rejectsWith(s.listKeys(), 'STORE_UNAVAILABLE');
        await rejectsWith(s.claimOutcome('outcome:a', T0), 'STORE_UNAVAILABLE');
        await rejectsWith(s.releaseOutcome('outcome:a'), 'STORE_UNAVAILABLE');
        await rejectsWith(s.forgetOutcomes(T0), 'STORE_UNAVAILABLE');
        await rejectsWith(s.joinWaiter('r1', 'gw_a.1', T0), 'STORE_UNAVAILABLE');
        await rejectsWith(s.renewWaiters(['gw_a.1'], T0), 'STORE_UNAVAILABLE');
        await rejectsWith(s.leaveWaiter('r1', 'gw_a.1', T0), 'STORE_UNAVAILABLE');
      }));
  });
}
