// Resources through the gateway: what `initialize` declares, what an agent gets when no upstream offers resources or
// prompts, and two upstreams (server-everything twice) that list the same URIs — each copy named by its upstream,
// the plain URI refused as ambiguous, reads routed and decided per upstream.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { EVERYTHING_SERVER, FS_SERVER, startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { realWorld } from './support/world.js';

const DOC = 'demo://resource/static/document/architecture.md';
const rpcError = (code: number, message: RegExp) => (e: unknown) => {
  assert.ok(e instanceof McpError, String(e));
  assert.equal(e.code, code, e.message);
  assert.match(e.message, message);
  return true;
};

describe('MCP gateway: two upstreams list the same resource URIs', () => {
  const POLICY = {
    rules: [
      { name: 'no-reads-on-everything', resource: 'everything', tags: ['resource'], effect: 'deny' as const, reason: 'no resource reads on everything' },
      ...(TEST_POLICY.rules ?? []),
      { name: 'agents-ev2', principal: { groups: ['agents'] }, resource: 'ev2', effect: 'allow' as const, mask: 'default' },
    ],
  };
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;
  let clients: Array<[string, Client]>;

  before(async () => {
    world = await realWorld(POLICY);
    h = await startHarness(world.gateway, { upstreams: [{ name: 'ev2', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], call_timeout: '20s' }] });
    clients = [['stdio', await h.client('stdio')], ['http', await h.client('http')]];
  });
  after(async () => {
    await h.close();
    await world.close();
  });

  for (const transport of ['stdio', 'http']) {
    it(`lists each copy once, under its upstream's name, and hides the copies policy denies reading (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      const uris = (await client.listResources()).resources.map((r) => r.uri);
      assert.equal(new Set(uris).size, uris.length, `no duplicates: ${uris.join(', ')}`);
      assert.ok(uris.includes(`ev2.${DOC}`), uris.join(', '));
      assert.ok(!uris.some((u) => u.startsWith('everything.')), `reads on everything are denied, so its copies are hidden: ${uris.join(', ')}`);
      assert.ok(!uris.includes(DOC), 'the plain URI still names no upstream: hiding a copy changes no routing');
      const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
      assert.ok(templates.includes('ev2.demo://resource/dynamic/text/{resourceId}'), templates.join(', '));
      const listed = world.events.filter((e) => e.type === 'mcp.resources_listed').find((e) => (e.data as { collisions?: number }).collisions);
      assert.equal((listed?.data as { collisions: number }).collisions, 7);
      assert.ok((listed?.data as { hidden: number }).hidden >= 7);
    });

    it(`reads each copy from its own upstream, decided by that upstream's policy (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      const r = await client.readResource({ uri: `ev2.${DOC}` });
      assert.equal(r.contents[0]!.uri, DOC, "the upstream's own URI comes back");
      const allowed = world.events.filter((e) => e.type === 'action.allowed').at(-1)!;
      assert.equal(allowed.resource, 'ev2');
      await assert.rejects(client.readResource({ uri: `everything.${DOC}` }), rpcError(ErrorCode.InvalidRequest, /policy denied this call: no resource reads on everything/));
      // A template both offer: the prefixed form goes to that upstream.
      const dyn = await client.readResource({ uri: 'ev2.demo://resource/dynamic/text/3' });
      assert.equal(dyn.contents[0]!.uri, 'demo://resource/dynamic/text/3');
    });

    it(`refuses the plain URI as ambiguous, naming the choices, and runs nothing (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      const before = world.events.length;
      await assert.rejects(
        client.readResource({ uri: DOC }),
        rpcError(ErrorCode.InvalidParams, new RegExp(`^MCP error -32602: Ambiguous resource: ${DOC} is listed by everything and ev2; read everything\\.${DOC} or ev2\\.${DOC}$`)),
      );
      await assert.rejects(client.readResource({ uri: 'demo://resource/dynamic/text/3' }), rpcError(ErrorCode.InvalidParams, /Ambiguous resource/));
      assert.ok(!world.events.slice(before).some((e) => e.type.startsWith('action.')), 'no action for a read that goes nowhere');
    });
  }
});

describe('MCP gateway: no upstream offers resources or prompts', () => {
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;
  let clients: Array<[string, Client]>;

  before(async () => {
    world = await realWorld(TEST_POLICY);
    h = await startHarness(world.gateway, { upstreams: [{ name: 'fs', command: process.execPath, args: [FS_SERVER, '.'], call_timeout: '20s' }] }, { defaults: false });
    clients = [['stdio', await h.client('stdio')], ['http', await h.client('http')]];
  });
  after(async () => {
    await h.close();
    await world.close();
  });

  for (const transport of ['stdio', 'http']) {
    it(`declares resources and prompts, lists none, and answers unknown ones -32602, not -32601 (${transport})`, async () => {
      const client = clients.find(([t]) => t === transport)![1];
      const caps = client.getServerCapabilities()!;
      assert.ok(caps.resources && caps.prompts, JSON.stringify(caps));
      assert.deepEqual((await client.listResources()).resources, []);
      assert.deepEqual((await client.listResourceTemplates()).resourceTemplates, []);
      assert.deepEqual((await client.listPrompts()).prompts, []);
      const before = world.events.length;
      await assert.rejects(
        client.readResource({ uri: 'file:///etc/passwd' }),
        rpcError(ErrorCode.InvalidParams, /^MCP error -32602: Resource not found: file:\/\/\/etc\/passwd \(no upstream lists it; list resources first\)$/),
      );
      await assert.rejects(client.readResource({ uri: 'fs.file:///etc/passwd' }), rpcError(ErrorCode.InvalidParams, /Resource not found/));
      await assert.rejects(client.getPrompt({ name: 'fs.nothing' }), rpcError(ErrorCode.InvalidParams, /^MCP error -32602: Unknown prompt: fs\.nothing \(list prompts first\)$/));
      await assert.rejects(client.getPrompt({ name: 'nope.nothing' }), rpcError(ErrorCode.InvalidParams, /^MCP error -32602: Unknown prompt: nope\.nothing$/));
      assert.ok(!world.events.slice(before).some((e) => e.type.startsWith('action.')), 'nothing was decided or run');
    });
  }
});
