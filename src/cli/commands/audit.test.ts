import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { createAuditLog } from '../../audit/log.js';
import { createAuditSigner, generateAuditKeyPair } from '../../audit/signing.js';
import { SqliteStore } from '../../store/sqlite.js';

// A real process: a tiny CLI that builds a commander program and registers the audit commands on a SQLite file.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cs-audit-cli-'));
const runner = join(dir, 'cli.mjs');
const href = (p: string) => JSON.stringify(pathToFileURL(p).href);
writeFileSync(
  runner,
  [
    `import { Command } from ${href(createRequire(join(root, 'package.json')).resolve('commander'))};`,
    `import { registerAuditCommands } from ${href(join(root, 'src/cli/commands/audit.ts'))};`,
    `import { openStoreForReading } from ${href(join(root, 'src/store/open.ts'))};`,
    `const program = new Command('countersign').exitOverride((e) => process.exit(e.exitCode));`,
    // As src/cli/main.ts wires it: the configured store, opened read-only, never created.
    `registerAuditCommands(program, async () => openStoreForReading({ driver: 'sqlite', path: process.env.CS_DB, url_env: 'DATABASE_URL' }, process.cwd()), async () => process.env.CS_DEV_KEY ? { file: 'dev.key', privateKey: process.env.CS_DEV_KEY } : undefined);`,
    `await program.parseAsync(process.argv);`,
  ].join('\n'),
);

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', runner, ...args], { cwd: root, env: { ...process.env, COUNTERSIGN_AUDIT_KEY: '', ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const keys = generateAuditKeyPair();
const db = join(dir, 'cs.db');

before(async () => {
  const store = new SqliteStore(db);
  const log = createAuditLog({ store, signer: createAuditSigner(keys.privateKey), checkpointEvery: 4 });
  for (let i = 1; i <= 10; i++) await log.append({ type: 'action.allowed', resource: 'prod-db', summary: `e${i}` });
  await log.close();
  await store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('audit keygen prints a usable key for the env var and its public key', async () => {
  const r = await cli(['audit', 'keygen']);
  assert.equal(r.code, 0);
  const priv = /^COUNTERSIGN_AUDIT_KEY=(\S+)$/m.exec(r.stdout)?.[1];
  const pub = /public key.*: (\S+)$/m.exec(r.stdout)?.[1];
  assert.ok(priv && pub, r.stdout);
  assert.equal(Buffer.from(pub, 'base64url').length, 32);
  const signer = createAuditSigner(priv);
  assert.match(r.stdout, new RegExp(`key id: ${signer.keyId}`));
});

test('audit verify on a log with no checkpoint yet says none is signed, not that signatures were verified', async () => {
  const fresh = join(dir, 'fresh.db');
  const store = new SqliteStore(fresh);
  const log = createAuditLog({ store, signer: createAuditSigner(keys.privateKey) });
  for (let i = 1; i <= 3; i++) await log.append({ type: 'action.allowed', resource: 'prod-db', summary: `e${i}` });
  await store.close(); // the gateway is still "running": no checkpoint at shutdown
  const r = await cli(['audit', 'verify', '--public-key', keys.publicKey], { CS_DB: fresh });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /intact: 3 events, 0 checkpoints \(none signed yet: /);
  assert.doesNotMatch(r.stdout, /signatures verified/);
});

test('audit verify: exit 0 on an intact log, signatures checked with --public-key or the signing key env', async () => {
  const a = await cli(['audit', 'verify', '--public-key', keys.publicKey], { CS_DB: db });
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /intact: 10 events, 3 checkpoints \(signatures verified\)/);
  const b = await cli(['audit', 'verify'], { CS_DB: db, COUNTERSIGN_AUDIT_KEY: keys.privateKey });
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /signatures verified/);
  // Checkpoints but no key: the chain is intact, the signatures unchecked: exit 3 unless only the chain was asked for.
  const c = await cli(['audit', 'verify'], { CS_DB: db });
  assert.equal(c.code, 3);
  assert.match(c.stdout, /intact: 10 events, 3 checkpoints \(signatures NOT checked: no public key \(set COUNTERSIGN_AUDIT_KEY or pass --public-key\)\)/);
  const chain = await cli(['audit', 'verify', '--chain-only'], { CS_DB: db });
  assert.equal(chain.code, 0);
  assert.match(chain.stdout, /signatures NOT checked/);
  // No key in the environment: the development key the gateway generated for this config is used, and said so.
  const d = await cli(['audit', 'verify'], { CS_DB: db, CS_DEV_KEY: keys.privateKey });
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /3 checkpoints \(signatures verified\)/);
  assert.match(d.stderr, /development key in dev\.key/);
  const e = await cli(['audit', 'verify'], { CS_DB: db, CS_DEV_KEY: generateAuditKeyPair().privateKey });
  assert.equal(e.code, 1);
  assert.match(e.stdout, /bad_checkpoint/);
});

