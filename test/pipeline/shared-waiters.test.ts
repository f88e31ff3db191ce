// Identical held calls on two gateways sharing one SQLite file (two `countersign mcp` processes, or two servers): each
// waiting call is counted in the store, so a request is cancelled only when no waiter is left in either gateway, and
// never when one of them handed it out as pending.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { randomIds, type Clock } from '../../src/core/clock.js';
import { CountersignError } from '../../src/core/errors.js';
import type { Principal } from '../../src/core/identity.js';
import { createAuditLog } from '../../src/audit/log.js';
import { ApprovalService, type ApprovalServiceOptions } from '../../src/approvals/service.js';
import { createMasker, maskingConfigSchema } from '../../src/masking/index.js';
import { createPipeline } from '../../src/pipeline/pipeline.js';
import type { PendingInfo, RunOptions } from '../../src/pipeline/types.js';
import { compilePolicy } from '../../src/policy/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';

const agent: Principal = { id: 'agent:etl', type: 'agent', groups: ['bots'], authMethod: 'api_key' };
const dana: Principal = { id: 'dana@example.com', type: 'human', groups: ['dba'], authMethod: 'oidc' };
const policy = compilePolicy({
  rules: [{ name: 'deletes-need-review', resource: 'prod-db', effect: 'review', review: { approvers: ['dba'], approvals: 1, timeout: '30m' } }],
});
const input = (sql: string) => ({ principal: agent, resource: 'prod-db', connector: 'test', kind: 'delete' as const, summary: sql, detail: { sql } });

