// openStoreForReading on PostgreSQL (audit verify / export): it never migrates, and a database without Countersign's
// schema is AUDIT_NOT_FOUND, as a missing SQLite file is.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { CountersignError } from '../../src/core/errors.js';
import { openExistingStore, openStore, openStoreForReading } from '../../src/store/open.js';
import { storeConfigSchema } from '../../src/store/config.js';
import { testDatabaseUrl } from '../support/postgres.js';

let db: { url: string; stop(): Promise<void> };
before(async () => {
  db = await testDatabaseUrl();
});
after(async () => {
  await db?.stop();
});

async function tables(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)).rows.map((r) => r.t);
  } finally {
    await c.end();
  }
}

test('PostgreSQL: reading a database without the schema is AUDIT_NOT_FOUND and creates nothing; a migrated one reads, read-only', async () => {
  const config = storeConfigSchema.parse({ driver: 'postgres', url_env: 'CS_TEST_READ_URL' });
  const env = { CS_TEST_READ_URL: db.url };
  await assert.rejects(
    openStoreForReading(config, '.', env),
    (e: unknown) => e instanceof CountersignError && e.code === 'AUDIT_NOT_FOUND' && /no Countersign schema .*nothing was created/.test(e.message),
  );
  await assert.rejects(openExistingStore(config, '.', env), (e: unknown) => e instanceof CountersignError && e.code === 'STORE_NOT_FOUND' && /no Countersign schema/.test(e.message));
  assert.deepEqual(await tables(db.url), [], 'no table was created');

  const writer = await openStore(config, '.', env);
  await writer.putToken('s', 't', 'c', 1);
  await writer.close();
  const reader = await openStoreForReading(config, '.', env);
  try {
    assert.equal((await reader.auditHead()).seq, 0);
    await assert.rejects(reader.putToken('s', 't2', 'c', 1), (e: unknown) => e instanceof CountersignError && e.code === 'STORE_UNAVAILABLE', 'a reader cannot write');
  } finally {
    await reader.close();
  }
  // `keys` commands write to a store that exists.
  const keys = await openExistingStore(config, '.', env);
  await keys.putToken('s', 't3', 'c', 1);
  await keys.close();
});
