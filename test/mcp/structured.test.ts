// Structured tool output: a tool that declares an output schema returns personal data in structuredContent. The
// agent's SDK client validates structuredContent against the schema the gateway lists, so the masked result must
// still pass that check (and the e-mail, card and phone must not reach the agent).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { realWorld } from './support/world.js';

const CONTACTS = fileURLToPath(new URL('./fixtures/contacts-server.mjs', import.meta.url));
const POLICY = {
  rules: [...(TEST_POLICY.rules ?? []), { name: 'agents-contacts', principal: { groups: ['agents'] }, resource: 'contacts', effect: 'allow' as const, mask: 'default' }],
};

describe('MCP gateway: structured output', () => {
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;
  let agents: Array<[string, Client]>;

  before(async () => {
    world = await realWorld(POLICY);
    h = await startHarness(world.gateway, { upstreams: [{ name: 'contacts', command: process.execPath, args: [CONTACTS] }] });
    agents = [['stdio', await h.client('stdio')], ['http', await h.client('http')]];
  });
  after(async () => {
    await h.close();
    await world.close();
  });

  it('lists the output schema with its shape, loosened where masking changes values', async () => {
    const { tools } = await agents[0]![1].listTools();
    const schema = tools.find((t) => t.name === 'contacts.lookup')?.outputSchema as { type: string; properties: Record<string, Record<string, unknown>>; required: string[] };
    assert.equal(schema.type, 'object');
    assert.deepEqual(Object.keys(schema.properties).sort(), ['card', 'email', 'name', 'phone', 'status', 'visits']);
    assert.deepEqual(schema.required.sort(), ['card', 'email', 'name', 'phone', 'status', 'visits']);
    assert.deepEqual(schema.properties.email, { type: 'string' }, 'format dropped: a masked address is not an address');
    assert.deepEqual(schema.properties.card, { type: ['integer', 'string'] }, 'a masked number becomes a string');
    assert.equal(schema.properties.status!.enum, undefined);
  });

  for (const transport of ['stdio', 'http']) {
    it(`returns masked structured content that passes the agent's schema check (${transport})`, async () => {
      const client = agents.find(([t]) => t === transport)![1];
      await client.listTools(); // the SDK client caches output validators from the list
      const r = await client.callTool({ name: 'contacts.lookup', arguments: { id: '42' } });
      assert.notEqual(r.isError, true, JSON.stringify(r));
      const sc = r.structuredContent as Record<string, unknown>;
      const all = JSON.stringify(r);
      for (const secret of ['bob.smith@example.com', '4111111111111111', '415 555 0100']) assert.ok(!all.includes(secret), `${secret} reached the agent`);
      assert.equal(typeof sc.card, 'string');
      assert.match(String(sc.card), /1111$/, 'cards keep their last four digits');
      assert.equal(sc.status, 'vip');
      assert.equal(sc.visits, 3);
    });
  }
});
