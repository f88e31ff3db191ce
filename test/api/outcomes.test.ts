// One outcome report per allowed action (POST /v1/actions/outcome): whether it comes from memory or with the ticket,
// to a second gateway sharing the store, after a restart, or found by an approved request's executions. A report
// whose audit event could not be written gives its claim back, so it can be retried.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyAudit } from '../../src/audit/verify.js';
import { createApi } from '../../src/api/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import type { Store } from '../../src/store/types.js';
import { startKernel } from './support.js';

type Allowed = { actionDigest: string; requestId: string | null; outcomeTicket: string };

describe('one outcome report per allowed action', () => {
  let k: Awaited<ReturnType<typeof startKernel>>;
  before(async () => {
    k = await startKernel();
  });
  after(() => k.close());

  /** Another gateway on the kernel's config and audit key; `store` instead of the configured one when given. */
  async function gateway(store?: Store) {
    const rt: Runtime = await createRuntime(await loadConfig(k.file), { env: k.env, clock: k.clock, store });
    const app = createApi(rt, rt.metrics);
    return {
      rt,
      async report(a: Allowed, b: Record<string, unknown> = {}) {
        const res = await app.request('/v1/actions/outcome', {
          method: 'POST',
          headers: { authorization: `Bearer ${k.tokens.agent}`, 'content-type': 'application/json' },
          body: JSON.stringify({ actionDigest: a.actionDigest, resource: 'prod-db', status: 'succeeded', ...b }),
        });
        return { status: res.status, json: (await res.json()) as any };
      },
    };
  }

  /** A read allowed to the agent: the same `tag` is the identical action (same digest) again. */
  async function allow(tag: string): Promise<Allowed> {
    const r = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'read', summary: `count ${tag}`, detail: { tag } });
    assert.equal(r.status, 200);
    return r.json;
  }
  const report = (a: Allowed, b: Record<string, unknown> = {}) => k.req('POST', '/v1/actions/outcome', 'agent', { actionDigest: a.actionDigest, resource: 'prod-db', status: 'succeeded', ...b });
  /** The outcome events recorded for a digest, oldest first. */
  const recorded = async (digest: string) =>
    (await k.rt.store.readAudit(0, 100_000)).filter((e) => (e.type === 'action.result' || e.type === 'action.failed') && e.body.actionDigest === digest).map((e) => e.type);
  const refused = (r: { status: number; json: any }, why: string) => {
    assert.equal(r.status, 409, why);
    assert.equal(r.json.error.code, 'OUTCOME_RECORDED', why);
  };

  it('a second report of one allowance is 409 OUTCOME_RECORDED and records nothing: memory, ticket, memory then ticket, ticket then memory', async () => {
    const byMemory = await allow('memory');
    const byTicket = await allow('ticket');
    const memoryThenTicket = await allow('memory-ticket');
    const ticketThenMemory = await allow('ticket-memory');
    // The ticket names its allowance with a random nonce; memory keeps the same one.
    const body = JSON.parse(Buffer.from(byTicket.outcomeTicket.split('.')[0]!, 'base64url').toString('utf8')) as { n: string };
    assert.match(body.n, /^[A-Za-z0-9_-]{22}$/);

    assert.equal((await report(byMemory)).status, 200);
    assert.equal((await report(byTicket, { ticket: byTicket.outcomeTicket })).status, 200);
    assert.equal((await report(memoryThenTicket)).status, 200);
    assert.equal((await report(ticketThenMemory, { ticket: ticketThenMemory.outcomeTicket })).status, 200);
    const head = await k.rt.store.auditHead();
    refused(await report(byMemory, { status: 'failed' }), 'memory, again (and contradicting the first)');
    refused(await report(byTicket, { ticket: byTicket.outcomeTicket, status: 'failed' }), 'the ticket, replayed');
    refused(await report(memoryThenTicket, { ticket: memoryThenTicket.outcomeTicket }), 'the ticket of an allowance reported from memory');
    refused(await report(ticketThenMemory), 'from memory, an allowance reported by its ticket');
    assert.deepEqual(await k.rt.store.auditHead(), head, 'nothing recorded for a refused report');
    for (const a of [byMemory, byTicket, memoryThenTicket, ticketThenMemory]) assert.deepEqual(await recorded(a.actionDigest), ['action.result']);
  });

  it('two allowances of the identical action take one report each, by ticket or from memory', async () => {
    const [a1, a2] = [await allow('twice'), await allow('twice')];
    assert.equal(a1.actionDigest, a2.actionDigest);
    assert.notEqual(a1.outcomeTicket, a2.outcomeTicket);
    assert.equal((await report(a2, { ticket: a2.outcomeTicket })).status, 200);
    assert.equal((await report(a1, { ticket: a1.outcomeTicket, status: 'failed' })).status, 200);
    refused(await report(a1, { ticket: a1.outcomeTicket }), 'the first, again');
    refused(await report(a2, { ticket: a2.outcomeTicket }), 'the second, again');
    refused(await report(a1), 'from memory: both are reported');
    assert.deepEqual(await recorded(a1.actionDigest), ['action.result', 'action.failed']);

    // Without tickets (an older client): memory holds each allowance, and each takes one report.
    const [m1, m2] = [await allow('twice-in-memory'), await allow('twice-in-memory')];
    assert.equal((await report(m1)).status, 200);
    assert.equal((await report(m2)).status, 200);
    refused(await report(m1), 'a third report of two allowances');
    refused(await report(m1, { ticket: m1.outcomeTicket }), 'the first ticket');
    refused(await report(m2, { ticket: m2.outcomeTicket }), 'the second ticket');
    assert.deepEqual(await recorded(m1.actionDigest), ['action.result', 'action.result']);
  });

  it('a second gateway sharing the store refuses an allowance the first took the report of, and the other way round', async () => {
    const b = await gateway();
    try {
      const first = await allow('two-gateways');
      assert.equal((await report(first)).status, 200);
      refused(await b.report(first, { ticket: first.outcomeTicket }), 'its ticket on the second gateway');

      const second = await allow('two-gateways-2');
      assert.equal((await b.report(second, { ticket: second.outcomeTicket })).status, 200);
      refused(await report(second), 'from the first gateway\'s memory');
      refused(await report(second, { ticket: second.outcomeTicket }), 'its ticket back on the first gateway');

      // Both gateways at once: one report is recorded.
      const raced = await allow('two-gateways-race');
      const answers = await Promise.all([report(raced, { ticket: raced.outcomeTicket }), b.report(raced, { ticket: raced.outcomeTicket, status: 'failed' })]);
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 409]);
      for (const a of [first, second, raced]) assert.equal((await recorded(a.actionDigest)).length, 1);
    } finally {
      await b.rt.close();
    }
  });

  it('an approved request takes as many reports as it had executions: by ticket, or found by the request after a restart', async () => {
    const exp = { resource: 'prod-db', kind: 'export', summary: 'export outcomes', detail: { table: 'outcomes' } };
    const held = await k.req('POST', '/v1/actions', 'agent', exp);
    assert.equal(held.status, 202);
    await k.req('POST', `/v1/requests/${held.json.requestId}/approve`, 'carol', {});
    // A time grant: the identical export runs three times on it, each an execution of the request.
    const runs: Allowed[] = [];
    for (let i = 0; i < 3; i++) runs.push((await k.req('POST', '/v1/actions', 'agent', exp)).json);
    assert.deepEqual(runs.map((r) => r.requestId), [held.json.requestId, held.json.requestId, held.json.requestId]);
    const [r1, r2] = runs as [Allowed, Allowed, Allowed];
    assert.equal((await report(r1, { ticket: r1.outcomeTicket, requestId: r1.requestId })).status, 200);

    await k.restart(); // memory is gone; an older client without tickets reports by the request
    const byRequest = () => report(r1, { requestId: r1.requestId });
    assert.equal((await byRequest()).status, 200);
    assert.equal((await byRequest()).status, 200);
    refused(await byRequest(), 'three executions, three reports');
    refused(await report(r2, { ticket: r2.outcomeTicket, requestId: r2.requestId }), 'a ticket after every execution had its report');
    assert.deepEqual(await recorded(r1.actionDigest), ['action.result', 'action.result', 'action.result']);
  });

  it('a report whose audit event could not be written is refused with AUDIT_UNAVAILABLE and can be sent again', async () => {
    let failing = true;
    const store = Object.create(k.rt.store) as Store;
    store.appendAudit = (build, opts) => (failing ? Promise.reject(new Error('disk full')) : k.rt.store.appendAudit(build, opts));
    const c = await gateway(store);
    try {
      const a = await allow('audit-fails');
      const first = await c.report(a, { ticket: a.outcomeTicket });
      assert.equal(first.status, 503);
      assert.equal(first.json.error.code, 'AUDIT_UNAVAILABLE');
      assert.deepEqual(await recorded(a.actionDigest), []);
      failing = false;
      // The claim was given back: the only report is recorded on the retry, and taken once.
      assert.equal((await c.report(a, { ticket: a.outcomeTicket })).status, 200);
      refused(await c.report(a, { ticket: a.outcomeTicket }), 'after the retry was recorded');
      assert.deepEqual(await recorded(a.actionDigest), ['action.result']);
    } finally {
      await c.rt.close();
    }
  });

  it('keeps the audit chain intact through all of this', async () => {
    const v = await verifyAudit(k.rt.store, { publicKey: k.rt.signer.publicKey });
    assert.equal(v.ok, true);
  });
});
