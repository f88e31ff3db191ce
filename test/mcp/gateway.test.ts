// The MCP gateway end to end: the official SDK client → Countersign (stdio and Streamable HTTP) → real MCP servers
// from npm (filesystem on a temp folder, everything). Same scenarios on both downstream transports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EmptyResultSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { agentSession } from './support/agent-session.js';
import { toolText } from './support/upstreams.js';

const text = toolText;

/** Start a call that will be held; resolve with the request id announced by the first progress notification. */
function heldCall(client: Client, name: string, args: Record<string, unknown>) {
  let announce!: (id: string) => void;
  const requestId = new Promise<string>((r) => (announce = r));
  const messages: string[] = [];
  const result = client.callTool({ name, arguments: args }, undefined, {
    onprogress: (p) => {
      messages.push(p.message ?? '');
      const m = /held for approval (\S+):/.exec(p.message ?? '');
      if (m) announce(m[1]);
    },
    timeout: 30_000,
  });
  return { requestId, result, messages };
}

for (const transport of ['stdio', 'http'] as const) {
  describe(`MCP gateway over ${transport}`, () => {
    const s = agentSession(transport);

    it('lists upstream tools under their prefix and hides the ones policy denies', async () => {
      const { tools } = await s.agent.listTools();
      const names = tools.map((t) => t.name);
      assert.ok(names.includes('fs.read_text_file'));
      assert.ok(names.includes('fs.write_file'), 'held tools stay visible');
      assert.ok(names.includes('everything.get-sum'));
      assert.ok(!names.includes('everything.get-env'), 'denied by no-env-dump');
      assert.ok(!names.includes('fs.move_file'), 'denied by no-move');
      assert.ok(names.every((n) => n.startsWith('fs.') || n.startsWith('everything.')));
      const write = tools.find((t) => t.name === 'fs.write_file')!;
      assert.equal(write.annotations?.destructiveHint, true, 'annotations pass through');
      const listed = s.world.events.filter((e) => e.type === 'mcp.tools_listed').at(-1)!;
      assert.equal(listed.principal?.id, 'agent:claude');
      assert.equal((listed.data as { hidden: number }).hidden, 2);
    });

    it('shows a principal no rule allows no tools at all', async () => {
      const stranger = await s.h.client(transport, 'outsider');
      const { tools } = await stranger.listTools();
      assert.deepEqual(tools, []);
    });

    it('forwards an allowed call and returns the upstream result', async () => {
      const r = await s.agent.callTool({ name: 'everything.get-sum', arguments: { a: 2, b: 3 } });
      assert.equal(r.isError, undefined);
      assert.equal(text(r), 'The sum of 2 and 3 is 5.');
    });

    it('answers a denied call with a tool error that tells the model why', async () => {
      const r = await s.agent.callTool({ name: 'everything.get-env', arguments: {} });
      assert.equal(r.isError, true);
      assert.match(text(r), /policy denied this call: reading the server environment is not allowed/);
      assert.doesNotMatch(text(r), /no-env-dump/, 'rule names are policy internals');
    });

    it('masks tool results (text and structured content) before the model sees them', async () => {
      const r = await s.agent.callTool({ name: 'fs.read_text_file', arguments: { path: join(s.h.demoDir, 'contacts.txt') } });
      assert.equal(r.isError, undefined);
      const all = JSON.stringify(r);
      assert.ok(!all.includes('alice.smith@example.com'), 'raw e-mail left the gateway');
      assert.match(text(r), /about the launch/);
    });

    it('holds a write, keeps the client informed, and forwards the exact call once approved', async () => {
      const path = join(s.h.demoDir, 'approved.txt');
      const call = heldCall(s.agent, 'fs.write_file', { path, content: 'approved content' });
      const id = await call.requestId;
      await assert.rejects(stat(path), 'nothing is written while held');
      s.world.approve(id);
      const r = await call.result;
      assert.equal(r.isError, undefined, text(r));
      assert.equal(await readFile(path, 'utf8'), 'approved content');
      assert.match(call.messages[0], /needs 1 approval\(s\) from approvers/);
    });

    it('answers a denied hold with who decided and why (the reason masked), and runs nothing', async () => {
      const path = join(s.h.demoDir, 'denied.txt');
      const call = heldCall(s.agent, 'fs.write_file', { path, content: 'x' });
      const id = await call.requestId;
      s.world.deny(id, 'bob@example.com', 'not during the freeze, call Jonathan Whitaker at 415-555-0172');
      const r = await call.result;
      assert.equal(r.isError, true);
      assert.equal(r._meta?.['countersign/error'], 'APPROVAL_DENIED');
      assert.match(text(r), new RegExp(`^A human approver \\(bob@example\\.com\\) denied this call \\(approval request ${id}\\); it was not run\\. Reason: not during the freeze, call .+\\. Do not retry it unchanged`));
      assert.equal(text(r).split('bob@example.com').length, 2, 'who decided is said once');
      for (const secret of ['Jonathan Whitaker', '415-555-0172']) assert.ok(!JSON.stringify(r).includes(secret), `${secret} reached the agent: ${text(r)}`);
      // The agent reads the same masked reason the audit log keeps.
      const logged = (await s.world.store.readAudit(0, 100_000)).find((e) => e.type === 'approval.denied' && e.body.requestId === id) ?? (await s.world.store.readAudit(0, 100_000)).filter((e) => e.body.requestId === id && (e.body.data as { reason?: string } | undefined)?.reason).at(-1);
      const reason = (logged?.body.data as { reason?: string } | undefined)?.reason;
      assert.ok(reason && text(r).includes(`Reason: ${reason}`), `audit: ${reason} / agent: ${text(r)}`);
      await assert.rejects(stat(path));
    });

    it('answers an expired hold with a tool error and runs nothing', async () => {
      const path = join(s.h.demoDir, 'expired.txt');
      const call = heldCall(s.agent, 'fs.write_file', { path, content: 'x' });
      s.world.expire(await call.requestId);
      const r = await call.result;
      assert.equal(r.isError, true);
      assert.match(text(r), /Nobody approved this call in time/);
      await assert.rejects(stat(path));
    });

    it('answers at once with "pending approval <id>" when the call asks for return_pending', async () => {
      const r = await s.agent.callTool({
        name: 'fs.write_file',
        arguments: { path: join(s.h.demoDir, 'later.txt'), content: 'x' },
        _meta: { 'countersign/holdMode': 'return_pending' },
      });
      assert.equal(r.isError, true);
      assert.match(text(r), /^pending approval \S+: this call was not run yet/);
    });

    it('rejects an unknown tool with JSON-RPC invalid params', async () => {
      for (const name of ['nope.tool', 'no-prefix', 'fs.no_such_tool']) {
        await assert.rejects(s.agent.callTool({ name, arguments: {} }), (e: unknown) => e instanceof McpError && e.code === ErrorCode.InvalidParams);
      }
    });

    it('answers an unknown method with JSON-RPC method not found', async () => {
      await assert.rejects(s.agent.request({ method: 'sampling/nope', params: {} }, EmptyResultSchema), (e: unknown) => e instanceof McpError && e.code === ErrorCode.MethodNotFound);
    });

    it('cancels a held call when the client goes away, and the gateway serves others', async () => {
      const leaver = await s.h.client(transport);
      const before = s.world.events.filter((e) => e.type === 'mcp.call_cancelled').length;
      const call = heldCall(leaver, 'fs.write_file', { path: join(s.h.demoDir, 'gone.txt'), content: 'x' });
      const id = await call.requestId;
      call.result.catch(() => undefined);
      await leaver.close();
      const status = async () => (await s.world.approvals.get(id)).state.status;
      for (let i = 0; i < 200 && (await status()) === 'pending'; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await status(), 'cancelled', 'the hold was cancelled and recorded as such');
      assert.ok(s.world.events.some((e) => e.type === 'approval.cancelled' && e.requestId === id));
      for (let i = 0; i < 200 && s.world.events.filter((e) => e.type === 'mcp.call_cancelled').length === before; i++) await new Promise((r) => setTimeout(r, 10));
      const cancelled = s.world.events.filter((e) => e.type === 'mcp.call_cancelled').at(-1)!;
      assert.equal(cancelled.resource, 'fs');
      assert.equal((cancelled.data as { stage: string }).stage, 'APPROVAL_CANCELLED');
      const r = await s.agent.callTool({ name: 'everything.get-sum', arguments: { a: 1, b: 1 } });
      assert.equal(text(r), 'The sum of 1 and 1 is 2.');
    });

    it('keeps a request two identical held calls share while one of them still waits; the last to leave cancels it', async () => {
      const [first, second] = [await s.h.client(transport), await s.h.client(transport)];
      const args = { path: join(s.h.demoDir, `shared-${transport}.txt`), content: 'shared' };
      const a = heldCall(first, 'fs.write_file', args);
      const id = await a.requestId;
      const b = heldCall(second, 'fs.write_file', args);
      assert.equal(await b.requestId, id, 'the identical call joined the request');
      a.result.catch(() => undefined);
      b.result.catch(() => undefined);
      await first.close();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await s.world.approvals.get(id)).state.status, 'pending', 'the other caller still waits on it');
      await second.close();
      const status = async () => (await s.world.approvals.get(id)).state.status;
      for (let i = 0; i < 200 && (await status()) === 'pending'; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await status(), 'cancelled');
    });
  });
}