test('audit verify: wrong public key → exit 1 naming the checkpoint and both key ids', async () => {
  const other = generateAuditKeyPair();
  const r = await cli(['audit', 'verify', '--public-key', other.publicKey], { CS_DB: db });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /first bad event seq 4: bad_checkpoint/);
  assert.ok(r.stdout.includes(`signed by key id ${createAuditSigner(keys.privateKey).keyId}, not by the verifying key (id ${other.keyId})`), r.stdout);
});

test('audit verify: an edited event → exit 1 naming it; unreadable store → exit 2', async () => {
  const copy = join(dir, 'edited.db');
  const src = new Database(db);
  await src.backup(copy);
  src.close();
  const e = new Database(copy);
  e.prepare(`UPDATE audit_events SET body = replace(body, 'e6', 'e0') WHERE seq = 6`).run();
  e.close();
  const r = await cli(['audit', 'verify', '--public-key', keys.publicKey], { CS_DB: copy });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /TAMPERED: first bad event seq 6: edited/);
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'not a database at all '.repeat(50));
  const x = await cli(['audit', 'verify'], { CS_DB: junk });
  assert.equal(x.code, 2);
  assert.match(x.stderr, /STORE_UNAVAILABLE/);
});

test('audit verify / export on a missing store file: exit 2 AUDIT_NOT_FOUND naming the path, and nothing is created; an empty log is not "intact"', async () => {
  const missing = join(dir, 'nodb', 'x.db');
  for (const cmd of [['audit', 'verify'], ['audit', 'export']]) {
    const r = await cli(cmd, { CS_DB: missing });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`AUDIT_NOT_FOUND: no audit log at ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the store file does not exist`));
    assert.doesNotMatch(r.stdout, /intact/);
    assert.equal(existsSync(join(dir, 'nodb')), false, `${cmd.join(' ')} created nothing`);
  }
  // A store file with no events (a recreated log, or one no gateway ever wrote to): not intact either.
  const emptyDb = join(dir, 'empty.db');
  await new SqliteStore(emptyDb).close();
  const before = readFileSync(emptyDb);
  const r = await cli(['audit', 'verify'], { CS_DB: emptyDb });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /AUDIT_NOT_FOUND: the audit log has no events: nothing was verified/);
  assert.deepEqual(readFileSync(emptyDb), before, 'read-only: the file is unchanged');
  // A live log (another connection still open, WAL not checkpointed) verifies read-only.
  const live = join(dir, 'live.db');
  const store = new SqliteStore(live);
  const log = createAuditLog({ store, signer: createAuditSigner(keys.privateKey), checkpointEvery: 2 });
  for (let i = 1; i <= 5; i++) await log.append({ type: 'action.allowed', resource: 'prod-db', summary: `l${i}` });
  const v = await cli(['audit', 'verify', '--public-key', keys.publicKey], { CS_DB: live });
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /intact: 5 events, 2 checkpoints \(signatures verified\)/);
  await log.close();
  await store.close();
});

test('audit export --format jsonl --since N writes the later events as JSON lines', async () => {
  const r = await cli(['audit', 'export', '--format', 'jsonl', '--since', '7'], { CS_DB: db });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.seq), [8, 9, 10]);
  assert.equal(lines[0].code, 'CS1002I');
  assert.equal(lines[0].body.summary, 'e8');
  const all = await cli(['audit', 'export'], { CS_DB: db });
  assert.equal(all.stdout.trim().split('\n').length, 10);
  const bad = await cli(['audit', 'export', '--format', 'csv'], { CS_DB: db });
  assert.equal(bad.code, 2);
});

