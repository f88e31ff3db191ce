import pg from 'pg';
import { CountersignError } from '../core/errors.js';
import { AUDIT_GENESIS_HASH, canonicalBody } from '../audit/chain.js';
import { CommitQueue, type JobResult } from './commit-queue.js';
import { chainAuditJobs, storeError, type AuditJob } from './errors.js';
import { eventFromRow, keyFromRow, requestDoc, requestFromRow } from './rows.js';
import {
  StillWaitedError,
  StoreConflictError,
  type AppendEventOptions,
  type AuditCheckpoint,
  type AuditRawRecord,
  type AuditRecord,
  type RequestEvent,
  type OpenRequestOptions,
  type OpenRequestResult,
  type RequestFilter,
  type RequestStatus,
  type Store,
  type StoredKey,
  type StoredRequest,
} from './types.js';

type Build = AuditJob['build'];

// Numbers: epoch ms and seqs are BIGINT; they fit a JS number, so parse them as such (OID 20 = int8).
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS requests (
     id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, digest TEXT NOT NULL,
     principal_id TEXT NOT NULL, status TEXT NOT NULL, doc JSONB NOT NULL, channel_data JSONB NOT NULL DEFAULT '{}');
   CREATE INDEX IF NOT EXISTS requests_status ON requests (status, created_at);
   CREATE INDEX IF NOT EXISTS requests_digest ON requests (digest, status);
   CREATE INDEX IF NOT EXISTS requests_principal ON requests (principal_id, created_at);
   CREATE TABLE IF NOT EXISTS request_events (
     request_id TEXT NOT NULL REFERENCES requests (id), seq INTEGER NOT NULL, doc JSONB NOT NULL,
     CONSTRAINT request_events_request_seq UNIQUE (request_id, seq));
   CREATE TABLE IF NOT EXISTS audit_events (
     seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, code TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,
     prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS audit_checkpoints (
     seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, at BIGINT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS api_keys (
     id TEXT PRIMARY KEY, hash TEXT NOT NULL, principal JSONB NOT NULL, created_at BIGINT NOT NULL,
     revoked_at BIGINT, last_used_at BIGINT);
   CREATE TABLE IF NOT EXISTS tokens (
     scope TEXT NOT NULL, token TEXT NOT NULL, ciphertext TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (scope, token));`,
  // 2: one outcome report per allowed action (the key an outcome report claimed, and when).
  `CREATE TABLE IF NOT EXISTS outcome_claims (key TEXT PRIMARY KEY, claimed_at BIGINT NOT NULL);
   CREATE INDEX IF NOT EXISTS outcome_claims_at ON outcome_claims (claimed_at);`,
  // 3: who waits on a pending request, each until its lease runs out (a held call, on any gateway sharing the database).
  `CREATE TABLE IF NOT EXISTS request_waiters (
     waiter_id TEXT PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests (id), lease_until BIGINT NOT NULL);
   CREATE INDEX IF NOT EXISTS request_waiters_request ON request_waiters (request_id, lease_until);`,
];

export interface PostgresStoreOptions {
  /** Connection URL (from the env var named by `store.url_env`). */
  url: string;
  /** Schema to use (created by migrate if missing); default: the connection's search_path (usually `public`). */
  schema?: string;
  /** Pool size; default 10. */
  max?: number;
  /** Every transaction read-only (`default_transaction_read_only`): for readers such as `audit verify`. */
  readOnly?: boolean;
}

const UNIQUE_VIOLATION = '23505';

/**
 * The shared store: several gateways point at one PostgreSQL database. Audit appends take a transaction-scoped
 * advisory lock before reading the head, so appends from every process are serialised and the chain never
 * forks (the seq primary key is the backstop). Request events rely on a UNIQUE (request_id, seq) constraint to
 * turn a lost race into a StoreConflictError. Every other failure is CountersignError('STORE_UNAVAILABLE').
 *
 * @example
 *   const store = new PostgresStore({ url: process.env.DATABASE_URL! });
 *   await store.migrate();
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly schema?: string;
  private readonly auditQueue: CommitQueue<AuditJob, AuditRecord[]>;
  private closed = false;

  constructor(opts: PostgresStoreOptions) {
    this.schema = opts.schema;
    if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) {
      throw new CountersignError('CONFIG_INVALID', `store: invalid PostgreSQL schema name ${JSON.stringify(opts.schema)}`);
    }
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.max ?? 10,
      types,
      options: [opts.schema ? `-c search_path=${opts.schema}` : '', opts.readOnly ? '-c default_transaction_read_only=on' : ''].filter(Boolean).join(' ') || undefined,
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
    this.auditQueue = new CommitQueue<AuditJob, AuditRecord[]>((jobs) => this.commitAudit(jobs), (e) => storeError('appendAudit', e));
  }

  private async q<R extends pg.QueryResultRow = any>(op: string, sql: string, args: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      if (this.closed) throw new Error('store is closed');
      return await this.pool.query<R>(sql, args);
    } catch (e) {
      throw storeError(op, e);
    }
  }

  /**
   * Runs `fn` in a transaction on one client; rolls back on any error. A checked-out client has no listener of the
   * pool's: its connection dropping (server restart, failover, pg_terminate_backend, a cut socket) emits 'error' on
   * it, which would crash the process unhandled. That error is caught here, the call rejects with STORE_UNAVAILABLE,
   * and the broken client is released with the error so the pool discards it instead of handing it out again.
   */
  private async tx<T>(op: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient | undefined;
    let broken: Error | undefined;
    const onError = (e: Error) => {
      broken ??= e;
    };
    try {
      if (this.closed) throw new Error('store is closed');
      client = await this.checkout(onError);
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      // A client whose rollback failed may still be inside the transaction: discard it too.
      if (client && !broken) await client.query('ROLLBACK').catch((re: Error) => onError(re));
      throw storeError(op, e);
    } finally {
      client?.off('error', onError);
      client?.release(broken);
    }
  }

  /**
   * A client from the pool with `onError` on it. Attached in the pool's callback, not after an await: a fresh client
   * is handed out while its first messages are parsed, and a FATAL right behind them (a backend terminated as it
   * started) is emitted in that same tick, before any continuation of a promise could listen.
   */
  private checkout(onError: (e: Error) => void): Promise<pg.PoolClient> {
    return new Promise((resolve, reject) => {
      this.pool.connect((err, client) => {
        if (err || !client) return reject(err ?? new Error('the pool handed out no client'));
        client.on('error', onError);
        resolve(client);
      });
    });
  }

  async migrate(): Promise<void> {
    await this.tx('migrate', async (c) => {
      // Serialise concurrent migrators (several gateways starting at once).
      await c.query(`SELECT pg_advisory_xact_lock(hashtext('countersign.migrate'))`);
      if (this.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await c.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const cur = (await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version')).rows[0]?.v ?? 0;
      for (let v = cur; v < MIGRATIONS.length; v++) {
        await c.query(MIGRATIONS[v]!);
        await c.query('INSERT INTO schema_version (version) VALUES ($1)', [v + 1]);
      }
    });
  }

  /**
   * The schema version this database (or schema) holds, 0 when it has no Countersign tables; reads only, so a reader
   * can refuse a wrong database instead of migrating it.
   */
  async schemaVersion(): Promise<number> {
    const { rows } = await this.q<{ present: boolean }>('open', `SELECT to_regclass('schema_version') IS NOT NULL AS present`);
    if (!rows[0]?.present) return 0;
    return (await this.q<{ v: number | null }>('open', 'SELECT max(version) AS v FROM schema_version')).rows[0]?.v ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.auditQueue.size > 0) await new Promise((r) => setImmediate(r));
    this.closed = true;
    try {
      await this.pool.end();
    } catch (e) {
      throw storeError('close', e);
    }
  }

  // ---------- approvals ----------
  async createRequest(req: StoredRequest): Promise<void> {
    try {
      if (this.closed) throw new Error('store is closed');
      await insertRequest(this.pool, req);
    } catch (e) {
      throw storeError('createRequest', e);
    }
  }

  openRequest(req: StoredRequest, opts: OpenRequestOptions): Promise<OpenRequestResult> {
    return this.tx('openRequest', async (c): Promise<OpenRequestResult> => {
      // One lock per principal (an action's digest covers its principal, so identical actions share it): every gateway
      // creating a request for this principal queues here, and each one's lookup and count see the others' commits.
      await c.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.countersign.requests.' || $1))`, [req.principal.id]);
      const found = await c.query(
        `SELECT id, doc, status, channel_data FROM requests WHERE digest = $1 AND status = 'pending' AND expires_at > $2 ORDER BY created_at DESC, id`,
        [req.digest, opts.now],
      );
      const join = found.rows.map(requestFromRow).find((r) => r.rule === req.rule && !opts.passOver?.includes(r.id));
      if (join) return { outcome: 'joined', request: join };
      if (opts.maxWaiting !== undefined) {
        const n = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM requests WHERE principal_id = $1 AND status = 'pending' AND expires_at > $2`, [req.principal.id, opts.now])).rows[0]!.n);
        if (n >= opts.maxWaiting) return { outcome: 'full', waiting: n };
      }
      await insertRequest(c, req);
      return { outcome: 'created', request: req };
    });
  }

  async getRequest(id: string): Promise<StoredRequest | undefined> {
    const r = await this.q('getRequest', 'SELECT doc, status, channel_data FROM requests WHERE id = $1', [id]);
    return r.rows[0] && requestFromRow(r.rows[0]);
  }

  async listRequests(filter: RequestFilter = {}): Promise<StoredRequest[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.status) {
      if (filter.status.length === 0) return [];
      args.push(filter.status);
      where.push(`status = ANY($${args.length})`);
    }
    if (filter.principalId !== undefined) {
      args.push(filter.principalId);
      where.push(`principal_id = $${args.length}`);
    }
    if (filter.expiresAfter !== undefined) {
      args.push(filter.expiresAfter);
      where.push(`expires_at > $${args.length}`);
    }
    if (filter.expiredBy !== undefined) {
      args.push(filter.expiredBy);
      where.push(`expires_at <= $${args.length}`);
    }
    args.push(filter.limit ?? 1000);
    const sql = `SELECT doc, status, channel_data FROM requests ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
                 ORDER BY created_at DESC, id LIMIT $${args.length}`;
    return (await this.q('listRequests', sql, args)).rows.map(requestFromRow);
  }

  async findByDigest(digest: string, status: RequestStatus[]): Promise<StoredRequest[]> {
    if (status.length === 0) return [];
    const r = await this.q('findByDigest', 'SELECT doc, status, channel_data FROM requests WHERE digest = $1 AND status = ANY($2) ORDER BY created_at DESC, id', [digest, status]);
    return r.rows.map(requestFromRow);
  }

  async events(requestId: string): Promise<RequestEvent[]> {
    const r = await this.q('events', 'SELECT doc FROM request_events WHERE request_id = $1 ORDER BY seq', [requestId]);
    return r.rows.map(eventFromRow);
  }

  appendEvent(requestId: string, event: RequestEvent, newStatus: RequestStatus, opts: AppendEventOptions = {}): Promise<void> {
    return this.tx('appendEvent', async (c) => {
      // The row lock orders appenders of one request (and joiners and leavers of its waiters); the unique constraint
      // catches anything that slips by.
      const found = await c.query('SELECT 1 FROM requests WHERE id = $1 FOR UPDATE', [requestId]);
      if (found.rowCount === 0) throw new CountersignError('REQUEST_NOT_FOUND', `no approval request ${requestId}`);
      const last = Number((await c.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM request_events WHERE request_id = $1', [requestId])).rows[0]?.seq ?? 0);
      if (event.seq !== last + 1) throw new StoreConflictError(`request ${requestId}: event seq ${event.seq} is not the next (${last + 1})`);
      if (opts.unlessWaitedAt !== undefined && (await waitersLeft(c, requestId, opts.unlessWaitedAt)) > 0) {
        throw new StillWaitedError(`request ${requestId} is still waited on`);
      }
      try {
        await c.query('INSERT INTO request_events (request_id, seq, doc) VALUES ($1, $2, $3)', [requestId, event.seq, JSON.stringify(event)]);
      } catch (e) {
        if (pgCode(e) === UNIQUE_VIOLATION) throw new StoreConflictError(`request ${requestId}: event seq ${event.seq} is taken`);
        throw e;
      }
      await c.query('UPDATE requests SET status = $1 WHERE id = $2', [newStatus, requestId]);
      if (newStatus !== 'pending') await c.query('DELETE FROM request_waiters WHERE request_id = $1', [requestId]);
    });
  }

  // Waiters: every write locks the request's row first (joins share it; a leave or an append takes it alone), so on
  // one request they happen one after another on every gateway, and under READ COMMITTED each statement after the
  // lock sees what the writers before it committed.
  joinWaiter(requestId: string, waiterId: string, leaseUntil: number): Promise<boolean> {
    return this.tx('joinWaiter', async (c) => {
      const found = await c.query<{ status: string }>('SELECT status FROM requests WHERE id = $1 FOR SHARE', [requestId]);
      if (found.rowCount === 0) throw new CountersignError('REQUEST_NOT_FOUND', `no approval request ${requestId}`);
      if (found.rows[0]!.status !== 'pending') return false;
      await c.query(
        `INSERT INTO request_waiters (waiter_id, request_id, lease_until) VALUES ($1, $2, $3)
         ON CONFLICT (waiter_id) DO UPDATE SET lease_until = greatest(request_waiters.lease_until, excluded.lease_until)`,
        [waiterId, requestId, leaseUntil],
      );
      return true;
    });
  }

  async renewWaiters(waiterIds: string[], leaseUntil: number): Promise<void> {
    if (waiterIds.length === 0) return;
    // SKIP LOCKED: a renewal never waits for a row another transaction holds (a leave, an append forgetting the
    // request's waiters), so it cannot deadlock with them; a row skipped now is renewed on the next round.
    await this.q(
      'renewWaiters',
      `UPDATE request_waiters SET lease_until = greatest(lease_until, $1)
       WHERE waiter_id IN (SELECT waiter_id FROM request_waiters WHERE waiter_id = ANY($2) FOR UPDATE SKIP LOCKED)`,
      [leaseUntil, waiterIds],
    );
  }

  leaveWaiter(requestId: string, waiterId: string, now: number): Promise<number> {
    return this.tx('leaveWaiter', async (c) => {
      await c.query('SELECT 1 FROM requests WHERE id = $1 FOR UPDATE', [requestId]);
      await c.query('DELETE FROM request_waiters WHERE waiter_id = $1 AND request_id = $2', [waiterId, requestId]);
      return waitersLeft(c, requestId, now);
    });
  }

  setChannelData(requestId: string, channel: string, data: unknown): Promise<void> {
    return this.tx('setChannelData', async (c) => {
      const r = await c.query('UPDATE requests SET channel_data = channel_data || jsonb_build_object($2::text, $3::jsonb) WHERE id = $1', [
        requestId, channel, JSON.stringify(data ?? null),
      ]);
      if (r.rowCount === 0) throw new CountersignError('REQUEST_NOT_FOUND', `no approval request ${requestId}`);
    });
  }

  // ---------- audit ----------
  appendAudit(build: Build, opts: { flush?: 'now' | 'soon' } = {}): Promise<AuditRecord[]> {
    if (this.closed) return Promise.reject(storeError('appendAudit', new Error('store is closed')));
    return this.auditQueue.push({ build, now: opts.flush !== 'soon' });
  }

  private commitAudit(jobs: AuditJob[]): Promise<Array<JobResult<AuditRecord[]>>> {
    return this.tx('appendAudit', async (c) => {
      // A batch of only 'soon' appends: commit without waiting for the WAL flush (the WAL writer flushes it
      // within a few hundred ms; a server crash in between may lose it, the database stays consistent).
      if (!jobs.some((j) => j.now)) await c.query('SET LOCAL synchronous_commit TO OFF');
      // One lock per schema: every gateway sharing these tables queues here, so each reads the true head.
      await c.query(`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.countersign.audit'))`);
      const { results, rows } = chainAuditJobs(await headOf(c), jobs);
      // Multi-row inserts, 500 rows (3,500 parameters) at a time.
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        const args: unknown[] = [];
        const values = chunk.map((r) => {
          args.push(r.seq, r.at, r.code, r.type, canonicalBody(r), r.prevHash, r.hash);
          const n = args.length;
          return `($${n - 6},$${n - 5},$${n - 4},$${n - 3},$${n - 2},$${n - 1},$${n})`;
        });
        await c.query(`INSERT INTO audit_events (seq, at, code, type, body, prev_hash, hash) VALUES ${values.join(',')}`, args);
      }
      return results;
    });
  }

  async auditHead(): Promise<{ seq: number; hash: string }> {
    try {
      if (this.closed) throw new Error('store is closed');
      return await headOf(this.pool);
    } catch (e) {
      throw storeError('auditHead', e);
    }
  }

  async readAudit(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const r = await this.q('readAudit', 'SELECT seq, at, code, type, body, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit]);
    return r.rows.map((row) => ({
      seq: row.seq,
      at: row.at,
      code: row.code,
      type: row.type,
      body: JSON.parse(row.body) as Record<string, unknown>,
      prevHash: row.prev_hash,
      hash: row.hash,
    }));
  }

  async readAuditRaw(afterSeq: number, limit: number): Promise<AuditRawRecord[]> {
    const r = await this.q('readAudit', 'SELECT seq, at, code, type, body, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit]);
    return r.rows.map((row) => ({ seq: row.seq, at: row.at, code: row.code, type: row.type, bodyJson: row.body, prevHash: row.prev_hash, hash: row.hash }));
  }

  async appendCheckpoint(cp: AuditCheckpoint): Promise<void> {
    await this.q('appendCheckpoint', 'INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (seq) DO NOTHING', [
      cp.seq, cp.hash, cp.at, cp.keyId, cp.signature,
    ]);
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    const r = await this.q('checkpoints', 'SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq');
    return r.rows.map((row) => ({ seq: row.seq, hash: row.hash, at: row.at, keyId: row.key_id, signature: row.signature }));
  }

  // ---------- API keys ----------
  /** Insert only: an id is taken once (re-using a revoked key's id must not bring it back). */
  async putKey(key: StoredKey): Promise<void> {
    const r = await this.q(
      'putKey',
      `INSERT INTO api_keys (id, hash, principal, created_at, revoked_at, last_used_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (id) DO NOTHING`,
      [key.id, key.hash, JSON.stringify(key.principal), key.createdAt, key.revokedAt ?? null, key.lastUsedAt ?? null],
    );
    if (r.rowCount === 0) throw new CountersignError('BAD_REQUEST', `an API key with id "${key.id}" already exists`);
  }

  /** Moves `lastUsedAt` forward only; never touches `revokedAt`. */
  async touchKey(id: string, at: number): Promise<void> {
    await this.q('touchKey', 'UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)', [at, id]);
  }

  async getKey(id: string): Promise<StoredKey | undefined> {
    const r = await this.q('getKey', 'SELECT id, hash, principal, created_at, revoked_at, last_used_at FROM api_keys WHERE id = $1', [id]);
    return r.rows[0] && keyFromRow(r.rows[0]);
  }

  async listKeys(): Promise<StoredKey[]> {
    const r = await this.q('listKeys', 'SELECT id, hash, principal, created_at, revoked_at, last_used_at FROM api_keys ORDER BY created_at, id');
    return r.rows.map(keyFromRow);
  }

  async revokeKey(id: string, at: number): Promise<void> {
    const r = await this.q('revokeKey', 'UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2', [at, id]);
    if (r.rowCount === 0) throw new CountersignError('NOT_FOUND', `no API key ${id}`);
  }

  // ---------- tokens ----------
  async putToken(scope: string, token: string, ciphertext: string, at: number): Promise<void> {
    await this.q('putToken', 'INSERT INTO tokens (scope, token, ciphertext, at) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING', [scope, token, ciphertext, at]);
  }

  async getToken(scope: string, token: string): Promise<string | undefined> {
    const r = await this.q<{ ciphertext: string }>('getToken', 'SELECT ciphertext FROM tokens WHERE scope = $1 AND token = $2', [scope, token]);
    return r.rows[0]?.ciphertext;
  }

  // ---------- outcome claims ----------
  async claimOutcome(key: string, at: number): Promise<boolean> {
    // One statement: the primary key decides between concurrent claimers (other gateways included); a concurrent
    // inserter of the same key waits for the first to commit, then inserts nothing.
    const r = await this.q('claimOutcome', 'INSERT INTO outcome_claims (key, claimed_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, at]);
    return r.rowCount === 1;
  }

  async releaseOutcome(key: string): Promise<void> {
    await this.q('releaseOutcome', 'DELETE FROM outcome_claims WHERE key = $1', [key]);
  }

  async forgetOutcomes(before: number): Promise<number> {
    return (await this.q('forgetOutcomes', 'DELETE FROM outcome_claims WHERE claimed_at < $1', [before])).rowCount ?? 0;
  }
}

/** Insert a request; a taken id is a StoreConflictError. */
async function insertRequest(c: pg.Pool | pg.PoolClient, req: StoredRequest): Promise<void> {
  try {
    await c.query('INSERT INTO requests (id, created_at, expires_at, digest, principal_id, status, doc, channel_data) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)', [
      req.id, req.createdAt, req.expiresAt, req.digest, req.principal.id, req.status, requestDoc(req), JSON.stringify(req.channelData ?? {}),
    ]);
  } catch (e) {
    if (pgCode(e) === UNIQUE_VIOLATION) throw new StoreConflictError(`request ${req.id} already exists`);
    throw e;
  }
}

/** Waiters on the request whose lease runs past `now`. */
async function waitersLeft(c: pg.PoolClient, requestId: string, now: number): Promise<number> {
  return Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM request_waiters WHERE request_id = $1 AND lease_until > $2', [requestId, now])).rows[0]!.n);
}

async function headOf(c: pg.Pool | pg.PoolClient): Promise<{ seq: number; hash: string }> {
  const r = await c.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1');
  const row = r.rows[0];
  return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: AUDIT_GENESIS_HASH };
}

function pgCode(e: unknown): string | undefined {
  const cause = e instanceof CountersignError ? (e as { cause?: unknown }).cause : e;
  return (cause as { code?: string } | undefined)?.code;
}
