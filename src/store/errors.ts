import { CountersignError } from '../core/errors.js';
import { StoreConflictError, type AuditRecord } from './types.js';

/**
 * Every store failure becomes CountersignError('STORE_UNAVAILABLE') (callers fail closed). The message names the
 * operation only: driver messages can quote row values, so they stay in `cause` (never on the wire).
 * CountersignErrors and StoreConflictErrors pass through unchanged.
 */
export function storeError(op: string, e: unknown): Error {
  if (e instanceof CountersignError || e instanceof StoreConflictError) return e;
  return new CountersignError('STORE_UNAVAILABLE', `store: ${op} failed`, undefined, { cause: e });
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
