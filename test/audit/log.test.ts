import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CountersignError } from '../../src/core/errors.js';
import { FakeClock } from '../../src/core/clock.js';
import type { Masker } from '../../src/core/masking.js';
import { AUDIT_GENESIS_HASH } from '../../src/audit/chain.js';
import { createAuditLog } from '../../src/audit/log.js';
import { createAuditSigner, generateAuditKeyPair, verifyCheckpointSignature } from '../../src/audit/signing.js';
import { verifyAudit } from '../../src/audit/verify.js';
import { exportAudit } from '../../src/audit/export.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { sampleRequest } from '../../src/store/contract.js';
import { sampleEvent, tempDir } from './helpers.js';

const signer = createAuditSigner(generateAuditKeyPair().privateKey);

/** Masks e-mail addresses (a small real masker; the masking engine's own tests cover detection). */
const emailMasker: Masker = {
  async maskText(text) {
    return { text: text.replace(/[\w.+-]+@[\w-]+\.[\w.]+/g, '<EMAIL>'), findings: [] };
  },
  async maskValue(value) {
    const walk = (v: unknown): unknown =>
      typeof v === 'string' ? v.replace(/[\w.+-]+@[\w-]+\.[\w.]+/g, '<EMAIL>') : Array.isArray(v) ? v.map(walk) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)])) : v;
    return { value: walk(value) as typeof value, findings: [] };
  },
};

const unavailable = (e: unknown) => e instanceof CountersignError && e.code === 'AUDIT_UNAVAILABLE';

async function withFileStore(fn: (store: SqliteStore, file: string) => Promise<void>, opts?: { busyTimeoutMs?: number }) {
  const tmp = await tempDir();
  const file = join(tmp.dir, 'audit.db');
  const store = new SqliteStore(file, opts);
  try {
    await fn(store, file);
  } finally {
    await store.close().catch(() => undefined);
    await tmp.cleanup();
  }
}

