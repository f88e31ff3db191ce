import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../config/load.js';
import { CountersignError } from '../core/errors.js';
import { auditSignerForConfig, devAuditKeyFile } from './config-signer.js';
import { generateAuditKeyPair } from './signing.js';

const config = (store: string) => ({ ...parseConfigText(`store: ${store}\n`, join(mkdtempSync(join(tmpdir(), 'cs-signer-')), 'countersign.yaml')) });

test('a PostgreSQL store needs the audit key in the environment: gateways sharing it must sign one log with one key', () => {
  const cfg = config('{ driver: postgres, url_env: DATABASE_URL }');
  const warnings: string[] = [];
  assert.throws(() => auditSignerForConfig(cfg, {}, warnings), (e: unknown) => e instanceof CountersignError && e.code === 'SECRET_MISSING' && /COUNTERSIGN_AUDIT_KEY is not set: gateways sharing a PostgreSQL store/.test(e.message));
  assert.equal(existsSync(devAuditKeyFile(cfg)), false, 'no development key was made');
  const { privateKey, keyId } = generateAuditKeyPair();
  assert.equal(auditSignerForConfig(cfg, { COUNTERSIGN_AUDIT_KEY: privateKey }, warnings).keyId, keyId);
  assert.deepEqual(warnings, []);
});

test('a SQLite store without the key gets a development key beside its file, with a warning, the same one each time', () => {
  const cfg = config('{ driver: sqlite, path: ./data/cs.db }');
  const warnings: string[] = [];
  const first = auditSignerForConfig(cfg, {}, warnings);
  assert.equal(auditSignerForConfig(cfg, {}, warnings).keyId, first.keyId);
  assert.match(warnings[0]!, /COUNTERSIGN_AUDIT_KEY is not set: audit checkpoints are signed with the development key in .*audit-signing\.key/);
});
