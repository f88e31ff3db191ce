// The opt-in short-timeout mode (`_meta: { 'countersign/holdMode': 'return_pending' }`) end to end on the real
// kernel, over both downstream transports: the first call answers "pending approval <id>" at once, retries join the
// same request, the approved call runs exactly once, and the approval covers nothing else.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { agentSession } from './support/agent-session.js';
import { toolText } from './support/upstreams.js';

const text = toolText;
const META = { 'countersign/holdMode': 'return_pending' };

/** The request id a "pending approval <id>" answer names; fails the test when the call was not held. */
function pendingId(r: unknown): string {
  assert.equal((r as CallToolResult).isError, true, text(r));
  const m = /^pending approval (\S+): this call was not run yet/.exec(text(r));
  assert.ok(m, `expected a pending answer, got: ${text(r)}`);
  assert.equal(((r as CallToolResult)._meta?.['countersign/pending'] as { requestId: string }).requestId, m[1]);
  return m[1];
}

for (const transport of ['stdio', 'http'] as const) {
  describe(`MCP return_pending over ${transport}`, () => {
    const s = agentSession(transport);

    it('joins retries to one request, runs the approved call once, and covers nothing else', async () => {
      const path = join(s.h.demoDir, 'pending.txt');
      const call = (content: string) => s.agent.callTool({ name: 'fs.write_file', arguments: { path, content }, _meta: META });
      const held = () => s.world.events.filter((e) => e.type === 'action.held');

      const id = pendingId(await call('approved content'));
      await assert.rejects(stat(path), 'nothing is written while pending');
      assert.equal(held().length, 1);

      // A retry before anyone decides joins the same request.
      assert.equal(pendingId(await call('approved content')), id);
      assert.equal(held().length, 1, 'no second request for the same call');
      const digest = held()[0].actionDigest!;
      assert.deepEqual((await s.world.store.findByDigest(digest, ['pending'])).map((r) => r.id), [id]);
      await assert.rejects(stat(path));

      const view = await s.world.approve(id);
      assert.equal(view.state.status, 'approved');

      // The approval binds to the exact arguments: other content is a new request and is not written.
      const otherId = pendingId(await call('other content'));
      assert.notEqual(otherId, id);
      await assert.rejects(stat(path), 'the approval did not cover different arguments');

      // The identical call now runs on the once-grant.
      const r = await call('approved content');
      assert.equal(r.isError, undefined, text(r));
      assert.equal(await readFile(path, 'utf8'), 'approved content');

      // The grant is used up: the same call again is held as a new request and writes nothing.
      await rm(path);
      const againId = pendingId(await call('approved content'));
      assert.notEqual(againId, id);
      assert.notEqual(againId, otherId);
      await assert.rejects(stat(path), 'the used grant did not run the call a second time');

      const executed = s.world.events.filter((e) => e.type === 'action.executed' && e.requestId === id);
      assert.equal(executed.length, 1, 'the approved call ran exactly once');
      assert.equal(s.world.events.filter((e) => e.type === 'action.executed' && e.actionDigest === digest).length, 1);
      assert.equal((await s.world.approvals.get(id)).state.status, 'executed');
    });

    it('tells the agent, once, how a request it was handed ended without running: denied, expired, or approved and left to lapse', async () => {
      const call = (name: string) => s.agent.callTool({ name: 'fs.write_file', arguments: { path: join(s.h.demoDir, name), content: 'x' }, _meta: META });

      const denied = pendingId(await call('denied.txt'));
      await s.world.deny(denied, 'bob@example.com', 'not in prod');
      const told = await call('denied.txt');
      assert.equal(told.isError, true);
      assert.equal(text(told), `A human approver (bob@example.com) denied this call (approval request ${denied}); it was not run. Reason: not in prod. Do not retry it unchanged: change course, or ask the person you act for.`);
      const anew = pendingId(await call('denied.txt'));
      assert.notEqual(anew, denied, 'told once: the next identical call asks anew');
      await s.world.deny(anew, 'bob@example.com', 'still no');

      const expired = pendingId(await call('expired.txt'));
      await s.world.expire(expired);
      assert.match(text(await call('expired.txt')), new RegExp(`^Nobody approved this call in time \\(approval request ${expired}\\); it was not run\\.`));
      assert.notEqual(pendingId(await call('expired.txt')), expired);

      const lapsed = pendingId(await call('lapsed.txt'));
      await s.world.approve(lapsed);
      s.world.advance(31 * 60_000); // the rule's 30m: the once-grant lapses unused
      const late = await call('lapsed.txt');
      assert.match(text(late), new RegExp(`^The approval for this call \\(approval request ${lapsed}\\) lapsed before the call was made again; it was not run\\. approval request ${lapsed} was approved by bob@example\\.com but not used before the approval lapsed at `));
      await assert.rejects(stat(join(s.h.demoDir, 'lapsed.txt')), 'nothing was written');
      assert.notEqual(pendingId(await call('lapsed.txt')), lapsed);
    });

    it('does not tell an old outcome once a newer identical call has run', async () => {
      const path = join(s.h.demoDir, 'newer.txt');
      const args = { path, content: 'x' };
      const denied = pendingId(await s.agent.callTool({ name: 'fs.write_file', arguments: args, _meta: META }));
      await s.world.deny(denied, 'bob@example.com', 'not yet');
      // The agent asks again, waiting this time: a new request, approved, and the call runs.
      const waiting = s.agent.callTool({ name: 'fs.write_file', arguments: args, _meta: { 'countersign/holdMode': 'wait' } }, undefined, { timeout: 30_000 });
      let id: string | undefined;
      for (let i = 0; i < 100 && !id; i++) {
        await new Promise((r) => setTimeout(r, 20));
        id = (await s.world.approvals.list({ status: ['pending'] })).find((v) => v.request.id !== denied && v.request.summary.includes('newer.txt'))?.request.id;
      }
      assert.ok(id, 'the waiting call is held');
      await s.world.approve(id!);
      assert.equal((await waiting).isError, undefined);
      // The next identical call is held anew; the denial before is old news.
      const again = await s.agent.callTool({ name: 'fs.write_file', arguments: args, _meta: META });
      assert.notEqual(pendingId(again), denied);
    });

    it('records requested, held, approved and executed (with the result size) for a forwarded call', async () => {
      const path = join(s.h.demoDir, 'audited.txt');
      const args = { path, content: 'audited' };
      const id = pendingId(await s.agent.callTool({ name: 'fs.write_file', arguments: args, _meta: META }));
      await s.world.approve(id);
      const r = await s.agent.callTool({ name: 'fs.write_file', arguments: args, _meta: META });
      assert.equal(r.isError, undefined, text(r));

      const digest = s.world.events.find((e) => e.type === 'action.held' && e.requestId === id)!.actionDigest!;
      const mine = s.world.events.filter((e) => e.actionDigest === digest);
      const types = mine.map((e) => e.type);
      for (const t of ['action.requested', 'action.held', 'approval.approved', 'action.executed'] as const) {
        assert.ok(types.includes(t), `missing ${t} in ${types.join(', ')}`);
      }
      // Order: asked, held, approved, asked again (on retry), executed.
      assert.ok(types.indexOf('action.requested') < types.indexOf('action.held'));
      assert.ok(types.indexOf('action.held') < types.indexOf('approval.approved'));
      assert.ok(types.indexOf('approval.approved') < types.lastIndexOf('action.executed'));
      const requested = mine.filter((e) => e.type === 'action.requested');
      assert.equal(requested.length, 2, 'each call is recorded');
      for (const e of requested) {
        assert.equal(e.principal?.id, 'agent:claude');
        assert.equal(e.resource, 'fs');
        assert.equal((e.data as { effect: string }).effect, 'review');
      }
      const executed = mine.find((e) => e.type === 'action.executed')!;
      assert.equal(executed.requestId, id);
      const bytes = (executed.data as { resultBytes: number }).resultBytes;
      assert.equal(typeof bytes, 'number');
      assert.ok(bytes > 0, 'resultBytes is the size of the result sent back');
      assert.equal(bytes, Buffer.byteLength(JSON.stringify(r)), 'resultBytes is the size of the result the agent got');
    });
  });
}
