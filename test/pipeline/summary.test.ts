// The pipeline masks an action's summary before anything records it, unless the connector says it built the summary
// from values the gateway already masked (the MCP connector does, to spare a second pass on every call). The data of
// its decision and result events is masked once too: the caller's tags by the pipeline, the rest is the gateway's own.
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

  it("masks the caller's tags in the decision event, and the log does not mask the pipeline's own data again", async () => {
    const tagged = { ...input('read rows'), tags: ['owner carol.white@example.com', 'pii'] };
    await world.gateway.run(tagged, async () => 'ok');
    const allowed = (await world.store.readAudit(0, 1000)).filter((e) => e.type === 'action.allowed').at(-1)!;
    const tags = (allowed.body.data as { tags: string[] }).tags;
    assert.ok(!JSON.stringify(tags).includes('carol.white@example.com'), `raw e-mail in the recorded tags: ${JSON.stringify(tags)}`);
    assert.deepEqual(tags.length, 2);
    assert.ok(tags.includes('pii'));

    let values = 0;
    const maskValue = world.gateway.masker.maskValue;
    world.gateway.masker.maskValue = (async (...a: Parameters<typeof maskValue>) => (values++, maskValue.apply(world.gateway.masker, a))) as typeof maskValue;
    try {
      await world.gateway.run(input('read [EMAIL] rows'), async () => 'ok', { summaryMasked: true, maskResult: false });
    } finally {
      world.gateway.masker.maskValue = maskValue;
    }
    assert.equal(values, 0, 'the data of action.allowed / action.executed was masked again');
    const events = (await world.store.readAudit(0, 1000)).slice(-2);
    assert.deepEqual(events.map((e) => e.type), ['action.allowed', 'action.executed']);
    assert.deepEqual(events[1]!.body.data, { rule: 'all', resultBytes: 2, findings: 0 });
  });
});
