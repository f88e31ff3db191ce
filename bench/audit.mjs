#!/usr/bin/env node
// Audit benchmark: durable appends/s through the audit log on a SQLite file (WAL, synchronous=FULL, group commit,
// signed checkpoints every 1,000), and the time to verify a 1,000,000-event log with signature checks.
// Usage: node --import tsx bench/audit.mjs [--appends-seconds 5] [--concurrency 64] [--verify-events 1000000]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteStore } from '../src/store/sqlite.ts';
import { createAuditLog } from '../src/audit/log.ts';
import { chainRecords } from '../src/audit/chain.ts';
import { createAuditSigner, generateAuditKeyPair } from '../src/audit/signing.ts';
import { verifyAudit } from '../src/audit/verify.ts';

const { values } = parseArgs({
  options: {
    'appends-seconds': { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
    'verify-events': { type: 'string', default: '1000000' },
  },
});
const seconds = Number(values['appends-seconds']);
const concurrency = Number(values.concurrency);
const verifyEvents = Number(values['verify-events']);

const keys = generateAuditKeyPair();
const signer = createAuditSigner(keys.privateKey);
const dir = mkdtempSync(join(tmpdir(), 'cs-bench-audit-'));

function event(i) {
  return {
    type: 'action.executed',
    principal: { id: `agent:worker-${i % 30}`, type: 'agent', onBehalfOf: 'alice@example.com' },
    resource: `db-${i % 40}`,
    actionDigest: 'a3f1c2'.padEnd(64, String(i % 10)),
    requestId: `req_${(i * 7919) % 100000}`,
    summary: `UPDATE orders SET status = 'shipped' WHERE id = ${i} -- customer <EMAIL_1>`,
    data: { rows: i % 17, durationMs: (i * 13) % 250, tags: ['write', 'pii'] },
  };
}

// ---- 1. durable appends/s ----
{
  const store = new SqliteStore(join(dir, 'appends.db'));
  const log = createAuditLog({ store, signer, checkpointEvery: 1000 });
  // warm-up
  await Promise.all(Array.from({ length: 1000 }, (_, i) => log.append(event(i))));
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await log.append(event(n));
        n++;
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  await log.close();
  const v = await verifyAudit(store, { publicKey: signer.publicKey });
  await store.close();
  if (!v.ok) throw new Error('appended log does not verify: ' + JSON.stringify(v.firstBad));
  console.log(`durable appends: ${Math.round(n / secs).toLocaleString('en')} events/s (${n.toLocaleString('en')} in ${secs.toFixed(2)} s, ${concurrency} in flight, synchronous=FULL, log verified)`);
}

// ---- 2. verify 1M ----
{
  const file = join(dir, 'verify.db');
  const store = new SqliteStore(file);
  const t0 = Date.now();
  const batch = 10_000;
  for (let done = 0; done < verifyEvents; done += batch) {
    const recs = await store.appendAudit((head) =>
      chainRecords(
        head,
        Array.from({ length: Math.min(batch, verifyEvents - done) }, (_, j) => {
          const i = done + j;
          const e = event(i);
          return { at: Date.UTC(2026, 0, 1) + i, code: 'CS1005I', type: e.type, body: { principal: e.principal, resource: e.resource, actionDigest: e.actionDigest, requestId: e.requestId, summary: e.summary, data: e.data } };
        }),
      ),
    );
    for (const r of recs) if (r.seq % 1000 === 0) await store.appendCheckpoint(signer.signCheckpoint({ seq: r.seq, hash: r.hash, at: r.at }));
  }
  const built = (Date.now() - t0) / 1000;
  const t1 = process.hrtime.bigint();
  const v = await verifyAudit(store, { publicKey: signer.publicKey });
  const secs = Number(process.hrtime.bigint() - t1) / 1e9;
  await store.close();
  if (!v.ok || v.checked !== verifyEvents) throw new Error('verify failed: ' + JSON.stringify(v));
  const mb = statSync(file).size / 1e6;
  console.log(`verify: ${verifyEvents.toLocaleString('en')} events, ${v.checkpoints} signed checkpoints in ${secs.toFixed(2)} s (${Math.round(verifyEvents / secs).toLocaleString('en')} events/s; log ${mb.toFixed(0)} MB, built in ${built.toFixed(1)} s)`);
}
rmSync(dir, { recursive: true, force: true });
