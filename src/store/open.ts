import { isAbsolute, resolve } from 'node:path';
import { CountersignError } from '../core/errors.js';
import type { StoreConfig } from './config.js';
import type { Store } from './types.js';

/**
 * Open the configured store and apply migrations. SQLite paths are relative to `baseDir` (the config file's
 * directory). PostgreSQL reads its URL from the env var named by `url_env`; unset → CountersignError('SECRET_MISSING').
 * Failures to connect or migrate reject with STORE_UNAVAILABLE.
 *
 * @example const store = await openStore(config.store, dirname(configPath));
 */
export async function openStore(config: StoreConfig, baseDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  if (config.driver === 'postgres') {
    const url = env[config.url_env];
    if (!url) throw new CountersignError('SECRET_MISSING', `environment variable ${config.url_env} (PostgreSQL URL for the store) is not set`);
    const { PostgresStore } = await import('./postgres.js');
    const store = new PostgresStore({ url });
    try {
      await store.migrate();
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
    return store;
  }
  const { SqliteStore } = await import('./sqlite.js');
  const path = config.path === ':memory:' || isAbsolute(config.path) ? config.path : resolve(baseDir, config.path);
  return new SqliteStore(path);
}
