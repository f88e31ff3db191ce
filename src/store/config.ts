import { z } from 'zod';

/** `store:` section. SQLite file by default; PostgreSQL when several gateways share state. */
export const storeConfigSchema = z
  .strictObject({
    driver: z.enum(['sqlite', 'postgres']).default('sqlite'),
    /** SQLite file path, relative to the config file. */
    path: z.string().default('./data/countersign.db'),
    /** Name of the environment variable holding the PostgreSQL URL (secrets never live in the file). */
    url_env: z.string().default('DATABASE_URL'),
  })
  .prefault({});
export type StoreConfig = z.infer<typeof storeConfigSchema>;
