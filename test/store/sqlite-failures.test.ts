import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CountersignError } from '../../src/core/errors.js';
import { sampleRequest } from '../../src/store/contract.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { chainRecords } from '../../src/audit/chain.js';

const storeDown = (e: unknown) => e instanceof CountersignError && e.code === 'STORE_UNAVAILABLE';

async function tmp() {
  const dir = await mkdtemp(join(tmpdir(), 'cs-sqlite-fail-'));
  return { file: join(dir, 'cs.db'), dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

test('appendEvent is atomic with the status update: a failing update leaves no event behind', async () => {
  const t = await tmp();
  const store = new SqliteStore(t.file);
  try {
    await store.createRequest(sampleRequest('r1'));
    const db = new Database(t.file);
    db.exec(`CREATE TRIGGER no_status BEFORE UPDATE OF status ON requests BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
    db.close();
    const vote = { seq: 1, at: 1, type: 'vote' as const, voter: { id: 'dana', type: 'human' as const, groups: [] }, vote: 'approve' as const, channel: 'cli' };
    await assert.rejects(store.appendEvent('r1', vote, 'approved'), storeDown);
    assert.deepEqual(await store.events('r1'), []);
    assert.equal((await store.getRequest('r1'))?.status, 'pending');
  } finally {
    await store.close();
    await t.cleanup();
  }
});

test('an audit batch that fails to write leaves nothing: every appender in it rejects', async () => {
  const t = await tmp();
  const store = new SqliteStore(t.file);
  try {
    await store.appendAudit((h) => chainRecords(h, [{ at: 1, code: 'CS9001I', type: 'gateway.started', body: {} }]));
    const db = new Database(t.file);
    db.exec(`CREATE TRIGGER no_third BEFORE INSERT ON audit_events WHEN NEW.seq = 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    db.close();
    const ev = { at: 2, code: 'CS9001I', type: 'gateway.started', body: {} };
    const results = await Promise.allSettled([store.appendAudit((h) => chainRecords(h, [ev])), store.appendAudit((h) => chainRecords(h, [ev]))]);
    for (const r of results) assert.ok(r.status === 'rejected' && storeDown(r.reason));
    assert.equal((await store.auditHead()).seq, 1);
  } finally {
    await store.close();
    await t.cleanup();
  }
});

test('a file that is not a database: opening fails with STORE_UNAVAILABLE', async () => {
  const t = await tmp();
  try {
    await writeFile(t.file, 'this is not sqlite '.repeat(100));
    assert.throws(() => new SqliteStore(t.file), storeDown);
  } finally {
    await t.cleanup();
  }
});

test('WAL and synchronous=FULL are set on the file', async () => {
  const t = await tmp();
  const store = new SqliteStore(t.file);
  try {
    const db = new Database(t.file);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    // synchronous is per connection: read it through the store's own handle.
    assert.equal((store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true }), 2);
  } finally {
    await store.close();
    await t.cleanup();
  }
});

test("a flush 'soon' audit commit leaves the connection at synchronous=FULL, even when its write fails", async () => {
  const t = await tmp();
  const store = new SqliteStore(t.file);
  const sync = () => (store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true });
  try {
    await store.appendAudit((h) => chainRecords(h, [{ at: 1, code: 'CS1005I', type: 'action.executed', body: {} }]), { flush: 'soon' });
    assert.equal(sync(), 2);
    const db = new Database(t.file);
    db.exec(`CREATE TRIGGER no_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    db.close();
    await assert.rejects(store.appendAudit((h) => chainRecords(h, [{ at: 2, code: 'CS1005I', type: 'action.executed', body: {} }]), { flush: 'soon' }), storeDown);
    assert.equal(sync(), 2);
    assert.equal((await store.auditHead()).seq, 1);
  } finally {
    await store.close();
    await t.cleanup();
  }
});

test("flush 'soon' audit events survive the gateway process being killed right after they resolve", async () => {
  const t = await tmp();
  try {
    const child = join(t.dir, 'child.mts');
    await writeFile(
      child,
      `import { SqliteStore } from ${JSON.stringify(new URL('../../src/store/sqlite.ts', import.meta.url).href)};
       import { chainRecords } from ${JSON.stringify(new URL('../../src/audit/chain.ts', import.meta.url).href)};
       const store = new SqliteStore(${JSON.stringify(t.file)});
       for (let i = 1; i <= 20; i++) await store.appendAudit((h) => chainRecords(h, [{ at: i, code: 'CS1005I', type: 'action.executed', body: { i } }]), { flush: 'soon' });
       process.kill(process.pid, 'SIGKILL');`,
    );
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    const store = new SqliteStore(t.file);
    try {
      const recs = await store.readAudit(0, 100);
      assert.deepEqual(recs.map((x) => x.body), Array.from({ length: 20 }, (_, i) => ({ i: i + 1 })));
    } finally {
      await store.close();
    }
  } finally {
    await t.cleanup();
  }
});
