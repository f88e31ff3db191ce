import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CountersignError } from '../core/errors.js';
import { AUDIT_GENESIS_HASH, canonicalBody } from '../audit/chain.js';
import { CommitQueue, type JobResult } from './commit-queue.js';
import { chainAuditJobs, storeError, type AuditJob } from './errors.js';
import { eventFromRow, keyFromRow, requestDoc, requestFromRow } from './rows.js';
import {
  SOON_FLUSH_MS,
  StillWaitedError,
  StoreConflictError,
  type AuditCheckpoint,
  type AuditRawRecord,
  type AppendEventOptions,
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

/** Schema versions, applied in order inside one transaction each; `user_version` records the last applied. */
const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS requests (
     id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, digest TEXT NOT NULL,
     principal_id TEXT NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL, channel_data TEXT NOT NULL DEFAULT '{}');
   CREATE INDEX IF NOT EXISTS requests_status ON requests (status, created_at);
   CREATE INDEX IF NOT EXISTS requests_digest ON requests (digest, status);
   CREATE INDEX IF NOT EXISTS requests_principal ON requests (principal_id, created_at);
   CREATE TABLE IF NOT EXISTS request_events (
     request_id TEXT NOT NULL REFERENCES requests (id), seq INTEGER NOT NULL, doc TEXT NOT NULL,
     PRIMARY KEY (request_id, seq)) WITHOUT ROWID;
   CREATE TABLE IF NOT EXISTS audit_events (
     seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, code TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL,
     prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS audit_checkpoints (
     seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, at INTEGER NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS api_keys (
     id TEXT PRIMARY KEY, hash TEXT NOT NULL, principal TEXT NOT NULL, created_at INTEGER NOT NULL,
     revoked_at INTEGER, last_used_at INTEGER);
   CREATE TABLE IF NOT EXISTS tokens (
     scope TEXT NOT NULL, token TEXT NOT NULL, ciphertext TEXT NOT NULL, at INTEGER NOT NULL,
     PRIMARY KEY (scope, token)) WITHOUT ROWID;`,
  // 2: one outcome report per allowed action (the key an outcome report claimed, and when).
  `CREATE TABLE IF NOT EXISTS outcome_claims (key TEXT PRIMARY KEY, claimed_at INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS outcome_claims_at ON outcome_claims (claimed_at);`,
  // 3: who waits on a pending request, each until its lease runs out (a held call, in any process sharing the file).
  `CREATE TABLE IF NOT EXISTS request_waiters (
     waiter_id TEXT PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests (id), lease_until INTEGER NOT NULL) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS request_waiters_request ON request_waiters (request_id, lease_until);`,
];

export interface SqliteStoreOptions {
  /** How long to wait for another process's write lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
  /**
   * Open an existing file for reading only (audit verify / export): nothing is created (no directory, no file, no
   * tables), no pragma or migration writes; a missing file or an older schema fails with STORE_UNAVAILABLE.
   */
  readOnly?: boolean;
}

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a write that resolved survives a
 * power cut. Concurrent audit appends in the same tick share one transaction (group commit). An audit batch made
 * only of `flush: 'soon'` appends commits with `synchronous=NORMAL` (in the WAL, not yet fsynced); the next FULL
 * commit, or a checkpoint at most SOON_FLUSH_MS later, puts it on disk.
 * Every failure rejects with CountersignError('STORE_UNAVAILABLE').
 *
 * @example
 *   const store = await openSqliteStore('./data/countersign.db');
 *   await store.appendAudit((head) => chainRecords(head, [event]));
 *   await store.close();
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly auditQueue: CommitQueue<AuditJob, AuditRecord[]>;
  private flushTimer: NodeJS.Timeout | undefined;
  /** A `flush: 'soon'` commit has not been fsynced yet. */
  private unsynced = false;
  private auditTx: Database.Transaction<(batch: AuditJob[]) => Array<JobResult<AuditRecord[]>>> | undefined;
  private readonly stmts: ReturnType<typeof prepare>;
  private closed = false;

  /** Opens (creating if missing) the file. Throws CountersignError('STORE_UNAVAILABLE') if it cannot. */
  constructor(path: string, opts: SqliteStoreOptions = {}) {
    this.path = path;
    let version = MIGRATIONS.length;
    try {
      if (opts.readOnly) {
        this.db = new Database(path, { readonly: true, fileMustExist: true });
        this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
        // Any schema this version knows reads the same audit tables (they came with the first migration): a store
        // written by an older gateway is verified and exported as it is, without upgrading it.
        version = this.db.pragma('user_version', { simple: true }) as number;
        if (version < 1 || version > MIGRATIONS.length) {
          throw new CountersignError(
            'STORE_UNAVAILABLE',
            version < 1
              ? `${path} has no Countersign store schema (user_version 0): not a Countersign store`
              : `${path} has store schema version ${version}, newer than this version of Countersign knows (${MIGRATIONS.length}): use the newer version`,
          );
        }
      } else {
        if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
        this.db = new Database(path);
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = FULL');
        this.db.pragma('foreign_keys = ON');
        this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
        this.migrateSync();
      }
      this.stmts = prepare(this.db, version);
    } catch (e) {
      throw storeError('open', e);
    }
    this.auditQueue = new CommitQueue<AuditJob, AuditRecord[]>((jobs) => this.commitAudit(jobs), (e) => storeError('appendAudit', e));
  }

  private migrateSync(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  /** Runs `fn` synchronously; any failure rejects as STORE_UNAVAILABLE (or passes a conflict through). */
  private run<T>(op: string, fn: () => T): Promise<T> {
    try {
      if (this.closed) throw new Error('store is closed');
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(storeError(op, e));
    }
  }

  migrate(): Promise<void> {
    return this.run('migrate', () => this.migrateSync());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let queued audit appends finish before closing.
    while (this.auditQueue.size > 0) await new Promise((r) => setImmediate(r));
    this.closed = true;
    clearTimeout(this.flushTimer);
    try {
      this.db.close(); // the last connection checkpoints and syncs the WAL
    } catch (e) {
      throw storeError('close', e);
    }
  }

  // ---------- approvals ----------
  createRequest(req: StoredRequest): Promise<void> {
    return this.run('createRequest', () => this.insertRequest(req));
  }

  openRequest(req: StoredRequest, opts: OpenRequestOptions): Promise<OpenRequestResult> {
    // IMMEDIATE: the write lock is taken before the lookup and the count, so no other writer (process) slips between.
    return this.run('openRequest', () =>
      this.db.transaction((): OpenRequestResult => {
        const waiting = (this.stmts.waitingByDigest.all(req.digest, opts.now) as RequestRow[]).map(requestFromRow);
        const join = waiting.find((r) => r.rule === req.rule && !opts.passOver?.includes(r.id));
        if (join) return { outcome: 'joined', request: join };
        if (opts.maxWaiting !== undefined) {
          const n = (this.stmts.countWaiting.get(req.principal.id, opts.now) as { n: number }).n;
          if (n >= opts.maxWaiting) return { outcome: 'full', waiting: n };
        }
        this.insertRequest(req);
        return { outcome: 'created', request: req };
      }).immediate(),
    );
  }

  private insertRequest(req: StoredRequest): void {
    try {
      this.stmts.insertRequest.run(req.id, req.createdAt, req.expiresAt, req.digest, req.principal.id, req.status, requestDoc(req), JSON.stringify(req.channelData ?? {}));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreConflictError(`request ${req.id} already exists`);
      throw e;
    }
  }

  getRequest(id: string): Promise<StoredRequest | undefined> {
    return this.run('getRequest', () => {
      const row = this.stmts.getRequest.get(id) as RequestRow | undefined;
      return row && requestFromRow(row);
    });
  }

  listRequests(filter: RequestFilter = {}): Promise<StoredRequest[]> {
    return this.run('listRequests', () => {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.status) {
        if (filter.status.length === 0) return [];
        where.push(`status IN (${filter.status.map(() => '?').join(',')})`);
        args.push(...filter.status);
      }
      if (filter.principalId !== undefined) {
        where.push('principal_id = ?');
        args.push(filter.principalId);
      }
      if (filter.expiresAfter !== undefined) {
        where.push('expires_at > ?');
        args.push(filter.expiresAfter);
      }
      if (filter.expiredBy !== undefined) {
        where.push('expires_at <= ?');
        args.push(filter.expiredBy);
      }
      const sql = `SELECT doc, status, channel_data FROM requests ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
                   ORDER BY created_at DESC, id LIMIT ?`;
      args.push(filter.limit ?? 1000);
      return (this.db.prepare(sql).all(...args) as RequestRow[]).map(requestFromRow);
    });
  }

  findByDigest(digest: string, status: RequestStatus[]): Promise<StoredRequest[]> {
    return this.run('findByDigest', () => {
      if (status.length === 0) return [];
      const sql = `SELECT doc, status, channel_data FROM requests WHERE digest = ? AND status IN (${status.map(() => '?').join(',')})
                   ORDER BY created_at DESC, id`;
      return (this.db.prepare(sql).all(digest, ...status) as RequestRow[]).map(requestFromRow);
    });
  }

  events(requestId: string): Promise<RequestEvent[]> {
    return this.run('events', () => (this.stmts.events.all(requestId) as Array<{ doc: string }>).map(eventFromRow));
  }

  appendEvent(requestId: string, event: RequestEvent, newStatus: RequestStatus, opts: AppendEventOptions = {}): Promise<void> {
    return this.run('appendEvent', () =>
      this.db.transaction(() => {
        if (!this.stmts.requestExists.get(requestId)) throw new CountersignError('REQUEST_NOT_FOUND', `no approval request ${requestId}`);
        const last = (this.stmts.lastEventSeq.get(requestId) as { seq: number | null }).seq ?? 0;
        if (event.seq !== last + 1) throw new StoreConflictError(`request ${requestId}: event seq ${event.seq} is not the next (${last + 1})`);
        if (opts.unlessWaitedAt !== undefined && this.waitersLeft(requestId, opts.unlessWaitedAt) > 0) {
          throw new StillWaitedError(`request ${requestId} is still waited on`);
        }
        try {
          this.stmts.insertEvent.run(requestId, event.seq, JSON.stringify(event));
        } catch (e) {
          if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new StoreConflictError(`request ${requestId}: event seq ${event.seq} is taken`);
          throw e;
        }
        this.stmts.setStatus.run(newStatus, requestId);
        if (newStatus !== 'pending') this.stmts.forgetWaiters.run(requestId);
      }).immediate(),
    );
  }

  // Waiters: each write takes the write lock first (IMMEDIATE), so joins, leaves and conditional appends on a request
  // happen one after another across every process sharing the file.
  joinWaiter(requestId: string, waiterId: string, leaseUntil: number): Promise<boolean> {
    return this.run('joinWaiter', () =>
      this.db.transaction((): boolean => {
        const row = this.stmts.requestStatus.get(requestId) as { status: string } | undefined;
        if (!row) throw new CountersignError('REQUEST_NOT_FOUND', `no approval request ${requestId}`);
        if (row.status !== 'pending') return false;
        this.stmts.joinWaiter.run(waiterId, requestId, leaseUntil);
        return true;
      }).immediate(),
    );
  }

  renewWaiters(waiterIds: string[], leaseUntil: number): Promise<void> {
    return this.run('renewWaiters', () =>
      this.db.transaction(() => {
        for (const id of waiterIds) this.stmts.renewWaiter.run(leaseUntil, id);
      }).immediate(),
    );
  }

  leaveWaiter(requestId: string, waiterId: string, now: number): Promise<number> {
    return this.run('leaveWaiter', () =>
      this.db.transaction((): number => {
        this.stmts.leaveWaiter.run(waiterId, requestId);
        return this.waitersLeft(requestId, now);
      }).immediate(),
    );
  }

  private waitersLeft(requestId: string, now: number): number {
    return (this.stmts.countWaiters.get(requestId, now) as { n: number }).n;
  }

  setChannelData(requestId: string, channel: string, data: unknown): Promise<void> {
    return this.run('setChannelData', () =>
      this.db.transaction(() => {
        const row = this.stmts.getChannelData.get(requestId) as { channel_data: string } | undefined;
        if (!row) throw new CountersignError('REQUEST_NOT_FOUND', `no approval request ${requestId}`);
        const cd = JSON.parse(row.channel_data) as Record<string, unknown>;
        cd[channel] = data;
        this.stmts.setChannelData.run(JSON.stringify(cd), requestId);
      }).immediate(),
    );
  }

  // ---------- audit ----------
  appendAudit(build: Build, opts: { flush?: 'now' | 'soon' } = {}): Promise<AuditRecord[]> {
    if (this.closed) return Promise.reject(storeError('appendAudit', new Error('store is closed')));
    return this.auditQueue.push({ build, now: opts.flush !== 'soon' });
  }

  private commitAudit(jobs: AuditJob[]): Array<JobResult<AuditRecord[]>> {
    if (this.closed) throw new Error('store is closed');
    const now = jobs.some((j) => j.now);
    if (now) {
      const out = this.writeAudit(jobs);
      // A commit that wrote something was fsynced, and that covered every earlier frame of the WAL.
      if (out.some((r) => r.ok && r.value.length > 0)) this.unsynced = false;
      return out;
    }
    this.unsynced = true;
    this.stmts.syncNormal.run();
    try {
      return this.writeAudit(jobs);
    } finally {
      this.stmts.syncFull.run();
      this.flushTimer ??= setTimeout(() => this.flushSoon(), SOON_FLUSH_MS).unref();
    }
  }

  /** Puts `flush: 'soon'` commits on disk: a passive checkpoint syncs the WAL (and copies what it can). */
  private flushSoon(): void {
    this.flushTimer = undefined;
    if (this.closed || !this.unsynced) return;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.unsynced = false;
    } catch {
      // The next FULL commit syncs the WAL anyway; a failing disk shows up there.
    }
  }

  private writeAudit(jobs: AuditJob[]): Array<JobResult<AuditRecord[]>> {
    // IMMEDIATE: take the write lock before reading the head, so another process can't append in between.
    this.auditTx ??= this.db.transaction((batch: AuditJob[]) => this.insertAudit(batch));
    return this.auditTx.immediate(jobs);
  }

  private insertAudit(jobs: AuditJob[]): Array<JobResult<AuditRecord[]>> {
    const { results, rows } = chainAuditJobs(this.headSync(), jobs);
    for (const r of rows) this.stmts.insertAudit.run(r.seq, r.at, r.code, r.type, canonicalBody(r), r.prevHash, r.hash);
    return results;
  }

  private headSync(): { seq: number; hash: string } {
    const row = this.stmts.auditHead.get() as { seq: number; hash: string } | undefined;
    return row ? { seq: row.seq, hash: row.hash } : { seq: 0, hash: AUDIT_GENESIS_HASH };
  }

  auditHead(): Promise<{ seq: number; hash: string }> {
    return this.run('auditHead', () => this.headSync());
  }

  readAudit(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    return this.run('readAudit', () =>
      (this.stmts.readAudit.all(afterSeq, limit) as AuditRow[]).map((r) => ({
        seq: r.seq,
        at: r.at,
        code: r.code,
        type: r.type,
        body: JSON.parse(r.body) as Record<string, unknown>,
        prevHash: r.prev_hash,
        hash: r.hash,
      })),
    );
  }

  readAuditRaw(afterSeq: number, limit: number): Promise<AuditRawRecord[]> {
    // Rows as arrays (no per-column object building): this is the verification hot path.
    return this.run('readAudit', () =>
      (this.stmts.readAuditRows.all(afterSeq, limit) as Array<[number, number, string, string, string, string, string]>).map((r) => ({
        seq: r[0],
        at: r[1],
        code: r[2],
        type: r[3],
        bodyJson: r[4],
        prevHash: r[5],
        hash: r[6],
      })),
    );
  }

  appendCheckpoint(cp: AuditCheckpoint): Promise<void> {
    return this.run('appendCheckpoint', () => {
      this.stmts.insertCheckpoint.run(cp.seq, cp.hash, cp.at, cp.keyId, cp.signature);
    });
  }

  checkpoints(): Promise<AuditCheckpoint[]> {
    return this.run('checkpoints', () =>
      (this.stmts.checkpoints.all() as Array<{ seq: number; hash: string; at: number; key_id: string; signature: string }>).map((r) => ({
        seq: r.seq,
        hash: r.hash,
        at: r.at,
        keyId: r.key_id,
        signature: r.signature,
      })),
    );
  }

  // ---------- API keys ----------
  /** Insert only: an id is taken once (re-using a revoked key's id must not bring it back). */
  putKey(key: StoredKey): Promise<void> {
    return this.run('putKey', () => {
      try {
        this.stmts.putKey.run(key.id, key.hash, JSON.stringify(key.principal), key.createdAt, key.revokedAt ?? null, key.lastUsedAt ?? null);
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new CountersignError('BAD_REQUEST', `an API key with id "${key.id}" already exists`);
        throw e;
      }
    });
  }

  /** Moves `lastUsedAt` forward only; never touches `revokedAt`. */
  touchKey(id: string, at: number): Promise<void> {
    return this.run('touchKey', () => {
      this.stmts.touchKey.run(at, id, at);
    });
  }

  getKey(id: string): Promise<StoredKey | undefined> {
    return this.run('getKey', () => {
      const row = this.stmts.getKey.get(id) as Parameters<typeof keyFromRow>[0] | undefined;
      return row && keyFromRow(row);
    });
  }

  listKeys(): Promise<StoredKey[]> {
    return this.run('listKeys', () => (this.stmts.listKeys.all() as Array<Parameters<typeof keyFromRow>[0]>).map(keyFromRow));
  }

  revokeKey(id: string, at: number): Promise<void> {
    return this.run('revokeKey', () => {
      const info = this.stmts.revokeKey.run(at, id);
      if (info.changes === 0) throw new CountersignError('NOT_FOUND', `no API key ${id}`);
    });
  }

  // ---------- tokens ----------
  putToken(scope: string, token: string, ciphertext: string, at: number): Promise<void> {
    return this.run('putToken', () => {
      this.stmts.putToken.run(scope, token, ciphertext, at);
    });
  }

  getToken(scope: string, token: string): Promise<string | undefined> {
    return this.run('getToken', () => (this.stmts.getToken.get(scope, token) as { ciphertext: string } | undefined)?.ciphertext);
  }

  // ---------- outcome claims ----------
  claimOutcome(key: string, at: number): Promise<boolean> {
    // One statement: the primary key decides between concurrent claimers (processes included), no read before.
    return this.run('claimOutcome', () => this.stmts.claimOutcome.run(key, at).changes === 1);
  }

  releaseOutcome(key: string): Promise<void> {
    return this.run('releaseOutcome', () => {
      this.stmts.releaseOutcome.run(key);
    });
  }

  forgetOutcomes(before: number): Promise<number> {
    return this.run('forgetOutcomes', () => this.stmts.forgetOutcomes.run(before).changes);
  }
}

type RequestRow = { doc: string; status: string; channel_data: string };
type AuditRow = { seq: number; at: number; code: string; type: string; body: string; prev_hash: string; hash: string };

/**
 * The store's statements. A read-only store of an older schema (`version` below the latest) has no tables of the later
 * migrations: their statements fail when used, saying so, instead of failing the open.
 */
function prepare(db: Database.Database, version: number) {
  const since = (migration: number, sql: string): Database.Statement => {
    if (version >= migration) return db.prepare(sql);
    const refuse = () => {
      throw new CountersignError('STORE_UNAVAILABLE', `store: the file has schema version ${version}, this needs ${migration} (opened read-only; \`countersign serve\` upgrades it)`);
    };
    return { run: refuse, get: refuse, all: refuse } as unknown as Database.Statement;
  };
  return {
    syncNormal: db.prepare('PRAGMA synchronous = NORMAL'),
    syncFull: db.prepare('PRAGMA synchronous = FULL'),
    insertRequest: db.prepare(
      'INSERT INTO requests (id, created_at, expires_at, digest, principal_id, status, doc, channel_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    getRequest: db.prepare('SELECT doc, status, channel_data FROM requests WHERE id = ?'),
    waitingByDigest: db.prepare(`SELECT doc, status, channel_data FROM requests WHERE digest = ? AND status = 'pending' AND expires_at > ? ORDER BY created_at DESC, id`),
    countWaiting: db.prepare(`SELECT count(*) AS n FROM requests WHERE principal_id = ? AND status = 'pending' AND expires_at > ?`),
    requestExists: db.prepare('SELECT 1 FROM requests WHERE id = ?'),
    lastEventSeq: db.prepare('SELECT max(seq) AS seq FROM request_events WHERE request_id = ?'),
    events: db.prepare('SELECT doc FROM request_events WHERE request_id = ? ORDER BY seq'),
    insertEvent: db.prepare('INSERT INTO request_events (request_id, seq, doc) VALUES (?, ?, ?)'),
    setStatus: db.prepare('UPDATE requests SET status = ? WHERE id = ?'),
    requestStatus: db.prepare('SELECT status FROM requests WHERE id = ?'),
    joinWaiter: since(
      3,
      'INSERT INTO request_waiters (waiter_id, request_id, lease_until) VALUES (?, ?, ?) ON CONFLICT (waiter_id) DO UPDATE SET lease_until = max(lease_until, excluded.lease_until)',
    ),
    renewWaiter: since(3, 'UPDATE request_waiters SET lease_until = max(lease_until, ?) WHERE waiter_id = ?'),
    leaveWaiter: since(3, 'DELETE FROM request_waiters WHERE waiter_id = ? AND request_id = ?'),
    countWaiters: since(3, 'SELECT count(*) AS n FROM request_waiters WHERE request_id = ? AND lease_until > ?'),
    forgetWaiters: since(3, 'DELETE FROM request_waiters WHERE request_id = ?'),
    getChannelData: db.prepare('SELECT channel_data FROM requests WHERE id = ?'),
    setChannelData: db.prepare('UPDATE requests SET channel_data = ? WHERE id = ?'),
    auditHead: db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'),
    insertAudit: db.prepare('INSERT INTO audit_events (seq, at, code, type, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    readAudit: db.prepare('SELECT seq, at, code, type, body, prev_hash, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?'),
    readAuditRows: db.prepare('SELECT seq, at, code, type, body, prev_hash, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?').raw(true),
    insertCheckpoint: db.prepare('INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING'),
    checkpoints: db.prepare('SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq'),
    putKey: db.prepare('INSERT INTO api_keys (id, hash, principal, created_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)'),
    touchKey: db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)'),
    getKey: db.prepare('SELECT id, hash, principal, created_at, revoked_at, last_used_at FROM api_keys WHERE id = ?'),
    listKeys: db.prepare('SELECT id, hash, principal, created_at, revoked_at, last_used_at FROM api_keys ORDER BY created_at, id'),
    revokeKey: db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?'),
    putToken: db.prepare('INSERT INTO tokens (scope, token, ciphertext, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    getToken: db.prepare('SELECT ciphertext FROM tokens WHERE scope = ? AND token = ?'),
    claimOutcome: since(2, 'INSERT INTO outcome_claims (key, claimed_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    releaseOutcome: since(2, 'DELETE FROM outcome_claims WHERE key = ?'),
    forgetOutcomes: since(2, 'DELETE FROM outcome_claims WHERE claimed_at < ?'),
  };
}

/**
 * Open (create if missing) a SQLite store and apply migrations; rejects with STORE_UNAVAILABLE if it cannot.
 *
 * @example const store = await openSqliteStore('./data/countersign.db');
 */
export async function openSqliteStore(path: string, opts?: SqliteStoreOptions): Promise<SqliteStore> {
  return new SqliteStore(path, opts);
}
