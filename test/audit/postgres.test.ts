import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createAuditLog } from '../../src/audit/log.js';
import { createAuditSigner, generateAuditKeyPair } from '../../src/audit/signing.js';
import { verifyAudit } from '../../src/audit/verify.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { openStore } from '../../src/store/open.js';
import { CountersignError } from '../../src/core/errors.js';
import { testDatabaseUrl } from '../support/postgres.js';
import { sampleEvent } from './helpers.js';

let db: { url: string; stop(): Promise<void> };
before(async () => {
  db = await testDatabaseUrl();
});
after(async () => {
  await db?.stop();
});

const signer = createAuditSigner(generateAuditKeyPair().privateKey);

test('two gateways appending concurrently to one PostgreSQL log: one unforked chain that verifies', async () => {
  const a = new PostgresStore({ url: db.url, schema: 'two_gateways' });
  const b = new PostgresStore({ url: db.url, schema: 'two_gateways' });
  await Promise.all([a.migrate(), b.migrate()]);
  try {
    const logA = createAuditLog({ store: a, signer, checkpointEvery: 50 });
    const logB = createAuditLog({ store: b, signer, checkpointEvery: 50 });
    const recs = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? logA : logB).append(sampleEvent(i))));
    await Promise.all([logA.close(), logB.close()]);
    assert.deepEqual(recs.map((r) => r.seq).sort((x, y) => x - y), Array.from({ length: 400 }, (_, i) => i + 1));
    const v = await verifyAudit(b, { publicKey: signer.publicKey, pageSize: 64 });
    assert.equal(v.ok, true, JSON.stringify(v.firstBad));
    assert.equal(v.checked, 400);
    assert.ok(v.checkpoints >= 8);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('an edited row in PostgreSQL is found by verify', async () => {
  const s = new PostgresStore({ url: db.url, schema: 'edited' });
  await s.migrate();
  try {
    const log = createAuditLog({ store: s, signer, checkpointEvery: 10 });
    for (let i = 1; i <= 25; i++) await log.append(sampleEvent(i));
    await log.close();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`UPDATE edited.audit_events SET body = replace(body, 'e13', 'e31') WHERE seq = 13`);
    await c.end();
    const v = await verifyAudit(s, { publicKey: signer.publicKey });
    assert.deepEqual(v.firstBad && { seq: v.firstBad.seq, problem: v.firstBad.problem }, { seq: 13, problem: 'edited' });
  } finally {
    await s.close();
  }
});

test('openStore: postgres from the env var named by url_env; missing → SECRET_MISSING; unreachable → STORE_UNAVAILABLE', async () => {
  const s = await openStore({ driver: 'postgres', path: 'unused', url_env: 'CS_TEST_PG' }, '/tmp', { CS_TEST_PG: db.url });
  assert.equal(s.kind, 'postgres');
  assert.deepEqual((await s.auditHead()).seq, 0);
  await s.close();
  await assert.rejects(
    openStore({ driver: 'postgres', path: 'unused', url_env: 'CS_TEST_PG' }, '/tmp', {}),
    (e: unknown) => e instanceof CountersignError && e.code === 'SECRET_MISSING' && /CS_TEST_PG/.test(e.message),
  );
  await assert.rejects(
    openStore({ driver: 'postgres', path: 'unused', url_env: 'CS_TEST_PG' }, '/tmp', { CS_TEST_PG: 'postgres://nobody@127.0.0.1:1/none' }),
    (e: unknown) => e instanceof CountersignError && e.code === 'STORE_UNAVAILABLE' && !/nobody/.test(e.message),
  );
});
