// A gateway that stops while calls are held for approval answers them (a tool error the agent can act on) before its
// transports close, and leaves their approval requests open, not cancelled in the agent's name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startHarness, TEST_POLICY } from './support/harness.js';
import { realWorld } from './support/world.js';
import { toolText } from './support/upstreams.js';

for (const transport of ['stdio', 'http'] as const) {
  describe(`MCP gateway shutdown over ${transport}`, () => {
    it('answers a held call with GATEWAY_STOPPING and leaves its request pending', async () => {
      const world = await realWorld(TEST_POLICY);
      const h = await startHarness(world.gateway);
      try {
        const agent = await h.client(transport);
        const call = agent.callTool({ name: 'fs.write_file', arguments: { path: join(h.demoDir, 'held.txt'), content: 'x' } }, undefined, { timeout: 30_000 });
        let pending: Awaited<ReturnType<typeof world.approvals.list>> = [];
        for (let i = 0; i < 100 && pending.length === 0; i++) {
          await new Promise((r) => setTimeout(r, 30));
          pending = await world.approvals.list({ status: ['pending'] });
        }
        assert.equal(pending.length, 1, 'the call is held');
        const id = pending[0]!.request.id;

        await h.mcp.close(); // the gateway stops
        const r = await call;
        assert.equal(r.isError, true);
        assert.equal(toolText(r), `Countersign is shutting down; this call was not run. Approval request ${id} stays open: send the same call again to wait on it.`);
        assert.equal((r._meta as Record<string, unknown> | undefined)?.['countersign/error'], 'GATEWAY_STOPPING');

        assert.equal((await world.approvals.get(id)).state.status, 'pending', 'not cancelled: the agent may wait on it again elsewhere');
        assert.ok(!world.events.some((e) => e.type === 'approval.cancelled'));
        const cancelled = world.events.find((e) => e.type === 'mcp.call_cancelled');
        assert.deepEqual([(cancelled?.data as { stage?: string }).stage, (cancelled?.data as { approvalRequestId?: string }).approvalRequestId], ['GATEWAY_STOPPING', id], 'names the approval request that stays open');
        if (transport === 'http') {
          assert.ok(world.events.some((e) => e.type === 'mcp.session_closed' && (e.data as { reason?: string }).reason === 'gateway_stopped'));
        }
      } finally {
        await h.close();
        await world.close();
      }
    });

    it('cuts a call still running upstream after the grace and tells the client it may have run', async () => {
      const world = await realWorld(TEST_POLICY);
      const h = await startHarness(world.gateway, {}, { shutdownGraceMs: 300 });
      try {
        const agent = await h.client(transport);
        const call = agent.callTool({ name: 'everything.trigger-long-running-operation', arguments: { duration: 20, steps: 20 } }, undefined, { timeout: 30_000 });
        for (let i = 0; i < 100 && !world.events.some((e) => e.type === 'action.allowed'); i++) await new Promise((r) => setTimeout(r, 20));
        await new Promise((r) => setTimeout(r, 100)); // running upstream now
        const started = Date.now();
        await h.mcp.close();
        const r = await call;
        assert.ok(Date.now() - started < 5000, 'answered within the grace and the cut');
        assert.equal(r.isError, true);
        assert.equal(toolText(r), 'Countersign is shutting down and cut this call while the tool was running; it may have run, in part. Check before calling again.');
        assert.ok(world.events.some((e) => e.type === 'action.failed'), 'the cut call is recorded as failed');
      } finally {
        await h.close();
        await world.close();
      }
    });
  });
}
