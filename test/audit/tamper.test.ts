import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { auditHash } from '../../src/audit/chain.js';
import { createAuditSigner, generateAuditKeyPair, type AuditSigner } from '../../src/audit/signing.js';
import { verifyAudit, type VerifyResult } from '../../src/audit/verify.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { buildLogFile, tempDir } from './helpers.js';

// Real tampering: a 20-event log (checkpoints at 5, 10, 15, 20) is copied, edited with SQL through a second
// SQLite connection, then verified through the store.
type Row = { seq: number; at: number; code: string; type: string; body: string; prev_hash: string; hash: string };

let tmp: Awaited<ReturnType<typeof tempDir>>;
let original: string;
let publicKey: string;
let n = 0;

before(async () => {
  tmp = await tempDir('cs-tamper-');
  original = join(tmp.dir, 'original.db');
  const built = await buildLogFile(original, 20, 5);
  publicKey = built.keys.publicKey;
});
after(() => tmp.cleanup());

/** Copy the log, apply `edit` to the raw file, verify it. */
async function tampered(edit: (db: Database.Database) => void, opts: { publicKey?: string | null; checkpointEvery?: number } = {}): Promise<VerifyResult> {
  const file = join(tmp.dir, `t${++n}.db`);
  await copyFile(original, file);
  const db = new Database(file);
  edit(db);
  db.close();
  const store = new SqliteStore(file);
  try {
    return await verifyAudit(store, { publicKey: opts.publicKey === null ? undefined : (opts.publicKey ?? publicKey), ...(opts.checkpointEvery ? { checkpointEvery: opts.checkpointEvery } : {}) });
  } finally {
    await store.close();
  }
}

function rows(db: Database.Database): Row[] {
  return db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Row[];
}

/** Recompute row `seq`'s hash (and, with `cascade`, every later row's prevHash and hash), as an attacker would. */
function rehash(db: Database.Database, fromSeq: number, cascade: boolean): void {
  const all = rows(db);
  let prev = all.find((r) => r.seq === fromSeq - 1)?.hash ?? '0'.repeat(64);
  for (const r of all.filter((x) => x.seq >= fromSeq)) {
    const hash = auditHash(prev, { seq: r.seq, at: r.at, code: r.code, type: r.type, body: JSON.parse(r.body) });
    db.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq);
    prev = hash;
    if (!cascade) break;
  }
}

function bad(r: VerifyResult) {
  assert.equal(r.ok, false, 'tampering went unnoticed');
  return { seq: r.firstBad!.seq, problem: r.firstBad!.problem };
}

