// The CLI as shipped (src/cli/main.ts in a real process) against a config: what the store and audit commands take
// from it, and that only `serve` creates a store.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createAuditLog } from '../../src/audit/log.js';
import { createAuditSigner, generateAuditKeyPair } from '../../src/audit/signing.js';
import { SqliteStore } from '../../src/store/sqlite.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, CLI, ...args], { env: { ...process.env, COUNTERSIGN_AUDIT_KEY: '', ...env }, timeout: 60_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('countersign CLI with a config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-cli-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("audit verify checks signatures with the key in the config's audit.signing_key_env; an explicit --key-env wins", async () => {
    const key = generateAuditKeyPair().privateKey;
    const store = new SqliteStore(join(dir, 'signed.db'));
    const log = createAuditLog({ store, signer: createAuditSigner(key), checkpointEvery: 2 });
    for (let i = 1; i <= 4; i++) await log.append({ type: 'action.allowed', resource: 'prod-db', summary: `e${i}` });
    await log.close();
    await store.close();
    const config = join(dir, 'signed.yaml');
    writeFileSync(config, 'store: { path: ./signed.db }\naudit: { signing_key_env: MY_AUDIT_KEY }\n');

    const r = await cli(['audit', 'verify', '--config', config], { MY_AUDIT_KEY: key });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /intact: 4 events, 2 checkpoints \(signatures verified\)/);
    const other = await cli(['audit', 'verify', '--config', config, '--key-env', 'OTHER_KEY'], { MY_AUDIT_KEY: key, OTHER_KEY: generateAuditKeyPair().privateKey });
    assert.equal(other.code, 1, 'the explicit --key-env is used');
    assert.match(other.stdout, /bad_checkpoint/);
    const none = await cli(['audit', 'verify', '--config', config]);
    assert.equal(none.code, 3, 'checkpoints nobody could check are not "verified"');
    assert.match(none.stdout, /signatures NOT checked: no public key \(set MY_AUDIT_KEY or pass --public-key\)/);
  });

  it('keys list / create / revoke refuse a store that does not exist (STORE_NOT_FOUND) and create nothing; only serve creates one', async () => {
    const config = join(dir, 'typo.yaml');
    writeFileSync(config, 'store: { path: ./typo-dir/cs.db }\n');
    for (const args of [['keys', 'list'], ['keys', 'create', '--name', 'bot', '--type', 'agent'], ['keys', 'revoke', 'abc123abc123']]) {
      const r = await cli([...args, '--config', config]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^error: STORE_NOT_FOUND: no store at \S+typo-dir\/cs\.db: the file does not exist/);
      assert.doesNotMatch(r.stdout, /No API keys|cs_/);
      assert.equal(existsSync(join(dir, 'typo-dir')), false, `${args.join(' ')} created nothing`);
    }
    // Where the store exists, keys work as before.
    await new SqliteStore(join(dir, 'typo-dir', 'cs.db')).close();
    const listed = await cli(['keys', 'list', '--config', config]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /No API keys/);
  });

  it('keys commands refuse a file that is not a Countersign store (empty, another program\'s database) and change nothing', async () => {
    const { default: Database } = await import('better-sqlite3');
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE users (id INTEGER, email TEXT)');
    db.close();
    writeFileSync(join(dir, 'empty.db'), '');
    for (const file of ['other.db', 'empty.db']) {
      const config = join(dir, `${file}.yaml`);
      writeFileSync(config, `store: { path: ./${file} }\n`);
      const r = await cli(['keys', 'list', '--config', config]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /^error: STORE_NOT_FOUND: no store at \S+: the file is not a Countersign store/);
    }
    const check = new Database(other, { readonly: true });
    assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'users' }], 'nothing was added');
    check.close();
  });

  it('keys create --init-store makes the store on a fresh install (before the first serve), and the key is in it', async () => {
    const config = join(dir, 'fresh.yaml');
    writeFileSync(config, 'store: { path: ./fresh-dir/cs.db }\n');
    const made = await cli(['keys', 'create', '--name', 'bot', '--type', 'agent', '--init-store', '--config', config]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^cs_\w{12}_\w{43}\n$/);
    const listed = await cli(['keys', 'list', '--config', config]);
    assert.match(listed.stdout, /agent:bot/);
  });
});
