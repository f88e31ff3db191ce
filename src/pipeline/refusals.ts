import type { Clock } from '../core/clock.js';
import type { AuditEventInput } from '../audit/types.js';

/** A refused credential as a connector reports it: `auth.failed` without its type and flush. */
export type Refusal = Omit<AuditEventInput, 'type' | 'flush'> & { data: { code: string; connector?: string } & Record<string, unknown> };

export interface RefusalRecorderOptions {
  /** Refusals recorded one by one per window (default 100); the rest are counted. */
  perWindow?: number;
  /** Window length in ms (default 60 s). */
  windowMs?: number;
  clock: Clock;
}

export interface RefusalRecorder {
  /** Record one refused credential, or count it when this window's budget is spent. Never rejects. */
  refused(r: Refusal): Promise<void>;
  /** Record what the current window counted but did not record (on shutdown). */
  flush(): Promise<void>;
}

/**
 * Refused credentials of requests nobody authenticated (HTTP API, MCP over HTTP) are recorded as `auth.failed`, but a
 * flood of them must neither grow the audit log without bound nor tie up the commits that gate actions: anyone who
 * can reach the port can send them. The first `perWindow` refusals of each window are recorded one by one (committed,
 * not fsynced: they gate nothing); the others are counted by code, and one `auth.failed` event with
 * `data.suppressed` says how many were not recorded, when the window ends (at the next refusal, or by a timer).
 *
 * @example
 * const refusals = createRefusalRecorder((e) => audit.append(e).then(() => undefined), { clock });
 * await refusals.refused({ summary: 'HTTP API GET /v1/requests: AUTH_INVALID', data: { code: 'AUTH_INVALID', transport: 'http', connector: 'api' } });
 */
export function createRefusalRecorder(record: (e: AuditEventInput) => Promise<void>, opts: RefusalRecorderOptions): RefusalRecorder {
  const perWindow = opts.perWindow ?? 100;
  const windowMs = opts.windowMs ?? 60_000;
  const { clock } = opts;
  let windowStart = clock.now();
  let recorded = 0;
  let suppressed = new Map<string, number>();
  /** The same refusals counted by where they came in (`api`: the HTTP API, `mcp`: MCP over HTTP). */
  let bySource = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  const summaryOf = (counts: Map<string, number>, sources: Map<string, number>, from: number, to: number): AuditEventInput => {
    let total = 0;
    for (const n of counts.values()) total += n;
    return {
      type: 'auth.failed',
      summary: `${total} more refused credentials between ${new Date(from).toISOString()} and ${new Date(to).toISOString()} were counted, not recorded one by one`,
      data: { suppressed: total, byCode: Object.fromEntries(counts), ...(sources.size > 0 ? { byConnector: Object.fromEntries(sources) } : {}), from, to },
      dataMasked: true,
      flush: 'soon',
    };
  };

  /** Close the window that began at `windowStart`: record its count of refusals not recorded, if any. */
  async function closeWindow(now: number): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const counts = suppressed;
    const sources = bySource;
    const from = windowStart;
    windowStart = now;
    recorded = 0;
    suppressed = new Map();
    bySource = new Map();
    if (counts.size > 0) await record(summaryOf(counts, sources, from, now)).catch(() => undefined);
  }

  return {
    async refused(r) {
      const now = clock.now();
      if (now - windowStart >= windowMs) await closeWindow(now);
      if (recorded < perWindow) {
        recorded++;
        await record({ ...r, type: 'auth.failed', flush: 'soon' }).catch(() => undefined);
        return;
      }
      suppressed.set(r.data.code, (suppressed.get(r.data.code) ?? 0) + 1);
      if (r.data.connector !== undefined) bySource.set(r.data.connector, (bySource.get(r.data.connector) ?? 0) + 1);
      // A flood that stops is still told: the count is recorded when its window ends, even with no refusal after it.
      timer ??= setTimeout(() => void closeWindow(clock.now()), Math.max(0, windowStart + windowMs - now)).unref();
    },
    async flush() {
      await closeWindow(clock.now());
    },
  };
}
