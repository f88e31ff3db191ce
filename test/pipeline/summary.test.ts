// The pipeline masks an action's summary before anything records it, unless the connector says it built the summary
// from values the gateway already masked (the MCP connector does, to spare a second pass on every call).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { realWorld } from '../mcp/support/world.js';

describe('pipeline: the summary in the audit log', async () => {
  const world = await realWorld({ rules: [{ name: 'all', resource: 'db', effect: 'allow' }] });
  after(() => world.close());
  const principal = { id: 'agent:etl', type: 'agent' as const, groups: [], authMethod: 'api_key' as const };
  const input = (summary: string) => ({ principal, resource: 'db', connector: 'test', kind: 'read' as const, detail: { q: 1 }, summary });

  it('masks a raw summary before recording it', async () => {
    await world.gateway.run(input('select * from users where email = carol.white@example.com'), async () => 'ok');
    const events = await world.store.readAudit(0, 1000);
    const allowed = events.filter((e) => e.type === 'action.allowed').at(-1)!;
    assert.match(String(allowed.body.summary), /^select \* from users where email = /);
    assert.ok(!JSON.stringify(events).includes('carol.white@example.com'), 'raw e-mail in the audit log');
  });

  it('records a summary the connector already masked as it is (no second pass)', async () => {
    let texts = 0;
    const maskText = world.gateway.masker.maskText;
    world.gateway.masker.maskText = async (...a) => (texts++, maskText.apply(world.gateway.masker, a));
    try {
      await world.gateway.run(input('read [EMAIL] rows'), async () => 'ok', { summaryMasked: true });
    } finally {
      world.gateway.masker.maskText = maskText;
    }
    assert.equal(texts, 0, 'the summary was masked again');
    const allowed = (await world.store.readAudit(0, 1000)).filter((e) => e.type === 'action.allowed').at(-1)!;
    assert.equal(allowed.body.summary, 'read [EMAIL] rows');
  });
});
