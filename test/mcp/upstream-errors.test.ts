// What an upstream says besides its results: JSON-RPC errors (tools/call, resources/read, prompts/get) and progress
// notifications carry the upstream's text, often personal data. The agent reads them masked with the decision's
// profile, as a result would be; the audit log keeps the code only. Resource listings hide what policy denies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { startHarness, type Harness } from './support/harness.js';
import { realWorld } from './support/world.js';

const LEAKY = fileURLToPath(new URL('./fixtures/leaky-server.mjs', import.meta.url));
const EMAIL = 'carol.secret@example.com';
// The rule's profile redacts cards whole; the default profile would keep the last four digits.
const STRICT = { profiles: { strict: { transforms: { CREDIT_CARD: 'redact', '*': 'redact' } } } };
const POLICY = {
  rules: [
    { name: 'no-payroll', resource: 'leaky', when: 'has(action.detail.resource_uri) && action.detail.resource_uri == "leaky://payroll"', effect: 'deny' as const, reason: 'payroll is not for agents' },
    { name: 'agents-leaky', principal: { groups: ['agents'] }, resource: 'leaky', effect: 'allow' as const, mask: 'strict' },
  ],
};

/** Everything the agent got from a failed request: the error's code, message and data. */
async function failure(p: Promise<unknown>): Promise<{ code: number; message: string; data: unknown; all: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof McpError, `expected a JSON-RPC error, got ${String(e)}`);
    return { code: e.code, message: e.message, data: e.data, all: JSON.stringify({ message: e.message, data: e.data }) };
  }
  assert.fail('the request succeeded');
}

/** None of the upstream's clear values, and the card masked by the rule's profile (no last four digits). */
function assertMasked(all: string): void {
  assert.ok(!all.includes(EMAIL), `the e-mail reached the agent: ${all}`);
  assert.ok(!/4111|1111/.test(all), `card digits reached the agent: ${all}`);
  assert.match(all, /\[EMAIL\]/);
  assert.match(all, /\[CREDIT_CARD\]/);
}

describe('MCP gateway: what upstreams say besides results is masked', () => {
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;
  const clients = new Map<string, Client>();

  before(async () => {
    world = await realWorld(POLICY, { masking: STRICT });
    h = await startHarness(world.gateway, { upstreams: [{ name: 'leaky', command: process.execPath, args: [LEAKY], call_timeout: '10s' }] }, { defaults: false });
    for (const t of ['stdio', 'http'] as const) clients.set(t, await h.client(t));
  });
  after(async () => {
    await h.close();
    await world.close();
  });

  for (const transport of ['stdio', 'http'] as const) {
    const agent = () => clients.get(transport)!;

    it(`masks a thrown Error's message in the -32603 the upstream answers a tool call with (${transport})`, async () => {
      const f = await failure(agent().callTool({ name: 'leaky.throw_plain', arguments: {} }));
      assert.equal(f.code, -32603);
      assert.equal(f.message, 'MCP error -32603: insert failed for [EMAIL] card [CREDIT_CARD]'); // the prefix is the agent's SDK client's
      assertMasked(f.all);
      // The audit log keeps the code only: the upstream's, not this gateway's.
      const failed = world.events.filter((e) => e.type === 'action.failed').at(-1)!;
      assert.deepEqual(failed.data, { code: 'UPSTREAM_ERROR', rpcCode: -32603 });
      assert.ok(!JSON.stringify(world.events).includes(EMAIL));
    });

    it(`masks an McpError's message and data (${transport})`, async () => {
      const f = await failure(agent().callTool({ name: 'leaky.throw_data', arguments: {} }));
      assert.equal(f.code, -32602);
      assert.equal(f.message, 'MCP error -32602: bad row [EMAIL] card [CREDIT_CARD]');
      assert.deepEqual(f.data, { row: { email: '[EMAIL]', card: '[CREDIT_CARD]' } });
      assertMasked(f.all);
    });

    it(`masks the error of a resource read and of a prompt (${transport})`, async () => {
      const read = await failure(agent().readResource({ uri: 'leaky://broken' }));
      assert.equal(read.code, -32002);
      assert.equal(read.message, 'MCP error -32002: Resource not found: leaky://broken; owner [EMAIL]');
      assertMasked(read.all);
      const prompt = await failure(agent().getPrompt({ name: 'leaky.broken' }));
      assert.equal(prompt.code, -32603);
      assert.equal(prompt.message, 'MCP error -32603: prompt failed for [EMAIL] card [CREDIT_CARD]');
      assertMasked(prompt.all);
    });

    it(`masks the message of the upstream's progress and passes its total on (${transport})`, async () => {
      const seen: Array<{ progress: number; total?: number; message?: string }> = [];
      const r = await agent().callTool({ name: 'leaky.progress', arguments: {} }, undefined, { onprogress: (p) => seen.push(p) });
      assert.equal((r.content as Array<{ text: string }>)[0]!.text, 'exported');
      assert.deepEqual(seen, [{ progress: 1, total: 2, message: 'exporting row for [EMAIL], card [CREDIT_CARD]' }]);
    });

    it(`hides a resource whose read policy denies, as tools are hidden; templates stay listed (${transport})`, async () => {
      const { resources } = await agent().listResources();
      assert.deepEqual(resources.map((r) => r.uri).sort(), ['leaky://broken', 'leaky://public']);
      const listed = world.events.filter((e) => e.type === 'mcp.resources_listed').at(-1)!;
      assert.equal((listed.data as { hidden: number }).hidden, 1);
      const { resourceTemplates } = await agent().listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), ['leaky://customers/{id}']);
      // What a listing says about a resource besides its URI is masked: the default profile keeps a card's last four.
      const words = JSON.stringify([resources, resourceTemplates]);
      assert.ok(!words.includes(EMAIL), words);
      assert.match(words, /"title":"Export for \[EMAIL\]"/);
      assert.match(words, /"description":"last paid with \*\*\*\* \*\*\*\* \*\*\*\* 1111"/);
      assert.match(words, /"description":"customers such as \[EMAIL\]"/);
      // Hidden is no control: the read is still decided on its own.
      const denied = await failure(agent().readResource({ uri: 'leaky://payroll' }));
      assert.match(denied.message, /payroll is not for agents/);
      // A principal no rule allows anything sees no resource at all.
      const outsider = await h.client(transport, 'outsider');
      assert.deepEqual((await outsider.listResources()).resources, []);
    });

    it(`logs an unexpected error the agent is told about as INTERNAL, one line without the upstream's data (${transport})`, async () => {
      const lines: string[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
      let f;
      try {
        f = await failure(agent().readResource({ uri: 'leaky://malformed' }));
      } finally {
        console.error = original;
      }
      assert.equal(f.code, -32603);
      assert.match(f.message, /The gateway log has details/);
      assert.deepEqual((f.data as { code: string }).code, 'INTERNAL');
      const logged = lines.filter((l) => l.startsWith('countersign: internal error'));
      assert.equal(logged.length, 1, lines.join('\n'));
      assert.match(logged[0]!, /^countersign: internal error in MCP resources\/read: \$?ZodError: .*expected array, received string/);
      assert.ok(!logged[0]!.includes('\n'), 'one line');
      assert.ok(!logged[0]!.includes(EMAIL) && !logged[0]!.includes('not a list'), logged[0]);
    });
  }
});
