import { canonicalJson, sha256Hex } from '../core/canonical.js';
import type { AuditRawRecord, AuditRecord } from '../store/types.js';

/** `prevHash` of event 1, and the head hash of an empty log: 64 zeros. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** The part of a record the hash covers (everything but the hashes themselves). */
export type AuditHashed = Pick<AuditRecord, 'seq' | 'at' | 'code' | 'type' | 'body'>;

/**
 * The chain hash of one event: hex SHA-256 over `prevHash` followed by the canonical JSON of
 * `{seq, at, code, type, body}`. Changing any of those, or the event before it, changes the hash.
 *
 * @example
 *   auditHash(AUDIT_GENESIS_HASH, { seq: 1, at: 0, code: 'CS9001I', type: 'gateway.started', body: {} })
 */
export function auditHash(prevHash: string, e: AuditHashed): string {
  return sha256Hex(prevHash + canonicalJson({ seq: e.seq, at: e.at, code: e.code, type: e.type, body: e.body }));
}

/**
 * Chain new events onto a head: seq head.seq+1, +2, ... with each prevHash the hash before it.
 *
 * @example
 *   const [rec] = chainRecords({ seq: 0, hash: AUDIT_GENESIS_HASH }, [{ at, code, type, body }]);
 */
export function chainRecords(
  head: { seq: number; hash: string },
  events: Array<Omit<AuditHashed, 'seq'> & { /** `canonicalJson(body)`, when the caller already has it. */ bodyJson?: string }>,
): AuditRecord[] {
  let { seq, hash } = head;
  return events.map((e) => {
    seq += 1;
    const bodyJson = e.bodyJson ?? canonicalJson(e.body);
    const rec: AuditRecord = { seq, at: e.at, code: e.code, type: e.type, body: e.body, prevHash: hash, hash: '' };
    rec.hash = auditHashRaw(hash, { seq, at: e.at, code: e.code, type: e.type, bodyJson });
    bodyTexts.set(rec, bodyJson);
    hash = rec.hash;
    return rec;
  });
}

const bodyTexts = new WeakMap<AuditRecord, string>();

/**
 * The canonical JSON text of a record's body, as hashed: remembered from `chainRecords` (so a store writes the
 * text that was hashed without encoding it again), computed otherwise.
 */
export function canonicalBody(rec: AuditRecord): string {
  return bodyTexts.get(rec) ?? canonicalJson(rec.body);
}

/**
 * The same hash from a body already in canonical JSON text (as the stores keep it): no parse, no re-encoding.
 * Equal to `auditHash` whenever `bodyJson === canonicalJson(body)`.
 */
export function auditHashRaw(prevHash: string, r: Pick<AuditRawRecord, 'seq' | 'at' | 'code' | 'type' | 'bodyJson'>): string {
  // Keys in canonical (sorted) order: at, body, code, seq, type.
  return sha256Hex(`${prevHash}{"at":${canonicalJson(r.at)},"body":${r.bodyJson},"code":${JSON.stringify(r.code)},"seq":${canonicalJson(r.seq)},"type":${JSON.stringify(r.type)}}`);
}

/** True when the record's stored hash matches its content and prevHash. */
export function recordHashOk(r: AuditRecord): boolean {
  return auditHash(r.prevHash, r) === r.hash;
}
