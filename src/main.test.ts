import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAuditKeyPair } from './audit/signing.js';
import { parseConfigText } from './config/load.js';
import { createRuntime } from './main.js';

async function warningsFor(yaml: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-runtime-'));
  try {
    const config = { ...parseConfigText(`store: { driver: sqlite, path: ${JSON.stringify(join(dir, 'cs.db'))} }\n${yaml}`, join(dir, 'countersign.yaml')), baseDir: dir };
    const rt = await createRuntime(config, { env });
    await rt.close();
    return rt.warnings;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the runtime warns about development-only settings: static tokens, and no audit signing key', async () => {
  const key = generateAuditKeyPair().privateKey;
  const dev = await warningsFor(
    'identity:\n  static_tokens:\n    - { token_env: CS_T, id: agent:a, type: agent }\n',
    { CS_T: 'x'.repeat(24) },
  );
  assert.ok(dev.some((w) => /identity\.static_tokens: 1 development bearer token/.test(w)), dev.join('\n'));
  assert.ok(dev.some((w) => /COUNTERSIGN_AUDIT_KEY is not set/.test(w)), dev.join('\n'));
  const prod = await warningsFor('', { COUNTERSIGN_AUDIT_KEY: key });
  assert.deepEqual(prod, []);
});
