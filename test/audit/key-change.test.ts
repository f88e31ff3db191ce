import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAuditKeyPair } from '../../src/audit/signing.js';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/main.js';

const dir = mkdtempSync(join(tmpdir(), 'cs-key-change-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('a gateway that signs with another key than the log\'s newest checkpoint is warned at start', async () => {
  const file = join(dir, 'countersign.yaml');
  writeFileSync(file, 'store: { path: ./data/cs.db }\n');
  const config = await loadConfig(file);
  const first = generateAuditKeyPair(), second = generateAuditKeyPair();
  const a = await createRuntime(config, { env: { COUNTERSIGN_AUDIT_KEY: first.privateKey } });
  await a.gateway.record({ type: 'gateway.started' });
  await a.close(); // writes its final checkpoint
  const same = await createRuntime(config, { env: { COUNTERSIGN_AUDIT_KEY: first.privateKey } });
  assert.ok(!same.warnings.some((w) => /newest checkpoint/.test(w)), 'the same key: no warning');
  await same.close();
  const b = await createRuntime(config, { env: { COUNTERSIGN_AUDIT_KEY: second.privateKey } });
  try {
    const w = b.warnings.find((x) => /newest checkpoint/.test(x));
    assert.ok(w, b.warnings.join('\n'));
    assert.match(w!, new RegExp(`signed with key ${first.keyId}; this gateway signs with ${second.keyId}`));
  } finally {
    await b.close();
  }
});