test('audit export: a bad --since/--until is a one-line usage error, exit 2; a reader that goes away (| head) ends it quietly', async () => {
  for (const arg of ['--since', '--until']) {
    const r = await cli(['audit', 'export', arg, 'abc'], { CS_DB: db });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^error: option '${arg} <seq>' argument 'abc' is invalid\\. not a sequence number`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  // The reading end of stdout is closed before the first line is written, as `head` does once it has enough.
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', runner, 'audit', 'export'], { cwd: root, env: { ...process.env, CS_DB: db }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(stderr, '', 'no EPIPE stack');
  assert.equal(code, 0);
});

test('every audit command has --help text', async () => {
  for (const cmd of ['verify', 'export', 'keygen']) {
    const r = await cli(['audit', cmd, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`Usage: countersign audit ${cmd}`));
  }
  const v = await cli(['audit', 'verify', '--help']);
  assert.match(v.stdout, /Exit codes: 0 intact, 1 tampered/);
  assert.match(v.stdout, /3 chain intact but checkpoints exist and no key/);
});

test('audit export --checkpoints keeps the signed checkpoints; verify --anchor catches a tail deleted with its checkpoints', async () => {
  const exported = await cli(['audit', 'export', '--checkpoints'], { CS_DB: db });
  assert.equal(exported.code, 0, exported.stderr);
  const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { checkpoint: number; hash: string; keyId: string });
  assert.deepEqual(lines.map((l) => l.checkpoint), [4, 8, 10]);
  const anchor = join(dir, 'anchor.jsonl');
  writeFileSync(anchor, exported.stdout);

  // Someone with the file deletes the newest events and the checkpoints over them: the rest is a consistent log.
  const cut = join(dir, 'cut.db');
  writeFileSync(cut, readFileSync(db));
  const raw = new Database(cut);
  raw.exec('DELETE FROM audit_events WHERE seq > 6; DELETE FROM audit_checkpoints WHERE seq > 6;');
  raw.close();
  const plain = await cli(['audit', 'verify', '--public-key', keys.publicKey], { CS_DB: cut });
  assert.equal(plain.code, 0, 'inside the log nothing shows it');
  const anchored = await cli(['audit', 'verify', '--public-key', keys.publicKey, '--anchor', anchor], { CS_DB: cut });
  assert.equal(anchored.code, 1, anchored.stdout + anchored.stderr);
  assert.match(anchored.stdout + anchored.stderr, /a checkpoint kept off the host covers event 10 but the log ends at 6/);
  // The intact log passes with its anchors, and says it checked them; a file that is no checkpoint export, or an empty
  // one, is a usage error; an anchor that is not this key's checkpoint is the file's fault, not the log's (exit 2).
  const ok = await cli(['audit', 'verify', '--public-key', keys.publicKey, '--anchor', anchor], { CS_DB: db });
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /; 3 anchors kept off the host matched$/m);
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '\n');
  const none = await cli(['audit', 'verify', '--anchor', empty], { CS_DB: db });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /empty\.jsonl: no checkpoints in it/);
  const other = generateAuditKeyPair();
  const forged = await cli(['audit', 'verify', '--public-key', other.publicKey, '--anchor', anchor], { CS_DB: db });
  assert.equal(forged.code, 2, forged.stdout);
  assert.match(forged.stderr, /does not verify under the public key/);
  const junk = join(dir, 'junk.jsonl');
  writeFileSync(junk, '{"seq": 1}\n');
  const bad = await cli(['audit', 'verify', '--anchor', junk], { CS_DB: db });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /junk\.jsonl:1: not a checkpoint line/);
});

test('audit export --from/--to select events by time (ISO 8601 or a duration ago); a bad time is a usage error', async () => {
  const all = (await cli(['audit', 'export'], { CS_DB: db })).stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; at: number });
  const mid = all[4]!.at;
  const from = await cli(['audit', 'export', '--from', new Date(mid).toISOString()], { CS_DB: db });
  assert.deepEqual(from.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq), all.filter((e) => e.at >= mid).map((e) => e.seq));
  const to = await cli(['audit', 'export', '--to', new Date(mid).toISOString()], { CS_DB: db });
  assert.deepEqual(to.stdout.trim() === '' ? [] : to.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq), all.filter((e) => e.at < mid).map((e) => e.seq));
  assert.equal((await cli(['audit', 'export', '--from', '7d'], { CS_DB: db })).stdout.trim().split('\n').length, all.length, 'everything is from the last week');
  assert.equal((await cli(['audit', 'export', '--to', '7d'], { CS_DB: db })).stdout, '', 'nothing is older than a week');
  const bad = await cli(['audit', 'export', '--from', 'yesterday'], { CS_DB: db });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a time: yesterday/);
});