describe('audit tamper detection on a real SQLite file', () => {
  test('an untouched log verifies: every event and every signed checkpoint', async () => {
    const r = await tampered(() => undefined);
    assert.deepEqual({ ok: r.ok, checked: r.checked, checkpoints: r.checkpoints, signaturesChecked: r.signaturesChecked, unsignedTail: r.unsignedTail }, {
      ok: true, checked: 20, checkpoints: 4, signaturesChecked: true, unsignedTail: 0,
    });
  });

  test('edited body → edited at that event', async () => {
    const r = await tampered((db) => db.prepare(`UPDATE audit_events SET body = replace(body, 'e7', 'e8') WHERE seq = 7`).run());
    assert.deepEqual(bad(r), { seq: 7, problem: 'edited' });
  });

  test('edited code or timestamp → edited', async () => {
    assert.deepEqual(bad(await tampered((db) => db.prepare(`UPDATE audit_events SET at = at + 1 WHERE seq = 12`).run())), { seq: 12, problem: 'edited' });
    assert.deepEqual(bad(await tampered((db) => db.prepare(`UPDATE audit_events SET code = 'CS1002I', type = 'action.allowed' WHERE seq = 3`).run())), { seq: 3, problem: 'edited' });
  });

  test('edited body re-encoded (same JSON, different bytes) → edited', async () => {
    const r = await tampered((db) => db.prepare(`UPDATE audit_events SET body = ' ' || body WHERE seq = 4`).run());
    assert.deepEqual(bad(r), { seq: 4, problem: 'edited' });
  });

  test('edited body with its own hash recomputed → edited (the next event no longer links)', async () => {
    const r = await tampered((db) => {
      db.prepare(`UPDATE audit_events SET body = replace(body, 'e7', 'e8') WHERE seq = 7`).run();
      rehash(db, 7, false);
    });
    assert.deepEqual(bad(r), { seq: 7, problem: 'edited' });
  });

  test('edited body with the whole chain after it rehashed → caught by the next signed checkpoint', async () => {
    const r = await tampered((db) => {
      db.prepare(`UPDATE audit_events SET body = replace(body, 'e7', 'e8') WHERE seq = 7`).run();
      rehash(db, 7, true);
    });
    assert.deepEqual(bad(r), { seq: 10, problem: 'bad_checkpoint' });
    assert.match(r.firstBad!.detail, /events 6\.\.10/);
  });

  test('deleted event (seq gap) → deleted', async () => {
    const r = await tampered((db) => db.prepare('DELETE FROM audit_events WHERE seq = 7').run());
    assert.deepEqual(bad(r), { seq: 7, problem: 'deleted' });
  });

  test('deleted events with later events renumbered → deleted', async () => {
    const r = await tampered((db) => {
      db.prepare('DELETE FROM audit_events WHERE seq IN (7, 8)').run();
      db.prepare('UPDATE audit_events SET seq = -(seq - 2) WHERE seq > 8').run();
      db.prepare('UPDATE audit_events SET seq = -seq WHERE seq < 0').run();
    });
    assert.deepEqual(bad(r), { seq: 7, problem: 'deleted' });
  });

  test('deleted tail under a signed checkpoint → deleted', async () => {
    const r = await tampered((db) => db.prepare('DELETE FROM audit_events WHERE seq > 18').run());
    assert.deepEqual(bad(r), { seq: 19, problem: 'deleted' });
  });

  test('inserted event (later ones renumbered), forged with a valid hash → inserted', async () => {
    const r = await tampered((db) => {
      db.prepare('UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= 7').run();
      db.prepare('UPDATE audit_events SET seq = -seq WHERE seq < 0').run();
      const six = db.prepare('SELECT hash, at FROM audit_events WHERE seq = 6').get() as { hash: string; at: number };
      const forged = { seq: 7, at: six.at + 1, code: 'CS1002I', type: 'action.allowed', body: { summary: 'nothing to see' } };
      db.prepare('INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?)').run(7, forged.at, forged.code, forged.type, JSON.stringify(forged.body), six.hash, auditHash(six.hash, forged));
    });
    assert.deepEqual(bad(r), { seq: 7, problem: 'inserted' });
  });

  test('inserted event with a made-up hash → inserted', async () => {
    const r = await tampered((db) => {
      db.prepare('UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= 7').run();
      db.prepare('UPDATE audit_events SET seq = -seq WHERE seq < 0').run();
      const six = db.prepare('SELECT hash FROM audit_events WHERE seq = 6').get() as { hash: string };
      db.prepare('INSERT INTO audit_events VALUES (7, 0, ?, ?, ?, ?, ?)').run('CS1002I', 'action.allowed', '{}', six.hash, 'f'.repeat(64));
    });
    assert.deepEqual(bad(r), { seq: 7, problem: 'inserted' });
  });

  test('two events swapped (seq values exchanged) → reordered', async () => {
    const r = await tampered((db) => {
      db.prepare('UPDATE audit_events SET seq = -1 WHERE seq = 7').run();
      db.prepare('UPDATE audit_events SET seq = 7 WHERE seq = 8').run();
      db.prepare('UPDATE audit_events SET seq = 8 WHERE seq = -1').run();
    });
    assert.deepEqual(bad(r), { seq: 7, problem: 'reordered' });
  });

  test('an event moved later (rows shifted) → reordered', async () => {
    const r = await tampered((db) => {
      // 11 12 13 → 12 13 11
      db.prepare('UPDATE audit_events SET seq = -13 WHERE seq = 11').run();
      db.prepare('UPDATE audit_events SET seq = seq - 1 WHERE seq IN (12, 13)').run();
      db.prepare('UPDATE audit_events SET seq = 13 WHERE seq = -13').run();
    });
    assert.deepEqual(bad(r), { seq: 11, problem: 'reordered' });
  });

  test('an event deleted, the rest renumbered and re-hashed, every checkpoint deleted → checkpoints_missing, given the gateway\'s checkpoint_every', async () => {
    const rewrite = (db: Database.Database) => {
      db.prepare('DELETE FROM audit_events WHERE seq = 7').run();
      db.prepare('UPDATE audit_events SET seq = seq - 1 WHERE seq > 7').run();
      rehash(db, 7, true);
      db.prepare('DELETE FROM audit_checkpoints').run();
    };
    // The chain alone cannot tell: the rewritten log is a valid chain.
    assert.equal((await tampered(rewrite)).ok, true);
    const r = await tampered(rewrite, { checkpointEvery: 5 });
    assert.deepEqual(bad(r), { seq: 1, problem: 'checkpoints_missing' });
    assert.match(r.firstBad!.detail, /events 1\.\.19 are covered by no checkpoint, but a gateway signs one at least every 5 events/);
  });

  test('a gateway.stopped after the newest checkpoint → checkpoints_missing (a gateway signs one when it stops)', async () => {
    const r = await tampered(
      (db) => {
        db.prepare(`UPDATE audit_events SET type = 'gateway.stopped' WHERE seq = 18`).run();
        rehash(db, 18, true);
        db.prepare('DELETE FROM audit_checkpoints WHERE seq = 20').run();
      },
      { checkpointEvery: 5 },
    );
    assert.deepEqual(bad(r), { seq: 16, problem: 'checkpoints_missing' });
    assert.match(r.firstBad!.detail, /a gateway stopped at event 18/);
  });

  test('a tail within the log\'s own checkpoint spacing passes, even when checkpoint_every is smaller now', async () => {
    const r = await tampered((db) => db.prepare('DELETE FROM audit_checkpoints WHERE seq = 20').run(), { checkpointEvery: 1 });
    assert.deepEqual({ ok: r.ok, unsignedTail: r.unsignedTail, checkpoints: r.checkpoints }, { ok: true, unsignedTail: 5, checkpoints: 3 });
  });

  test('checkpoint signature edited → bad_checkpoint', async () => {
    const r = await tampered((db) => {
      const cp = db.prepare('SELECT signature FROM audit_checkpoints WHERE seq = 10').get() as { signature: string };
      const sig = Buffer.from(cp.signature, 'base64url');
      sig[5]! ^= 1;
      db.prepare('UPDATE audit_checkpoints SET signature = ? WHERE seq = 10').run(sig.toString('base64url'));
    });
    assert.deepEqual(bad(r), { seq: 10, problem: 'bad_checkpoint' });
  });

  test('chain rewritten and checkpoints forged with another key → bad_checkpoint at the first forged one', async () => {
    const forger: AuditSigner = createAuditSigner(generateAuditKeyPair().privateKey);
    const edit = (db: Database.Database) => {
      db.prepare(`UPDATE audit_events SET body = replace(body, 'e2', 'e9') WHERE seq = 2`).run();
      rehash(db, 2, true);
      for (const cp of db.prepare('SELECT seq FROM audit_checkpoints').all() as Array<{ seq: number }>) {
        const row = db.prepare('SELECT hash, at FROM audit_events WHERE seq = ?').get(cp.seq) as { hash: string; at: number };
        const f = forger.signCheckpoint({ seq: cp.seq, hash: row.hash, at: row.at });
        db.prepare('UPDATE audit_checkpoints SET hash = ?, key_id = ?, signature = ? WHERE seq = ?').run(f.hash, f.keyId, f.signature, cp.seq);
      }
    };
    assert.deepEqual(bad(await tampered(edit)), { seq: 5, problem: 'bad_checkpoint' });
    // Without the public key the forgery is self-consistent; the result says signatures were not checked.
    const unsigned = await tampered(edit, { publicKey: null });
    assert.equal(unsigned.ok, true);
    assert.equal(unsigned.signaturesChecked, false);
  });

  test('checkpoint re-signed with the right key id but a forged key → bad_checkpoint', async () => {
    const forger = createAuditSigner(generateAuditKeyPair().privateKey);
    const r = await tampered((db) => {
      const cp = db.prepare('SELECT seq, hash, at, key_id FROM audit_checkpoints WHERE seq = 15').get() as { seq: number; hash: string; at: number; key_id: string };
      const f = forger.signCheckpoint({ seq: cp.seq, hash: cp.hash, at: cp.at });
      db.prepare('UPDATE audit_checkpoints SET signature = ? WHERE seq = 15').run(f.signature);
    });
    assert.deepEqual(bad(r), { seq: 15, problem: 'bad_checkpoint' });
  });
});
