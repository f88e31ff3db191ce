import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './open.js';
import { storeConfigSchema } from './config.js';

test('openStore: sqlite path is resolved against the config directory and created', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-open-'));
  try {
    const store = await openStore(storeConfigSchema.parse({ path: './data/cs.db' }), dir);
    assert.equal(store.kind, 'sqlite');
    await store.putToken('s', 't', 'c', 1);
    await store.close();
    assert.ok(existsSync(join(dir, 'data', 'cs.db')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a store that cannot be opened says why, from the error code only (never the driver message or the URL)', async () => {
  const { storeError } = await import('./errors.js');
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1 postgres://u:s3cret@h/db'), { code: 'ECONNREFUSED' });
  const e = storeError('migrate', refused);
  assert.equal(e.message, 'store: migrate failed: connection refused (is the database server running at that address?)');
  assert.ok(!e.message.includes('s3cret'));
  assert.equal(storeError('migrate', Object.assign(new Error('database "x" does not exist'), { code: '3D000' })).message, 'store: migrate failed: the database does not exist');
  assert.equal(storeError('open', new Error('strange')).message, 'store: open failed');
  // A real one: a PostgreSQL port nobody listens on.
  await assert.rejects(
    openStore(storeConfigSchema.parse({ driver: 'postgres', url_env: 'CS_TEST_PG_URL' }), tmpdir(), { CS_TEST_PG_URL: 'postgres://u:s3cret@127.0.0.1:1/db' }),
    (err: Error) => /connection refused/.test(err.message) && !err.message.includes('s3cret'),
  );
});

test('openStoreForReading: a SQLite store of an older schema is read as it is (audit verify after an upgrade), a newer one is refused', async () => {
  const { openStoreForReading } = await import('./open.js');
  const { createAuditLog } = await import('../audit/log.js');
  const { verifyAudit } = await import('../audit/verify.js');
  const { default: Database } = await import('better-sqlite3');
  const dir = await mkdtemp(join(tmpdir(), 'cs-open-old-'));
  const config = storeConfigSchema.parse({ path: './cs.db' });
  try {
    const store = await openStore(config, dir);
    const log = createAuditLog({ store });
    for (let i = 0; i < 3; i++) await log.append({ type: 'action.allowed', summary: `call ${i}`, data: { i } });
    await log.close();
    await store.close();
    // What a gateway before the second migration left: no outcome_claims table, user_version 1.
    const path = join(dir, 'cs.db');
    const raw = new Database(path);
    raw.exec('DROP TABLE outcome_claims; DROP TABLE request_waiters');
    raw.pragma('user_version = 1');
    raw.close();

    const reader = await openStoreForReading(config, dir);
    const report = await verifyAudit(reader);
    assert.equal(report.ok, true);
    assert.equal(report.checked, 3);
    await assert.rejects(reader.claimOutcome('k', 1), (e: Error & { code?: string }) => e.code === 'STORE_UNAVAILABLE' && /schema version 1, this needs 2/.test(e.message));
    await reader.close();
    const after = new Database(path, { readonly: true });
    assert.equal(after.pragma('user_version', { simple: true }), 1, 'reading upgraded nothing');
    after.close();

    const newer = new Database(path);
    newer.pragma('user_version = 99');
    newer.close();
    await assert.rejects(openStoreForReading(config, dir), (e: Error & { code?: string }) => e.code === 'STORE_UNAVAILABLE' && /schema version 99, newer than this version/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
