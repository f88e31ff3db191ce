// An upstream that answers with a message over its `max_message_bytes` (server-everything's echo of a large text,
// over stdio and over Streamable HTTP): the call fails with a readable tool error naming the ceiling, the gateway
// does not buffer the rest, the failure is audited, and the next call reconnects and works.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EVERYTHING_SERVER, startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { startEverythingHttp, toolText } from './support/upstreams.js';
import { realWorld } from './support/world.js';

const text = toolText;

describe('MCP gateway: upstream message ceiling', () => {
  const POLICY = { rules: [...(TEST_POLICY.rules ?? []), { name: 'small', principal: { groups: ['agents'] }, resource: ['small', 'smallhttp'], effect: 'allow' as const }] };
  let server: Awaited<ReturnType<typeof startEverythingHttp>>;
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;
  let agent: Client;

  before(async () => {
    server = await startEverythingHttp();
    world = await realWorld(POLICY);
    h = await startHarness(world.gateway, {
      upstreams: [
        { name: 'small', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], max_message_bytes: 8192 },
        { name: 'smallhttp', url: server.url, max_message_bytes: 8192, call_timeout: '20s' },
      ],
    });
    agent = await h.client('stdio');
  });
  after(async () => {
    await h.close();
    await world.close();
    server.close();
  });

  for (const upstream of ['small', 'smallhttp']) {
    it(`cuts off a message over the ceiling and recovers (${upstream})`, async () => {
      assert.equal(text(await agent.callTool({ name: `${upstream}.echo`, arguments: { message: 'x'.repeat(4000) } })), `Echo: ${'x'.repeat(4000)}`);
      const started = Date.now();
      const r = await agent.callTool({ name: `${upstream}.echo`, arguments: { message: 'y'.repeat(20_000) } });
      assert.equal(r.isError, true);
      assert.match(text(r), new RegExp(`upstream ${upstream} is unavailable: it sent a message over 8192 bytes \\(max_message_bytes\\)`));
      assert.ok(!text(r).includes('yyyy'), 'nothing of the oversized answer reaches the agent');
      assert.ok(Date.now() - started < 5000, 'the call fails at once, not after a timeout');
      const events = await world.store.readAudit(0, 10_000);
      const failed = events.filter((e) => e.type === 'action.failed' && e.body.resource === upstream);
      assert.equal((failed.at(-1)?.body.data as { code?: string } | undefined)?.code, 'UPSTREAM_UNAVAILABLE');
      assert.equal(text(await agent.callTool({ name: `${upstream}.echo`, arguments: { message: 'again' } })), 'Echo: again');
    });
  }
});
