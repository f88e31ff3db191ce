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
