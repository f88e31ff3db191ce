import { existsSync } from 'node:fs';
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
  return new SqliteStore(sqlitePath(config, baseDir));
}

/**
 * Open the configured store to change it where it already exists (`keys create|list|revoke`): unlike openStore, which
 * the gateway uses (`serve`, `mcp`), it creates nothing. A missing SQLite file, or a PostgreSQL database without Countersign's schema,
 * is CountersignError('STORE_NOT_FOUND'), so a mistyped path does not quietly get a new, empty store of its own.
 *
 * @example const store = await openExistingStore(config.store, dirname(configPath));
 */
export async function openExistingStore(config: StoreConfig, baseDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const hint = '(check --config and the store settings; only `countersign serve`, or `keys create --init-store` on a fresh install, creates a store, and nothing was created)';
  if (config.driver === 'postgres') {
    return openPostgresIfMigrated(config.url_env, env, false, (urlEnv) => new CountersignError('STORE_NOT_FOUND', `no store in the PostgreSQL database named by ${urlEnv}: it has no Countersign schema ${hint}`, { urlEnv }));
  }
  const path = sqlitePath(config, baseDir);
  if (path === ':memory:' || !existsSync(path)) throw new CountersignError('STORE_NOT_FOUND', `no store at ${path}: the file does not exist ${hint}`, { path });
  // A file that is there but holds no Countersign schema (empty, another program's database) is not migrated into one.
  if ((await sqliteSchemaVersion(path)) === 0) throw new CountersignError('STORE_NOT_FOUND', `no store at ${path}: the file is not a Countersign store ${hint}`, { path });
  const { SqliteStore } = await import('./sqlite.js');
  return new SqliteStore(path);
}

/** The schema version a SQLite file records (`user_version`, set by the store's migrations); 0 for anything else. */
async function sqliteSchemaVersion(path: string): Promise<number> {
  const { default: Database } = await import('better-sqlite3');
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.pragma('user_version', { simple: true }) as number;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not a SQLite database at all
  }
}

/**
 * Open the configured store to read what is there (`audit verify`, `audit export`), creating and changing nothing: a
 * SQLite file is opened read-only and never created; a missing one is CountersignError('AUDIT_NOT_FOUND') naming the
 * path, so a wrong path or a deleted log is not mistaken for an empty, intact one. PostgreSQL is opened with
 * read-only transactions and never migrated (a read-only auditor role suffices); a database without Countersign's
 * schema is AUDIT_NOT_FOUND likewise.
 *
 * @example const store = await openStoreForReading(config.store, dirname(configPath));
 */
export async function openStoreForReading(config: StoreConfig, baseDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  if (config.driver === 'postgres') {
    return openPostgresIfMigrated(config.url_env, env, true, (urlEnv) => new CountersignError('AUDIT_NOT_FOUND', `no audit log in the PostgreSQL database named by ${urlEnv}: it has no Countersign schema (check --config and ${urlEnv}; nothing was created)`, { urlEnv }));
  }
  const path = sqlitePath(config, baseDir);
  if (path === ':memory:' || !existsSync(path)) {
    throw new CountersignError('AUDIT_NOT_FOUND', `no audit log at ${path}: the store file does not exist (check --config and store.path; nothing was created)`, { path });
  }
  const { SqliteStore } = await import('./sqlite.js');
  return new SqliteStore(path, { readOnly: true });
}

function sqlitePath(config: StoreConfig, baseDir: string): string {
  return config.path === ':memory:' || isAbsolute(config.path) ? config.path : resolve(baseDir, config.path);
}

/** A PostgreSQL store whose schema is there already, never migrated; `missing` is the error for one without it. */
async function openPostgresIfMigrated(urlEnv: string, env: NodeJS.ProcessEnv, readOnly: boolean, missing: (urlEnv: string) => CountersignError): Promise<Store> {
  const url = env[urlEnv];
  if (!url) throw new CountersignError('SECRET_MISSING', `environment variable ${urlEnv} (PostgreSQL URL for the store) is not set`);
  const { PostgresStore } = await import('./postgres.js');
  const store = new PostgresStore({ url, readOnly });
  try {
    if ((await store.schemaVersion()) === 0) throw missing(urlEnv);
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}
