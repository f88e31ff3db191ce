import type { Clock, IdSource } from '../core/clock.js';
import type { ApprovalStore, StoredRequest } from '../store/types.js';

/** One held call waiting on an approval request, as counted in the store. */
export interface Waiter {
  readonly requestId: string;
  /** Unique across every process sharing the store: this process's instance id and a counter. */
  readonly id: string;
}

/**
 * How long a waiter counts without being renewed. Each process renews the leases of its waiters every third of it,
 * so a waiter whose process crashed (or lost the store) stops counting at most this long after its last renewal.
 */
export const DEFAULT_WAITER_LEASE_MS = 30_000;

export interface WaiterLeasesOptions {
  store: ApprovalStore;
  clock: Clock;
  ids: IdSource;
  /** See DEFAULT_WAITER_LEASE_MS. */
  leaseMs?: number;
}

/**
 * The waiters of this process, recorded in the store with a lease so that every process sharing it counts them: a
 * request is cancelled for want of waiters only when no process has one left (ApprovalService.leave). One timer
 * renews all of this process's leases in one store call, and only while it has waiters.
 *
 * @example
 *   const leases = new WaiterLeases({ store, clock, ids });
 *   const w = await leases.join(req.id); // undefined: the request is no longer pending
 *   try { ... } finally { if (w) await leases.leave(w); }
 */
export class WaiterLeases {
  private readonly leaseMs: number;
  private instance: string | undefined;
  private count = 0;
  /** Ids of this process's waiters, for the renewals. */
  private readonly live = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(private readonly opts: WaiterLeasesOptions) {
    this.leaseMs = opts.leaseMs ?? DEFAULT_WAITER_LEASE_MS;
  }

  /**
   * Count a new waiter on pending request `requestId`. Undefined when the request is no longer pending (nothing is
   * counted). A store failure rejects (STORE_UNAVAILABLE): the caller does not wait uncounted.
   */
  async join(requestId: string): Promise<Waiter | undefined> {
    this.instance ??= this.opts.ids('gw');
    const w: Waiter = { requestId, id: `${this.instance}.${++this.count}` };
    if (!(await this.opts.store.joinWaiter(requestId, w.id, this.opts.clock.now() + this.leaseMs))) return undefined;
    this.live.add(w.id);
    this.arm();
    return w;
  }

  /**
   * Count `req` as waited on until its deadline: it was handed out as pending (`return_pending`), and whoever has it
   * may send the action again once it is approved. One such waiter per request, whoever handed it out. False when the
   * request is no longer pending.
   */
  keep(req: StoredRequest): Promise<boolean> {
    return this.opts.store.joinWaiter(req.id, `pending:${req.id}`, req.expiresAt);
  }

  /** Stop counting `w`; resolves how many waiters (in any process) are left on its request. */
  async leave(w: Waiter): Promise<number> {
    // Not renewed any more, whatever the store answers: if it fails, the lease runs out on its own.
    this.live.delete(w.id);
    if (this.live.size === 0) this.disarm();
    return this.opts.store.leaveWaiter(w.requestId, w.id, this.opts.clock.now());
  }

  /** Stop renewing (shutdown): the leases of waiters still here run out. */
  stop(): void {
    this.disarm();
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.leaseMs / 3)));
    this.timer.unref?.();
  }

  private disarm(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.live.size === 0) return;
    this.renewing = true;
    try {
      await this.opts.store.renewWaiters([...this.live], this.opts.clock.now() + this.leaseMs);
    } catch {
      // The store is down: the next round tries again; two missed rounds still leave a third of the lease.
    } finally {
      this.renewing = false;
    }
  }
}
