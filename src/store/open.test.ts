import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './open.js';
import { storeConfigSchema } from './config.js';

test('openStore: sqlite path is resolved against the config directory and created', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-open-'));
  try {
    const store = await openStore(storeConfigSchema.parse({ path: './data/cs.db' }), dir);
    assert.equal(store.kind, 'sqlite');
    await store.putToken('s', 't', 'c', 1);
    await store.close();
    assert.ok(existsSync(join(dir, 'data', 'cs.db')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
