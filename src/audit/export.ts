import type { AuditCheckpoint, AuditRecord, AuditStore } from '../store/types.js';
import { AUDIT_CODES } from './codes.js';

const SEVERITY = new Map<string, string>(Object.values(AUDIT_CODES).map((c) => [c.code, c.severity]));

export interface ExportOptions {
  /** First seq to include (default 1). */
  from?: number;
  /** Last seq to include (default: the head when the export reaches it). */
  to?: number;
  /** Only events at or after this time (epoch ms). */
  fromTime?: number;
  /** Only events before this time (epoch ms). */
  toTime?: number;
  pageSize?: number;
}

/** One exported line: the stored record plus the code's severity (not part of the hash). */
export function exportLine(r: AuditRecord): string {
  return JSON.stringify({ seq: r.seq, at: r.at, code: r.code, severity: SEVERITY.get(r.code) ?? 'unknown', type: r.type, body: r.body, prevHash: r.prevHash, hash: r.hash }) + '\n';
}

/** One exported checkpoint: what an auditor keeps off the host to check the log against later (audit verify --anchor). */
export function checkpointLine(c: AuditCheckpoint): string {
  return JSON.stringify({ checkpoint: c.seq, hash: c.hash, at: c.at, keyId: c.keyId, signature: c.signature }) + '\n';
}

/**
 * Streams the audit log as JSON lines (each string ends with "\n"), in seq order, page by page.
 *
 * @example
 *   for await (const line of exportAudit(store, { from: 1000 })) process.stdout.write(line);
 */
export async function* exportAudit(store: AuditStore, opts: ExportOptions = {}): AsyncGenerator<string> {
  const pageSize = opts.pageSize ?? 5000;
  const to = opts.to ?? Infinity;
  let after = Math.max(0, (opts.from ?? 1) - 1);
  for (;;) {
    const page = await store.readAudit(after, pageSize);
    for (const r of page) {
      if (r.seq > to) return;
      // By time: events are appended in time order, but gateways sharing a store have clocks of their own, so an
      // event is judged by its own time and the walk goes on to the end (or `to`).
      if ((opts.fromTime !== undefined && r.at < opts.fromTime) || (opts.toTime !== undefined && r.at >= opts.toTime)) continue;
      yield exportLine(r);
    }
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.seq;
  }
}
