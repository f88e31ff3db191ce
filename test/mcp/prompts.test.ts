// Prompts through the gateway (server-everything's prompts): listed under the upstream prefix, hidden when policy
// denies them, and each prompts/get is an action — decided, audited, and its messages masked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { realWorld } from './support/world.js';

const FEATURES = 'demo://resource/static/document/features.md';
const REVIEW = { approvers: ['approvers'], approvals: 1, timeout: '30m' };
const POLICY = {
  rules: [
    { name: 'no-resource-prompt', resource: 'everything', when: 'has(action.detail.prompt) && action.detail.prompt == "resource-prompt"', effect: 'deny' as const, reason: 'that prompt embeds server files' },
    { name: 'held-prompt', resource: 'everything', when: 'has(action.detail.prompt) && action.detail.prompt == "simple-prompt"', effect: 'review' as const, reason: 'prompts need review', review: REVIEW },
    { name: 'held-read', resource: 'everything', when: `has(action.detail.resource_uri) && action.detail.resource_uri == "${FEATURES}"`, effect: 'review' as const, reason: 'reads need review', review: REVIEW },
    ...(TEST_POLICY.rules ?? []),
  ],
};

describe('MCP gateway: prompts', () => {
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;
  let clients: Array<[string, Client]>;

  before(async () => {
    world = await realWorld(POLICY);
    h = await startHarness(world.gateway);
    clients = [['stdio', await h.client('stdio')], ['http', await h.client('http')]];
  });
  after(async () => {
    await h.close();
    await world.close();
  });

  for (const transport of ['stdio', 'http']) {
    it(`lists prompts under the upstream prefix and hides the denied one (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      const { prompts } = await client.listPrompts();
      const names = prompts.map((p) => p.name);
      assert.ok(names.includes('everything.simple-prompt'), names.join(', '));
      assert.ok(names.includes('everything.args-prompt'));
      assert.ok(!names.includes('everything.resource-prompt'), 'denied by policy, so hidden');
      const listed = (await world.store.readAudit(0, 10_000)).filter((e) => e.type === 'mcp.prompts_listed').at(-1);
      assert.deepEqual((listed?.body.data as { hidden: number }).hidden, 1);
    });

    it(`gets a prompt as an audited read, with its messages masked (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      const r = await client.getPrompt({ name: 'everything.args-prompt', arguments: { city: 'the old town', state: 'ask bob.jones@example.com' } });
      const text = (r.messages[0]!.content as { text: string }).text;
      assert.match(text, /^What's weather in the old town, ask /);
      assert.ok(!text.includes('bob.jones@example.com'), text);
      const events = await world.store.readAudit(0, 10_000);
      const allowed = events.filter((e) => e.type === 'action.allowed').at(-1)!;
      assert.deepEqual((allowed.body.data as { kind: string; tags: string[] }).kind, 'read');
      assert.ok((allowed.body.data as { tags: string[] }).tags.includes('prompt'));
      assert.match(String(allowed.body.summary), /^everything\.args-prompt /);
      assert.ok(!String(allowed.body.summary).includes('bob.jones@example.com'));
      assert.equal(events.at(-1)!.type, 'action.executed');
    });

    it(`refuses a denied prompt with a readable JSON-RPC error (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      // The message reads once, with the client's own "MCP error <code>:" in front (not the server's as well).
      await assert.rejects(client.getPrompt({ name: 'everything.resource-prompt', arguments: { resourceType: 'Text', resourceId: '1' } }), {
        message: 'MCP error -32600: Countersign policy denied this call: that prompt embeds server files. Do not retry it unchanged.',
      });
      await assert.rejects(client.getPrompt({ name: 'nowhere.simple-prompt' }), { message: 'MCP error -32602: Unknown prompt: nowhere.simple-prompt' });
      // A prompt the upstream does not offer is the client's mistake, answered before anything is decided.
      await assert.rejects(client.getPrompt({ name: 'everything.nope' }), { message: 'MCP error -32602: Unknown prompt: everything.nope (list prompts first)' });
      // A name the upstream does not know is the client's text: nothing of it reaches the audit log raw.
      await assert.rejects(client.getPrompt({ name: 'everything.carol.white@example.com' }), /Unknown prompt/);
      const events = await world.store.readAudit(0, 10_000);
      assert.ok(!JSON.stringify(events).includes('carol.white@example.com'), 'raw e-mail from a prompt name in the audit log');
    });

    it(`holds a prompt and a resource read like a call: progress while held, then the result (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      for (const ask of [
        (onprogress: (p: { message?: string }) => void) => client.getPrompt({ name: 'everything.simple-prompt' }, { onprogress, timeout: 30_000 }),
        (onprogress: (p: { message?: string }) => void) => client.readResource({ uri: FEATURES }, { onprogress, timeout: 30_000 }),
      ]) {
        const messages: string[] = [];
        let announce!: (id: string) => void;
        const held = new Promise<string>((r) => (announce = r));
        const result = ask((p) => {
          messages.push(p.message ?? '');
          const m = /^held for approval (\S+): needs 1 approval\(s\) from approvers/.exec(p.message ?? '');
          if (m) announce(m[1]!);
        });
        const id = await held;
        await new Promise((r) => setTimeout(r, 1200)); // heartbeat is 1s in the harness
        assert.ok(messages.some((m) => m.startsWith(`still waiting for approval ${id}`)), messages.join(' | '));
        await world.approve(id);
        const r = (await result) as { messages?: unknown[]; contents?: unknown[] };
        assert.ok((r.messages ?? r.contents ?? []).length > 0, JSON.stringify(r));
      }
    });

    it(`answers a held prompt or read at once with "pending approval <id>" when it asks for return_pending (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      const _meta = { 'countersign/holdMode': 'return_pending' };
      const pending = async (ask: () => Promise<unknown>, what: string): Promise<string> => {
        const started = Date.now();
        let id = '';
        await assert.rejects(ask(), (e: unknown) => {
          assert.ok(e instanceof McpError, String(e));
          assert.equal(e.code, ErrorCode.InvalidRequest);
          const m = new RegExp(`^MCP error -32600: pending approval (\\S+): this ${what} was not run yet; it needs 1 approval\\(s\\) from approvers`).exec(e.message);
          assert.ok(m, e.message);
          id = m[1]!;
          assert.deepEqual(e.data, { code: 'APPROVAL_PENDING', requestId: id, expiresAt: (e.data as { expiresAt: number }).expiresAt });
          return true;
        });
        assert.ok(Date.now() - started < 5000, 'answered at once');
        return id;
      };
      const prompt = () => client.getPrompt({ name: 'everything.simple-prompt', _meta }, { timeout: 8000 });
      const read = () => client.readResource({ uri: FEATURES, _meta }, { timeout: 8000 });
      const promptId = await pending(prompt, 'prompt');
      assert.equal(await pending(prompt, 'prompt'), promptId, 'a retry joins the same request');
      const readId = await pending(read, 'resource read');
      await world.approve(promptId);
      await world.approve(readId);
      assert.ok((await prompt()).messages.length > 0, 'the approved prompt runs');
      assert.ok((await read()).contents.length > 0, 'the approved read runs');
    });

    it(`tells the agent who denied a held prompt and why, with the reason masked (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      let announce!: (id: string) => void;
      const held = new Promise<string>((r) => (announce = r));
      const result = client.getPrompt({ name: 'everything.simple-prompt' }, { onprogress: (p) => { const m = /held for approval (\S+):/.exec(p.message ?? ''); if (m) announce(m[1]!); }, timeout: 30_000 });
      const id = await held;
      await world.deny(id, 'bob@example.com', 'not today, call Jonathan Whitaker at 415-555-0172');
      await assert.rejects(result, (e: unknown) => {
        const msg = (e as Error).message;
        assert.match(msg, new RegExp(`^MCP error -32600: A human approver \\(bob@example\\.com\\) denied this call \\(approval request ${id}\\); it was not run\\. Reason: not today, call `));
        assert.ok(!msg.includes('415-555-0172') && !msg.includes('Jonathan Whitaker'), msg);
        return true;
      });
    });
  }
});

describe('MCP gateway: prompts with the gateway in return_pending mode (countersign mcp --hold-mode return_pending)', () => {
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;

  before(async () => {
    world = await realWorld(POLICY);
    h = await startHarness(world.gateway, { hold_mode: 'return_pending' });
  });
  after(async () => {
    await h.close();
    await world.close();
  });

  it('answers a held prompt and a held read at once without per-call _meta (stdio)', async () => {
    const client = await h.client('stdio');
    await assert.rejects(client.getPrompt({ name: 'everything.simple-prompt' }, { timeout: 8000 }), /^McpError: MCP error -32600: pending approval \S+: this prompt was not run yet|pending approval \S+: this prompt was not run yet/);
    await assert.rejects(client.readResource({ uri: FEATURES }, { timeout: 8000 }), /pending approval \S+: this resource read was not run yet/);
    // Per call, a client may still choose to wait.
    let announce!: (id: string) => void;
    const held = new Promise<string>((r) => (announce = r));
    const result = client.getPrompt({ name: 'everything.simple-prompt', _meta: { 'countersign/holdMode': 'wait' } }, { onprogress: (p) => { const m = /held for approval (\S+):/.exec(p.message ?? ''); if (m) announce(m[1]!); }, timeout: 30_000 });
    await world.approve(await held);
    assert.ok((await result).messages.length > 0);
  });
});
