import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/core/clock.js';
import { createAuditLog } from '../../src/audit/log.js';
import { createAuditSigner, generateAuditKeyPair } from '../../src/audit/signing.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { AuditEventInput } from '../../src/audit/types.js';

export async function tempDir(prefix = 'cs-audit-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function sampleEvent(i: number): AuditEventInput {
  return {
    type: i % 3 === 0 ? 'action.requested' : i % 3 === 1 ? 'action.allowed' : 'action.executed',
    principal: { id: `agent:w${i % 4}`, type: 'agent', onBehalfOf: 'alice@example.com' },
    resource: 'prod-db',
    actionDigest: 'ab'.repeat(32),
    summary: `event e${i}`,
    data: { n: i, rows: [1, 2, 3] },
  };
}

/** A SQLite file holding `n` audit events written through the audit log, checkpoints every `every` and at close. */
export async function buildLogFile(file: string, n: number, every: number) {
  const keys = generateAuditKeyPair();
  const signer = createAuditSigner(keys.privateKey);
  const store = new SqliteStore(file);
  const clock = new FakeClock();
  const log = createAuditLog({ store, signer, clock, checkpointEvery: every });
  for (let i = 1; i <= n; i++) {
    clock.advance(1000);
    await log.append(sampleEvent(i));
  }
  await log.close();
  await store.close();
  return { keys, signer };
}
