import { canonicalJson } from '../core/canonical.js';
import { CountersignError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Masker } from '../core/masking.js';
import type { AuditRecord, AuditStore } from '../store/types.js';
import { chainRecords } from './chain.js';
import { AUDIT_CODES } from './codes.js';
import type { AuditSigner } from './signing.js';
import type { AuditEventInput, AuditLog } from './types.js';

export interface AuditLogOptions {
  store: AuditStore;
  /**
   * Signs checkpoints (see signing.ts: createAuditSigner, auditSignerFromEnv). Without one no checkpoint is written:
   * for a CLI command that appends a few events (keys create/revoke) without the gateway's key; the gateway signs
   * them with its next checkpoint.
   */
  signer?: AuditSigner;
  clock?: Clock;
  /** Write a signed checkpoint once this many events were appended since the last one (default 1000). */
  checkpointEvery?: number;
  /** If given, summaries and data are masked again before they are written (defence in depth). */
  masker?: Masker;
  /**
   * 'disk' (default): events resolve once on disk unless the caller asks for `flush: 'soon'`. 'commit': every
   * event resolves once committed and reaches the disk within 200 ms (see AuditEventInput.flush).
   */
  durability?: 'disk' | 'commit';
  /** Also sign a checkpoint every this many ms when events were appended since the last one (default: off). */
  checkpointIntervalMs?: number;
}

export type ManagedAuditLog = AuditLog & {
  /** Sign and store a checkpoint of the current head (no-op when the head is already checkpointed). */
  checkpoint(): Promise<void>;
  /** Wait for appends in flight, write a final checkpoint, refuse further appends. Does not close the store. */
  close(): Promise<void>;
};

function unavailable(message: string, cause?: unknown): CountersignError {
  return new CountersignError('AUDIT_UNAVAILABLE', message, undefined, cause === undefined ? undefined : { cause });
}

/**
 * The audit log: hash-chained, append-only, with signed checkpoints every `checkpointEvery` events and on close.
 * `append` resolves once the event is durable; if masking, the store or a due checkpoint fails it rejects with
 * CountersignError('AUDIT_UNAVAILABLE') so the caller fails closed.
 *
 * @example
 *   const audit = createAuditLog({ store, signer: auditSignerFromEnv('COUNTERSIGN_AUDIT_KEY'), checkpointEvery: 1000, masker });
 *   await audit.append({ type: 'action.denied', principal: { id: 'agent:etl', type: 'agent' }, resource: 'prod-db', summary });
 *   await audit.close();
 */
export function createAuditLog(opts: AuditLogOptions): ManagedAuditLog {
  const { store, signer, masker } = opts;
  const clock = opts.clock ?? systemClock;
  const every = opts.checkpointEvery ?? 1000;
  const relaxed = opts.durability === 'commit';
  if (!Number.isInteger(every) || every < 1) throw new CountersignError('CONFIG_INVALID', 'audit: checkpointEvery must be a positive integer');

  // Seq covered by the newest checkpoint; read from the store once (undefined = not known yet, or reset after a
  // failed write so the store's truth is read again). Claimed synchronously before signing, so concurrent appends
  // of one group commit don't all sign.
  let checkpointSeq: number | undefined;
  let loading: Promise<void> | undefined;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  async function knownCheckpointSeq(): Promise<number> {
    while (checkpointSeq === undefined) {
      loading ??= store
        .checkpoints()
        .then((cps) => {
          checkpointSeq ??= cps.reduce((m, c) => Math.max(m, c.seq), 0);
        })
        .finally(() => {
          loading = undefined;
        });
      await loading;
    }
    return checkpointSeq;
  }

  async function writeCheckpoint(head: { seq: number; hash: string }): Promise<void> {
    if (!signer) return;
    checkpointSeq = head.seq;
    try {
      await store.appendCheckpoint(signer.signCheckpoint({ seq: head.seq, hash: head.hash, at: clock.now() }));
    } catch (e) {
      checkpointSeq = undefined;
      throw e;
    }
  }

  async function maybeCheckpoint(rec: AuditRecord): Promise<void> {
    await knownCheckpointSeq();
    // Read after the await, not before: another append of the same batch may have just claimed a checkpoint.
    const cur = checkpointSeq;
    if (cur === undefined || rec.seq - cur < every) return;
    await writeCheckpoint(rec);
  }

  /** The masked body and its canonical JSON text; the body is read back from the text, so it is exactly what the store will return. */
  async function buildBody(event: AuditEventInput): Promise<{ body: Record<string, unknown>; bodyJson: string }> {
    let summary = event.summary;
    let data = event.data;
    if (masker) {
      if (summary !== undefined && !event.summaryMasked) summary = (await masker.maskText(summary, { field: 'summary' })).text;
      if (data !== undefined && !event.dataMasked) data = (await masker.maskValue(data)).value;
    }
    const body: Record<string, unknown> = {};
    if (event.principal) {
      const { id, type, onBehalfOf } = event.principal;
      body.principal = onBehalfOf === undefined ? { id, type } : { id, type, onBehalfOf };
    }
    if (event.resource !== undefined) body.resource = event.resource;
    if (event.actionDigest !== undefined) body.actionDigest = event.actionDigest;
    if (event.requestId !== undefined) body.requestId = event.requestId;
    if (event.decidedBy !== undefined) body.decidedBy = [...event.decidedBy];
    if (summary !== undefined) body.summary = summary;
    if (data !== undefined) body.data = data;
    const bodyJson = canonicalJson(body);
    return { body: JSON.parse(bodyJson) as Record<string, unknown>, bodyJson };
  }

  async function appendOne(event: AuditEventInput): Promise<AuditRecord> {
    if (closed) throw unavailable('audit log is closed');
    const meta = (AUDIT_CODES as Record<string, { code: string } | undefined>)[event.type];
    if (!meta) throw unavailable(`audit: unknown event type ${JSON.stringify(event.type)}`);
    let body: { body: Record<string, unknown>; bodyJson: string };
    try {
      body = await buildBody(event);
    } catch (e) {
      throw unavailable('audit: masking the event failed; nothing was written', e);
    }
    const at = clock.now();
    let rec: AuditRecord;
    try {
      [rec] = (await store.appendAudit((head) => chainRecords(head, [{ at, code: meta.code, type: event.type, ...body }]), { flush: relaxed ? 'soon' : event.flush ?? 'now' })) as [AuditRecord];
    } catch (e) {
      throw unavailable('audit: the event could not be made durable', e);
    }
    try {
      await maybeCheckpoint(rec);
    } catch (e) {
      throw unavailable(`audit: event ${rec.seq} was written but its checkpoint failed`, e);
    }
    return rec;
  }

  // Timed checkpoints: a quiet gateway's newest events get signed too. A failure here is retried on the next tick
  // and surfaces on the next append that is due a checkpoint (which then fails closed).
  const timer =
    opts.checkpointIntervalMs && opts.checkpointIntervalMs > 0
      ? setInterval(() => void log.checkpoint().catch(() => undefined), opts.checkpointIntervalMs).unref()
      : undefined;

  const log: ManagedAuditLog = {
    append(event) {
      const p = appendOne(event);
      inFlight.add(p);
      const done = () => inFlight.delete(p);
      p.then(done, done);
      return p;
    },

    async checkpoint() {
      try {
        const head = await store.auditHead();
        await knownCheckpointSeq();
        if (head.seq === 0 || head.seq <= (checkpointSeq ?? 0)) return;
        await writeCheckpoint(head);
      } catch (e) {
        throw unavailable('audit: checkpoint failed', e);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
      await this.checkpoint();
    },
  };
  return log;
}