describe('audit log', () => {
  test('append writes a chained record with the stable code, the clock time and a clean body', () =>
    withFileStore(async (store) => {
      const clock = new FakeClock(Date.UTC(2026, 4, 1));
      const log = createAuditLog({ store, signer, clock, checkpointEvery: 100 });
      const a = await log.append({ type: 'gateway.started' });
      clock.advance(5);
      const b = await log.append({ type: 'action.denied', principal: { id: 'agent:etl', type: 'agent' }, resource: 'prod-db', summary: 'DROP TABLE users', requestId: undefined });
      assert.deepEqual(a, { seq: 1, at: Date.UTC(2026, 4, 1), code: 'CS9001I', type: 'gateway.started', body: {}, prevHash: AUDIT_GENESIS_HASH, hash: a.hash });
      assert.equal(b.code, 'CS1003W');
      assert.equal(b.at, Date.UTC(2026, 4, 1) + 5);
      assert.equal(b.prevHash, a.hash);
      assert.deepEqual(b.body, { principal: { id: 'agent:etl', type: 'agent' }, resource: 'prod-db', summary: 'DROP TABLE users' });
      assert.deepEqual(await store.readAudit(0, 10), [a, b]);
    }));

  test('a masker masks summaries and data again before they are written', () =>
    withFileStore(async (store) => {
      const log = createAuditLog({ store, signer, checkpointEvery: 100, masker: emailMasker });
      await log.append({ type: 'action.result', summary: 'sent to bob@example.com', data: { to: ['carol@example.org'], n: 2 } });
      const [rec] = await store.readAudit(0, 1);
      assert.deepEqual(rec!.body, { summary: 'sent to <EMAIL>', data: { to: ['<EMAIL>'], n: 2 } });
    }));

  test('a summary the pipeline already masked is written as given; its data is still masked', () =>
    withFileStore(async (store) => {
      let texts = 0;
      const counting: Masker = { ...emailMasker, maskText: async (t) => (texts++, emailMasker.maskText(t)) };
      const log = createAuditLog({ store, signer, checkpointEvery: 100, masker: counting });
      await log.append({ type: 'action.allowed', summary: 'fs.read [EMAIL]', summaryMasked: true, data: { by: 'bob@example.com' } });
      const [rec] = await store.readAudit(0, 1);
      assert.deepEqual(rec!.body, { summary: 'fs.read [EMAIL]', data: { by: '<EMAIL>' } });
      assert.equal(texts, 0, 'the summary is not masked a second time');
    }));

  test('data the pipeline marks as already masked is written as given', () =>
    withFileStore(async (store) => {
      let values = 0;
      const counting: Masker = { ...emailMasker, maskValue: async (v) => (values++, emailMasker.maskValue(v)) };
      const log = createAuditLog({ store, signer, checkpointEvery: 100, masker: counting });
      await log.append({ type: 'action.executed', summary: 'fs.read [EMAIL]', summaryMasked: true, data: { rule: 'reads', resultBytes: 12 }, dataMasked: true });
      const [rec] = await store.readAudit(0, 1);
      assert.deepEqual(rec!.body, { summary: 'fs.read [EMAIL]', data: { rule: 'reads', resultBytes: 12 } });
      assert.equal(values, 0, 'the data is not masked a second time');
    }));

  test('masking failure: append rejects AUDIT_UNAVAILABLE and nothing is written', () =>
    withFileStore(async (store) => {
      const broken: Masker = { ...emailMasker, maskText: async () => { throw new CountersignError('MASKING_FAILED'); } };
      const log = createAuditLog({ store, signer, checkpointEvery: 100, masker: broken });
      await assert.rejects(log.append(sampleEvent(1)), unavailable);
      assert.deepEqual(await store.auditHead(), { seq: 0, hash: AUDIT_GENESIS_HASH });
    }));

  test('unknown event type is refused', () =>
    withFileStore(async (store) => {
      const log = createAuditLog({ store, signer });
      await assert.rejects(log.append({ type: 'nope' as never }), unavailable);
    }));

  test('store locked by another process: append fails closed, nothing half-written, then recovers', () =>
    withFileStore(async (store, file) => {
      const log = createAuditLog({ store, signer, checkpointEvery: 1000 });
      await log.append(sampleEvent(1));
      const other = new Database(file);
      other.exec('BEGIN IMMEDIATE'); // holds the write lock
      try {
        const results = await Promise.allSettled([log.append(sampleEvent(2)), log.append(sampleEvent(3))]);
        for (const r of results) assert.ok(r.status === 'rejected' && unavailable(r.reason));
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      assert.equal((await store.auditHead()).seq, 1);
      assert.equal((await log.append(sampleEvent(4))).seq, 2);
      assert.equal((await verifyAudit(store, { publicKey: signer.publicKey })).ok, true);
    }, { busyTimeoutMs: 20 }));

  test('store closed under the log: append rejects AUDIT_UNAVAILABLE', () =>
    withFileStore(async (store) => {
      const log = createAuditLog({ store, signer });
      await store.close();
      await assert.rejects(log.append(sampleEvent(1)), unavailable);
    }));

  test('a closed log refuses appends', () =>
    withFileStore(async (store) => {
      const log = createAuditLog({ store, signer });
      await log.close();
      await assert.rejects(log.append(sampleEvent(1)), unavailable);
    }));

  test('signed checkpoints every N events and on close; a reopened log continues the schedule', () =>
    withFileStore(async (store) => {
      const log = createAuditLog({ store, signer, checkpointEvery: 5 });
      for (let i = 1; i <= 12; i++) await log.append(sampleEvent(i));
      assert.deepEqual((await store.checkpoints()).map((c) => c.seq), [5, 10]);
      await log.close();
      await log.close();
      const cps = await store.checkpoints();
      assert.deepEqual(cps.map((c) => c.seq), [5, 10, 12]);
      const recs = await store.readAudit(0, 100);
      for (const cp of cps) {
        assert.equal(cp.keyId, signer.keyId);
        assert.equal(cp.hash, recs[cp.seq - 1]!.hash);
        assert.ok(verifyCheckpointSignature(cp, signer.publicKey));
      }
      const again = createAuditLog({ store, signer, checkpointEvery: 5 });
      for (let i = 13; i <= 17; i++) await again.append(sampleEvent(i));
      assert.deepEqual((await store.checkpoints()).map((c) => c.seq), [5, 10, 12, 17]);
      await again.checkpoint(); // head already covered: no duplicate
      assert.equal((await store.checkpoints()).length, 4);
    }));

  test('500 concurrent appends (group-committed) form one chain that verifies, with one checkpoint per 100', () =>
    withFileStore(async (store) => {
      const log = createAuditLog({ store, signer, checkpointEvery: 100 });
      const recs = await Promise.all(Array.from({ length: 500 }, (_, i) => log.append(sampleEvent(i))));
      assert.deepEqual(recs.map((r) => r.seq).sort((a, b) => a - b), Array.from({ length: 500 }, (_, i) => i + 1));
      const v = await verifyAudit(store, { publicKey: signer.publicKey });
      assert.equal(v.ok, true);
      assert.equal(v.checked, 500);
      const cps = await store.checkpoints();
      assert.ok(cps.length >= 4 && cps.length <= 5, `checkpoints at ${cps.map((c) => c.seq)}`);
      for (let i = 1; i < cps.length; i++) assert.ok(cps[i]!.seq - cps[i - 1]!.seq >= 100);
    }));

  test('restart: close and reopen the file, events and requests are there and the chain continues', async () => {
    const tmp = await tempDir();
    try {
      const file = join(tmp.dir, 'cs.db');
      let store = new SqliteStore(file);
      let log = createAuditLog({ store, signer, checkpointEvery: 3 });
      await store.createRequest(sampleRequest('req_1'));
      for (let i = 1; i <= 4; i++) await log.append(sampleEvent(i));
      await log.close();
      await store.close();
      store = new SqliteStore(file);
      log = createAuditLog({ store, signer, checkpointEvery: 3 });
      assert.equal((await store.getRequest('req_1'))?.id, 'req_1');
      assert.equal((await log.append(sampleEvent(5))).seq, 5);
      const v = await verifyAudit(store, { publicKey: signer.publicKey });
      assert.deepEqual({ ok: v.ok, checked: v.checked, unsignedTail: v.unsignedTail }, { ok: true, checked: 5, unsignedTail: 1 });
      await store.close();
    } finally {
      await tmp.cleanup();
    }
  });

  test('export streams JSON lines with from/to filters and severities', () =>
    withFileStore(async (store) => {
      const log = createAuditLog({ store, signer });
      for (let i = 0; i < 7; i++) await log.append(sampleEvent(i));
      const lines: string[] = [];
      for await (const l of exportAudit(store, { from: 3, to: 5, pageSize: 2 })) lines.push(l);
      const parsed = lines.map((l) => JSON.parse(l));
      assert.deepEqual(parsed.map((p) => p.seq), [3, 4, 5]);
      assert.ok(lines.every((l) => l.endsWith('\n')));
      assert.equal(parsed[0].severity, 'info');
      const all: string[] = [];
      for await (const l of exportAudit(store)) all.push(l);
      assert.equal(all.length, 7);
    }));
  test("durability: events gate actions with flush 'now' unless marked 'soon'; durability 'commit' makes every event 'soon'", () =>
    withFileStore(async (store) => {
      const seen: string[] = [];
      const spy = Object.create(store) as SqliteStore;
      spy.appendAudit = (build, o) => {
        seen.push(o?.flush ?? 'now');
        return store.appendAudit(build, o);
      };
      const disk = createAuditLog({ store: spy, signer });
      await disk.append({ type: 'action.allowed' });
      await disk.append({ type: 'action.executed', flush: 'soon' });
      await disk.close();
      const commit = createAuditLog({ store: spy, signer, durability: 'commit' });
      await commit.append({ type: 'action.allowed' });
      await commit.append({ type: 'action.executed', flush: 'now' });
      await commit.close();
      assert.deepEqual(seen, ['now', 'soon', 'soon', 'soon']);
      assert.equal((await verifyAudit(store, { publicKey: signer.publicKey })).ok, true);
    }));
  test('timed checkpoints: a quiet log gets its newest events signed without waiting for checkpointEvery', () =>
    withFileStore(async (store) => {
      const log = createAuditLog({ store, signer, checkpointEvery: 1000, checkpointIntervalMs: 30 });
      for (let i = 0; i < 3; i++) await log.append({ type: 'action.allowed', summary: `e${i}` });
      const deadline = Date.now() + 5000;
      while ((await store.checkpoints()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const cps = await store.checkpoints();
      assert.deepEqual(cps.map((c) => c.seq), [3]);
      assert.ok(verifyCheckpointSignature(cps[0]!, signer.publicKey));
      await new Promise((r) => setTimeout(r, 100)); // nothing new: no second checkpoint of the same head
      assert.equal((await store.checkpoints()).length, 1);
      await log.close();
    }));
});
