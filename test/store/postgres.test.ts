import { after, before } from 'node:test';
import { randomBytes } from 'node:crypto';
import { storeContract } from '../../src/store/contract.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { testDatabaseUrl } from '../support/postgres.js';

// One database for this file (DATABASE_URL's server, or an embedded one); a fresh schema for every test.
let db: { url: string; stop(): Promise<void> };
before(async () => {
  db = await testDatabaseUrl();
});
after(async () => {
  await db?.stop();
});

storeContract('postgres', async () => {
  const schema = `t_${randomBytes(5).toString('hex')}`;
  return {
    open: async () => {
      const s = new PostgresStore({ url: db.url, schema, max: 4 });
      await s.migrate();
      return s;
    },
    dispose: async () => undefined, // the database is dropped in after()
  };
});