/** One SQLite file and `n` gateways on it (a store connection, audit log, approval service and pipeline each). */
async function sharedFile(n: number, opts: Partial<ApprovalServiceOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'cs-shared-waiters-'));
  const file = join(dir, 'cs.db');
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  const masker = createMasker(maskingConfigSchema.parse({}));
  const alive = setInterval(() => undefined, 1000); // the polls and lease renewals do not hold the process open (a server does)
  const gws = Array.from({ length: n }, () => {
    const store = new SqliteStore(file);
    const audit = createAuditLog({ store, clock });
    const approvals = new ApprovalService({ store, audit, clock, ids: randomIds, pollMs: 30, ...opts });
    const gateway = createPipeline({ policy, approvals, audit, masker, clock });
    return { store, audit, approvals, gateway };
  });
  return {
    file,
    gws,
    advance: (ms: number) => void (offset += ms),
    /** Audit event types recorded for request `id`, in order. */
    async auditFor(id: string): Promise<string[]> {
      return (await gws[0]!.store.readAudit(0, 10_000)).filter((r) => r.body.requestId === id).map((r) => r.type);
    },
    async status(id: string): Promise<string> {
      return (await gws[0]!.approvals.get(id)).state.status;
    },
    async dispose() {
      clearInterval(alive);
      for (const g of gws) {
        g.approvals.stop();
        await g.audit.close().catch(() => undefined);
        await g.store.close().catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Start a held call on `gw`; `held` resolves with its request id once it waits, `ran` counts its executions. */
function heldCall(gw: { gateway: ReturnType<typeof createPipeline> }, sql: string, ro: RunOptions = {}) {
  const ctrl = new AbortController();
  let announce!: (info: PendingInfo) => void;
  const held = new Promise<PendingInfo>((r) => (announce = r));
  const call = { ran: 0, ctrl, held, result: undefined as unknown as Promise<unknown> };
  call.result = gw.gateway.run(input(sql), async () => (call.ran++, 'deleted'), { signal: ctrl.signal, onPending: announce, ...ro });
  call.result.catch(() => undefined);
  return call;
}

const cancelled = (e: unknown) => e instanceof CountersignError && e.code === 'APPROVAL_CANCELLED';

describe('held calls on two gateways sharing one store', () => {
  it("the opener's caller leaving keeps the request for the other gateway's caller, who runs once approved", async () => {
    const w = await sharedFile(2);
    try {
      const [a, b] = w.gws as [typeof w.gws[0], typeof w.gws[0]];
      const first = heldCall(a, 'DELETE FROM sessions');
      const id = (await first.held).requestId;
      const second = heldCall(b, 'DELETE FROM sessions');
      assert.equal((await second.held).requestId, id, 'the identical call on the other gateway joined the request');

      first.ctrl.abort();
      await assert.rejects(first.result, cancelled);
      await sleep(150); // several polls of the waiting gateway
      assert.equal(await w.status(id), 'pending', 'the other gateway still waits on it');

      await a.approvals.vote(id, dana, 'approve', { channel: 'api' });
      const r = (await second.result) as { status: string; requestId: string };
      assert.equal(r.status, 'executed');
      assert.equal(r.requestId, id);
      assert.equal(second.ran, 1);
      assert.equal(first.ran, 0);
      assert.equal(await w.status(id), 'executed');
      const types = await w.auditFor(id);
      assert.ok(!types.includes('approval.cancelled'), types.join(', '));
      assert.deepEqual(types.filter((t) => t === 'action.executed'), ['action.executed']);
    } finally {
      await w.dispose();
    }
  });

  it('the request is cancelled, and audited once, when the callers on both gateways have left', async () => {
    const w = await sharedFile(2);
    try {
      const [a, b] = w.gws as [typeof w.gws[0], typeof w.gws[0]];
      // One after the other.
      const one = heldCall(a, 'DELETE FROM users');
      const id = (await one.held).requestId;
      const two = heldCall(b, 'DELETE FROM users');
      assert.equal((await two.held).requestId, id);
      two.ctrl.abort(); // the joiner leaves first: the opener still waits
      await assert.rejects(two.result, cancelled);
      assert.equal(await w.status(id), 'pending');
      one.ctrl.abort();
      await assert.rejects(one.result, cancelled);
      assert.equal(await w.status(id), 'cancelled');
      const view = await b.approvals.get(id);
      assert.deepEqual(view.state.decidedBy, ['agent:etl']);
      assert.equal(view.state.reason, 'the waiting client disconnected');
      assert.deepEqual((await w.auditFor(id)).filter((t) => t === 'approval.cancelled' || t === 'approval.void'), ['approval.cancelled']);

      // Both at once: one of them sees the other gone, so neither skips the cancellation, and it is recorded once.
      const x = heldCall(a, 'DELETE FROM orders');
      const id2 = (await x.held).requestId;
      const y = heldCall(b, 'DELETE FROM orders');
      assert.equal((await y.held).requestId, id2);
      x.ctrl.abort();
      y.ctrl.abort();
      await Promise.all([assert.rejects(x.result, cancelled), assert.rejects(y.result, cancelled)]);
      assert.equal(await w.status(id2), 'cancelled');
      assert.equal((await w.auditFor(id2)).filter((t) => t === 'approval.cancelled').length, 1);
      assert.equal(x.ran + y.ran, 0);
    } finally {
      await w.dispose();
    }
  });

  it("a waiter's lease is renewed while it waits: it counts long after its first lease ran out", async () => {
    const w = await sharedFile(2, { waiterLeaseMs: 600 });
    try {
      const [a, b] = w.gws as [typeof w.gws[0], typeof w.gws[0]];
      const long = heldCall(a, 'DROP TABLE audit_old');
      const id = (await long.held).requestId;
      await sleep(1500); // two and a half leases: only renewals keep it counted
      const brief = heldCall(b, 'DROP TABLE audit_old');
      assert.equal((await brief.held).requestId, id);
      brief.ctrl.abort();
      await assert.rejects(brief.result, cancelled);
      assert.equal(await w.status(id), 'pending', 'the renewed waiter on the other gateway still counts');
      long.ctrl.abort();
      await assert.rejects(long.result, cancelled);
      assert.equal(await w.status(id), 'cancelled');
    } finally {
      await w.dispose();
    }
  });

  it("a gateway gone with its caller still waiting keeps the request only until that waiter's lease runs out", async () => {
    const w = await sharedFile(2, { waiterLeaseMs: 60_000 });
    try {
      const [a, b] = w.gws as [typeof w.gws[0], typeof w.gws[0]];
      const orphan = heldCall(a, 'DROP TABLE audit_old');
      const id = (await orphan.held).requestId;
      a.approvals.stop(); // gateway A stops renewing, as a crashed process would; its waiter is never told to leave
      const late = heldCall(b, 'DROP TABLE audit_old');
      assert.equal((await late.held).requestId, id);
      late.ctrl.abort();
      await assert.rejects(late.result, cancelled);
      assert.equal(await w.status(id), 'pending', "the gone gateway's waiter counts until its lease runs out");
      w.advance(60_000);
      const last = heldCall(b, 'DROP TABLE audit_old');
      assert.equal((await last.held).requestId, id);
      last.ctrl.abort();
      await assert.rejects(last.result, cancelled);
      assert.equal(await w.status(id), 'cancelled', 'a lapsed lease keeps no request alive');
      assert.equal((await w.auditFor(id)).filter((t) => t === 'approval.cancelled').length, 1);
      await assert.rejects(orphan.result, cancelled);
    } finally {
      await w.dispose();
    }
  });

  it('a request one gateway handed out as pending is never cancelled by a caller leaving the other', async () => {
    const w = await sharedFile(2);
    try {
      const [a, b] = w.gws as [typeof w.gws[0], typeof w.gws[0]];
      const waiting = heldCall(a, 'TRUNCATE carts');
      const id = (await waiting.held).requestId;
      const handed = await b.gateway.run(input('TRUNCATE carts'), async () => 'never', { holdMode: 'return_pending' });
      assert.equal(handed.status, 'pending');
      assert.equal(handed.status === 'pending' && handed.pending.requestId, id);
      waiting.ctrl.abort();
      await assert.rejects(waiting.result, cancelled);
      assert.equal(await w.status(id), 'pending', 'whoever got it as pending may send the call again once approved');
      await a.approvals.vote(id, dana, 'approve', { channel: 'api' });
      const again = await b.gateway.run(input('TRUNCATE carts'), async () => 'truncated', { holdMode: 'return_pending' });
      assert.equal(again.status, 'executed');
    } finally {
      await w.dispose();
    }
  });

  it('a call that finds a request cancelled before it could join it asks anew, and runs once that is approved', async () => {
    const w = await sharedFile(2);
    try {
      const [a, b] = w.gws as [typeof w.gws[0], typeof w.gws[0]];
      const first = heldCall(a, 'DELETE FROM carts');
      const id = (await first.held).requestId;
      // Between B finding the request and joining it, A's caller leaves and the request is cancelled.
      const join = b.approvals.join.bind(b.approvals);
      b.approvals.join = async (rid) => {
        b.approvals.join = join;
        first.ctrl.abort();
        await assert.rejects(first.result, cancelled);
        assert.equal(await w.status(rid), 'cancelled');
        return join(rid);
      };
      const second = heldCall(b, 'DELETE FROM carts');
      const id2 = (await second.held).requestId;
      assert.notEqual(id2, id, 'a new request, not the cancelled one');
      await a.approvals.vote(id2, dana, 'approve', { channel: 'api' });
      assert.equal(((await second.result) as { status: string }).status, 'executed');
      assert.equal(second.ran, 1);
    } finally {
      await w.dispose();
    }
  });

  it('a call whose waiting the store cannot record does not wait on the request, nor run (STORE_UNAVAILABLE)', async () => {
    const w = await sharedFile(1);
    try {
      const db = new Database(w.file);
      db.exec(`CREATE TRIGGER fail_waiters BEFORE INSERT ON request_waiters BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
      db.close();
      let pending = 0;
      let ran = 0;
      await assert.rejects(
        w.gws[0]!.gateway.run(input('DELETE FROM invoices'), async () => (ran++, 'deleted'), { onPending: () => pending++ }),
        (e: unknown) => e instanceof CountersignError && e.code === 'STORE_UNAVAILABLE',
      );
      assert.equal(ran, 0);
      assert.equal(pending, 0, 'the caller was never told it waits');
    } finally {
      await w.dispose();
    }
  });
});
