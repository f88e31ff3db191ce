import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../../src/store/contract.js';
import { SqliteStore } from '../../src/store/sqlite.js';

storeContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-sqlite-'));
  const file = join(dir, 'countersign.db');
  return {
    open: async () => new SqliteStore(file),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});
