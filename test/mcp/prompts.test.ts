// Prompts through the gateway (server-everything's prompts): listed under the upstream prefix, hidden when policy
// denies them, and each prompts/get is an action — decided, audited, and its messages masked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { realWorld } from './support/world.js';

const POLICY = {
  rules: [
    { name: 'no-resource-prompt', resource: 'everything', when: 'has(action.detail.prompt) && action.detail.prompt == "resource-prompt"', effect: 'deny' as const, reason: 'that prompt embeds server files' },
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
      // An error the upstream sent is passed on with its code, read once too.
      await assert.rejects(client.getPrompt({ name: 'everything.nope' }), { message: 'MCP error -32602: Prompt nope not found' });
      // A name the upstream does not know is the client's text: the audit log keeps it masked.
      await assert.rejects(client.getPrompt({ name: 'everything.carol.white@example.com' }), /not found/);
      const events = await world.store.readAudit(0, 10_000);
      assert.ok(!JSON.stringify(events).includes('carol.white@example.com'), 'raw e-mail from a prompt name in the audit log');
    });
  }
});
