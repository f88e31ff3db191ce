import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { CountersignError } from '../../src/core/errors.js';
import { sampleRequest } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { testDatabaseUrl } from '../support/postgres.js';

const storeDown = (e: unknown) => e instanceof CountersignError && e.code === 'STORE_UNAVAILABLE';

let db: { url: string; stop(): Promise<void> };
before(async () => {
  db = await testDatabaseUrl();
});
after(async () => {
  await db?.stop();
});

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  return c;
}

/** Waits until some backend other than `except` is blocked on a lock, and returns its pid. */
async function blockedBackend(admin: pg.Client, except: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const r = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
      [except],
    );
    if (r.rows[0]) return r.rows[0].pid;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error('the store never blocked on the lock');
}

/** Collects what would have crashed the process (an unhandled 'error' event surfaces as an uncaught exception). */
function catchUncaught(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const on = (e: unknown) => void errors.push(e);
  process.on('uncaughtException', on);
  return { errors, stop: () => void process.off('uncaughtException', on) };
}

test('a connection dropped while a transaction is in progress rejects that call with STORE_UNAVAILABLE; the process lives on and later calls work', async () => {
  const store = new PostgresStore({ url: db.url, schema: 'drop_tx', max: 2 });
  const admin = await client();
  const locker = await client();
  // The unhandled 'error' event a dropped checked-out client used to emit surfaces here (and would kill a gateway).
  const uncaught = catchUncaught();
  try {
    await store.migrate();
    await store.createRequest(sampleRequest('r1'));
    // Hold the request's row lock elsewhere, so the store's appendEvent transaction waits inside its FOR UPDATE.
    await locker.query('SET search_path = drop_tx');
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM requests WHERE id = 'r1' FOR UPDATE`);
    const vote = { seq: 1, at: 1, type: 'vote' as const, voter: { id: 'dana', type: 'human' as const, groups: [] }, vote: 'approve' as const, channel: 'cli' };
    const pending = store.appendEvent('r1', vote, 'approved');
    const pid = await blockedBackend(admin, (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await assert.rejects(pending, storeDown);
    await locker.query('ROLLBACK');
    await new Promise((res) => setTimeout(res, 100)); // let the socket's 'end' arrive
    assert.deepEqual(uncaught.errors, []);

    // The database is fine again: the broken client was discarded, the next calls get working ones.
    for (let i = 0; i < 3; i++) await store.appendEvent('r1', { ...vote, seq: i + 1, voter: { ...vote.voter, id: `v${i}` } }, 'pending');
    assert.equal((await store.events('r1')).length, 3);
  } finally {
    uncaught.stop();
    await locker.end().catch(() => undefined);
    await admin.end();
    await store.close();
  }
});

test('every connection of the store terminated between transactions: calls reject or succeed, none crashes, and the store recovers', async () => {
  const store = new PostgresStore({ url: db.url, schema: 'drop_all', max: 4 });
  const admin = await client();
  const uncaught = catchUncaught();
  try {
    await store.migrate();
    await store.createRequest(sampleRequest('r1'));
    const adminPid = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // Traffic on every kind of call while all the store's backends are killed, twice.
    const work = Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? store.appendEvent('r1', { seq: 99 + i, at: 1, type: 'expire' }, 'expired') : store.getRequest('r1'))),
    );
    for (let k = 0; k < 2; k++) {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1', [adminPid]);
    }
    for (const r of await work) {
      if (r.status === 'rejected') assert.ok(storeDown(r.reason) || r.reason?.name === 'StoreConflictError', String(r.reason));
    }
    await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual(uncaught.errors, []);
    assert.equal((await store.getRequest('r1'))?.id, 'r1');
    await store.appendEvent('r1', { seq: 1, at: 1, type: 'expire' }, 'expired');
    assert.equal((await store.getRequest('r1'))?.status, 'expired');
  } finally {
    uncaught.stop();
    await admin.end();
    await store.close();
  }
});
