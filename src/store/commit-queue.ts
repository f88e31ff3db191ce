/** Outcome of one job inside a batch: a builder may fail alone without failing the batch. */
export type JobResult<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Group commit: jobs pushed while a batch is being written, or in the same tick, are handed to `commit` together,
 * so N concurrent appenders share one durable transaction (one fsync). `commit` returns one result per job in
 * order; if it throws, every job of that batch rejects with `mapError(e)`.
 *
 * @example
 *   const q = new CommitQueue<Build, AuditRecord[]>((jobs) => writeAll(jobs), toStoreError);
 *   await q.push(build);
 */
export class CommitQueue<J, R> {
  private pending: Array<{ job: J; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private busy = false;

  constructor(
    private readonly commit: (jobs: J[]) => Promise<Array<JobResult<R>>> | Array<JobResult<R>>,
    private readonly mapError: (e: unknown) => unknown,
    private readonly maxBatch = 2000,
  ) {}

  push(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        // The first batch after a quiet spell is written once the jobs already queued as microtasks have pushed
        // theirs (a loop of appends, or appends at the same await depth, share it) — not a turn of the event loop
        // later, which a lone tool call would wait for. While a batch is being written, new jobs gather for the next
        // one (drain waits a turn of the event loop between batches), which is what batches a busy gateway.
        queueMicrotask(() => void this.drain());
      }
    });
  }

  /** Jobs waiting or being written. */
  get size(): number {
    return this.pending.length + this.writing;
  }
  private writing = 0;

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        let results: Array<JobResult<R>>;
        this.writing = batch.length;
        try {
          results = await this.commit(batch.map((b) => b.job));
        } catch (e) {
          const err = this.mapError(e);
          for (const b of batch) b.reject(err);
          continue;
        } finally {
          this.writing = 0;
        }
        batch.forEach((b, i) => {
          const r = results[i];
          if (r?.ok) b.resolve(r.value);
          else b.reject(r ? r.error : this.mapError(new Error('invariant: commit returned fewer results than jobs')));
        });
        // Let the resolved appenders run (and push their next jobs) before the next batch.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.busy = false;
    }
  }
}
