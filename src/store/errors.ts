import { CountersignError } from '../core/errors.js';
import type { JobResult } from './commit-queue.js';
import { StillWaitedError, StoreConflictError, type AuditRecord } from './types.js';

/**
 * Every store failure becomes CountersignError('STORE_UNAVAILABLE') (callers fail closed). The message names the
 * operation only: driver messages can quote row values, so they stay in `cause` (never on the wire).
 * CountersignErrors, StoreConflictErrors and StillWaitedErrors pass through unchanged.
 */
export function storeError(op: string, e: unknown): Error {
  if (e instanceof CountersignError || e instanceof StoreConflictError || e instanceof StillWaitedError) return e;
  const why = reasonOf(e);
  return new CountersignError('STORE_UNAVAILABLE', `store: ${op} failed${why ? `: ${why}` : ''}`, undefined, { cause: e });
}

// What an operator can act on, from the error's code only: never the driver's message, which may quote a connection
// string (and its password) or a statement's values.
const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the database server running at that address?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name could not be resolved',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by the server',
  EHOSTUNREACH: 'host unreachable',
  ERR_INVALID_URL: 'the connection URL is malformed',
  '3D000': 'the database does not exist',
  '28P01': 'password authentication failed',
  '28000': 'the server refused this user (pg_hba.conf)',
  '42501': 'permission denied',
  '53300': 'too many connections',
  '57P03': 'the server is starting up or shutting down',
  SQLITE_CANTOPEN: 'cannot open the database file',
  SQLITE_READONLY: 'the database file is read-only',
  SQLITE_FULL: 'the disk is full',
  SQLITE_BUSY: 'the database is locked by another process',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_NOTADB: 'the file is not a database',
};
function reasonOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && REASONS[code]) return REASONS[code];
  const cause = (e as { cause?: unknown } | null)?.cause;
  return cause !== undefined && cause !== e ? reasonOf(cause) : undefined;
}

/** Checks what an audit builder returned chains onto the head: consecutive seqs, each prevHash the hash before. */
export function checkAuditBatch(head: { seq: number; hash: string }, recs: AuditRecord[]): void {
  let { seq, hash } = head;
  for (const r of recs) {
    if (r.seq !== seq + 1 || r.prevHash !== hash) {
      throw new CountersignError('STORE_UNAVAILABLE', `store: invariant violated: audit record ${r.seq} does not chain onto head ${seq}`);
    }
    seq = r.seq;
    hash = r.hash;
  }
}

/** One queued audit append: the builder, and whether it must be on disk before it resolves. */
export type AuditJob = { build: (head: { seq: number; hash: string }) => AuditRecord[]; now: boolean };

/**
 * Run a batch of audit builders in order on `head`: each gets the head the previous one left. A builder that throws
 * or returns records that do not chain fails alone. Returns one result per job and the rows to insert, in order.
 */
export function chainAuditJobs(head: { seq: number; hash: string }, jobs: AuditJob[]): { results: Array<JobResult<AuditRecord[]>>; rows: AuditRecord[] } {
  const results: Array<JobResult<AuditRecord[]>> = [];
  const rows: AuditRecord[] = [];
  for (const { build } of jobs) {
    let recs: AuditRecord[];
    try {
      recs = build(head);
      checkAuditBatch(head, recs);
    } catch (e) {
      results.push({ ok: false, error: e });
      continue;
    }
    for (const r of recs) rows.push(r);
    if (recs.length) head = { seq: recs[recs.length - 1]!.seq, hash: recs[recs.length - 1]!.hash };
    results.push({ ok: true, value: recs });
  }
  return { results, rows };
}
