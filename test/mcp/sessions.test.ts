// Streamable HTTP sessions per principal are capped (mcp.max_sessions_per_principal): a new session closes the
// principal's longest-idle one, and is refused with 429 when every one has a call in flight.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { realWorld } from './support/world.js';

describe('MCP gateway: sessions per principal', () => {
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;

  before(async () => {
    world = await realWorld(TEST_POLICY);
    h = await startHarness(world.gateway, { max_sessions_per_principal: 2 });
  });
  after(async () => {
    await h.close();
    await world.close();
  });

  it('closes the longest-idle session of the principal to make room, and records it', async () => {
    const first = await h.client('http');
    const second = await h.client('http');
    await second.listTools();
    const outsider = await h.client('http', 'outsider'); // another principal's sessions do not count
    const third = await h.client('http');
    assert.equal((await third.listTools()).tools.length > 0, true);
    await second.listTools();
    await outsider.listTools();
    await assert.rejects(first.listTools(), /404|Session not found/, 'the longest-idle session was closed');
    assert.ok(world.events.some((e) => e.type === 'mcp.session_closed' && e.principal?.id === 'agent:claude' && (e.data as { reason?: string }).reason === 'evicted'));
    // A client that ends its own session (HTTP DELETE) is recorded as such.
    const before = world.events.length;
    await (third.transport as unknown as { terminateSession(): Promise<void> }).terminateSession();
    for (let i = 0; i < 50 && !world.events.slice(before).some((e) => e.type === 'mcp.session_closed'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(world.events.slice(before).filter((e) => e.type === 'mcp.session_closed').map((e) => (e.data as { reason?: string }).reason), ['client']);
    await third.close();
  });

  it('keeps to the limit when many sessions are opened at once', async () => {
    // A client whose session is closed for a newer one while it connects fails to connect (404): that is the limit.
    const settled = await Promise.allSettled(Array.from({ length: 6 }, () => h.client('http')));
    const clients = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const alive = await Promise.all(clients.map((c) => c.listTools().then(() => true, () => false)));
    const n = alive.filter(Boolean).length;
    assert.ok(n >= 1 && n <= 2, `${n} sessions answer; the limit is 2`);
  });

  it('refuses a new session with 429 while every session of the principal has a call in flight', async () => {
    const a = await h.client('http');
    const b = await h.client('http');
    const held = [a, b].map((c, i) =>
      c.callTool({ name: 'fs.write_file', arguments: { path: join(h.demoDir, `held-${i}.txt`), content: 'x' } }, undefined, { timeout: 30_000 }),
    );
    let pending: Awaited<ReturnType<typeof world.approvals.list>> = [];
    for (let i = 0; i < 100 && pending.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pending = await world.approvals.list({ status: ['pending'] });
    }
    assert.equal(pending.length, 2);
    await assert.rejects(h.client('http'), /429|Too many sessions/);
    for (const p of pending) await world.deny(p.request.id, 'bob@example.com', 'not now');
    for (const r of await Promise.all(held)) assert.equal(r.isError, true);
    // With the calls finished, a new session makes room again.
    const c = await h.client('http');
    assert.ok((await c.listTools()).tools.length > 0);
  });
});
