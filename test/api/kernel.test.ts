// The kernel end to end through the HTTP API: real OIDC people, an API-key agent, SQLite store, audit chain.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyAudit } from '../../src/audit/verify.js';
import { CountersignError } from '../../src/core/errors.js';
import { createApiKey, revokeApiKey } from '../../src/identity/index.js';
import { deleteAction, startKernel } from './support.js';

describe('kernel through the HTTP API', () => {
  let k: Awaited<ReturnType<typeof startKernel>>;
  before(async () => {
    k = await startKernel();
  });
  after(() => k.close());

  it('allows, denies with a reason, and denies by default', async () => {
    const read = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'read', summary: 'select count(*) from users' });
    assert.equal(read.status, 200);
    assert.equal(read.json.status, 'allowed');
    assert.equal(read.json.rule, 'reads');
    const ddl = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'ddl', summary: 'drop table users' });
    assert.equal(ddl.status, 403);
    assert.equal(ddl.json.error.code, 'POLICY_DENIED');
    assert.equal(ddl.json.error.message, 'schema changes go through migrations');
    const write = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'write', summary: 'update users' });
    assert.equal(write.status, 403);
    assert.match(write.json.error.message, /no policy rule allows/);

    // One decision event per action, carrying what was asked; then the release of an allowed one.
    const events = ((await k.req('GET', '/v1/audit?limit=1000', 'bob')).json as string).trim().split('\n').map((l) => JSON.parse(l));
    const of = (digest: string) => events.filter((e) => e.body.actionDigest === digest).map((e) => ({ type: e.type, data: e.body.data }));
    assert.deepEqual(of(read.json.actionDigest), [
      { type: 'action.allowed', data: { kind: 'read', connector: 'api', tags: [], rule: 'reads' } },
      { type: 'action.executed', data: { rule: 'reads', resultBytes: 4, findings: 0 } },
    ]);
    const ddlEvents = events.filter((e) => e.body.summary === 'drop table users');
    assert.deepEqual(ddlEvents.map((e) => [e.type, e.body.data.kind, e.body.data.reason]), [['action.denied', 'ddl', 'schema changes go through migrations']]);
  });

  it('holds a delete for a quorum of two distinct eng humans, refusing the requester, its owner and outsiders', async () => {
    const held = await k.req('POST', '/v1/actions', 'agent', deleteAction(1));
    assert.equal(held.status, 202);
    const id = held.json.requestId;
    const shown = await k.req('GET', `/v1/requests/${id}`, 'bob');
    assert.equal(shown.json.status, 'pending');
    assert.doesNotMatch(JSON.stringify(shown.json), /jane\.doe@example\.com/, 'approval cards carry masked summaries only');

    const vote = (who: 'agent' | 'alice' | 'bob' | 'carol' | 'dave', v = 'approve', body: unknown = {}) => k.req('POST', `/v1/requests/${id}/${v}`, who, body);
    assert.equal((await vote('agent')).json.error.code, 'SELF_APPROVAL', 'the requesting agent');
    assert.equal((await vote('alice')).json.error.code, 'SELF_APPROVAL', 'the human the agent acts for');
    assert.equal((await vote('carol')).json.error.code, 'NOT_AN_APPROVER', 'not in eng');
    const first = await vote('bob');
    assert.equal(first.status, 200);
    assert.equal(first.json.status, 'pending');
    const again = await vote('bob');
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'ALREADY_VOTED');
    const second = await vote('dave');
    assert.equal(second.json.status, 'approved');
    assert.deepEqual(second.json.approvedBy, ['bob@example.com', 'dave@example.com']);
    assert.equal((await vote('carol', 'deny', { reason: 'late' })).json.error.code, 'REQUEST_FINISHED');

    // The approval binds to the digest: a different statement is a new request; the identical one runs, once.
    const other = await k.req('POST', '/v1/actions', 'agent', deleteAction(2));
    assert.equal(other.status, 202);
    assert.notEqual(other.json.requestId, id);
    const run = await k.req('POST', '/v1/actions', 'agent', deleteAction(1));
    assert.equal(run.status, 200);
    assert.equal(run.json.requestId, id);
    assert.equal((await k.req('GET', `/v1/requests/${id}`, 'bob')).json.status, 'executed');
    const rerun = await k.req('POST', '/v1/actions', 'agent', deleteAction(1));
    assert.equal(rerun.status, 202, 'a once-grant is used up');
    assert.notEqual(rerun.json.requestId, id);
  });

  it('identical submissions racing for one approval: one runs on it, the others are held anew (never 409 GRANT_USED)', async () => {
    const held = await k.req('POST', '/v1/actions', 'agent', deleteAction(4242));
    await k.req('POST', `/v1/requests/${held.json.requestId}/approve`, 'bob', {});
    await k.req('POST', `/v1/requests/${held.json.requestId}/approve`, 'dave', {});
    const answers = await Promise.all(Array.from({ length: 6 }, () => k.req('POST', '/v1/actions', 'agent', deleteAction(4242))));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [200, 202, 202, 202, 202, 202], JSON.stringify(answers.map((a) => a.json)));
    assert.equal(answers.find((a) => a.status === 200)!.json.requestId, held.json.requestId);
    const again = new Set(answers.filter((a) => a.status === 202).map((a) => a.json.requestId));
    assert.equal(again.size, 1, 'the others share one new request');
    assert.ok(!again.has(held.json.requestId), 'the others wait for an approval of their own');
  });

  it('an approval binds to the summary the approvers read: another summary (no detail) neither joins nor consumes it', async () => {
    const purge = { resource: 'prod-db', kind: 'delete', summary: 'purge sessions older than 90 days' };
    const wipe = { resource: 'prod-db', kind: 'delete', summary: 'DELETE FROM customers (everything)' };
    const held = await k.req('POST', '/v1/actions', 'agent', purge);
    assert.equal(held.status, 202);
    const id = held.json.requestId;
    const other = await k.req('POST', '/v1/actions', 'agent', wipe);
    assert.equal(other.status, 202);
    assert.notEqual(other.json.requestId, id, 'another summary is another request, not a join');
    assert.equal((await k.req('POST', '/v1/actions', 'agent', purge)).json.requestId, id, 'the identical action joins');
    await k.req('POST', `/v1/requests/${id}/approve`, 'bob', {});
    assert.equal((await k.req('POST', `/v1/requests/${id}/approve`, 'dave', {})).json.status, 'approved');
    const sneak = await k.req('POST', '/v1/actions', 'agent', wipe);
    assert.equal(sneak.status, 202, 'the approval of the purge does not run the wipe');
    assert.notEqual(sneak.json.requestId, id);
    const run = await k.req('POST', '/v1/actions', 'agent', purge);
    assert.equal(run.status, 200);
    assert.equal(run.json.requestId, id);
  });

  it('ends a request on one denial, which must give a reason, and wakes a long-poll', async () => {
    const held = await k.req('POST', '/v1/actions', 'agent', deleteAction(3));
    const id = held.json.requestId;
    const waiting = k.req('GET', `/v1/requests/${id}/wait?timeout=20`, 'agent');
    const noReason = await k.req('POST', `/v1/requests/${id}/deny`, 'bob', {});
    assert.equal(noReason.status, 400);
    assert.equal(noReason.json.error.code, 'REASON_REQUIRED');
    const denied = await k.req('POST', `/v1/requests/${id}/deny`, 'bob', { reason: 'not during the freeze' });
    assert.equal(denied.json.status, 'denied');
    const w = await waiting;
    assert.equal(w.json.status, 'denied');
    assert.deepEqual(w.json.decidedBy, ['bob@example.com']);
    assert.equal(w.json.decisionReason, 'not during the freeze');
  });

  it('stores the reason a person typed on a vote or a cancellation masked, as the audit log and the API show it', async () => {
    const held = await k.req('POST', '/v1/actions', 'agent', deleteAction(91));
    const id = held.json.requestId;
    const typed = 'no: call votepii.leak@example.net, card 4000 0566 5566 5556, password=VoteSecret!77';
    const denied = await k.req('POST', `/v1/requests/${id}/deny`, 'bob', { reason: typed });
    assert.equal(denied.json.status, 'denied');
    const other = await k.req('POST', '/v1/actions', 'agent', deleteAction(92));
    await k.req('POST', `/v1/requests/${other.json.requestId}/cancel`, 'agent', { reason: 'reach me at +1 415 555 0134' });
    const stored = JSON.stringify([...(await k.rt.store.events(id)), ...(await k.rt.store.events(other.json.requestId))]);
    for (const clear of ['votepii.leak', '5566 5556', 'VoteSecret', '555 0134']) assert.ok(!stored.includes(clear), `${clear} is not stored`);
    assert.ok(stored.includes('"reason":"no: call [EMAIL], card **** **** **** 5556, password=[PASSWORD]"'), stored);
    assert.equal((await k.req('GET', `/v1/requests/${id}`, 'bob')).json.decisionReason, 'no: call [EMAIL], card **** **** **** 5556, password=[PASSWORD]');
  });

  it('expires a request nobody decided: its own state, not a denial', async () => {
    const held = await k.req('POST', '/v1/actions', 'agent', deleteAction(4));
    const id = held.json.requestId;
    k.clock.advance(61_000);
    await k.rt.approvals.expire(id);
    const r = await k.req('GET', `/v1/requests/${id}`, 'bob');
    assert.equal(r.json.status, 'expired');
    assert.deepEqual(r.json.decidedBy, []);
    const late = await k.req('POST', `/v1/requests/${id}/approve`, 'bob', {});
    assert.equal(late.json.error.code, 'REQUEST_FINISHED');
  });

  it('keeps pending requests and their expiry across a restart', async () => {
    const a = (await k.req('POST', '/v1/actions', 'agent', deleteAction(5))).json.requestId;
    const b = (await k.req('POST', '/v1/actions', 'agent', deleteAction(6))).json.requestId;
    await k.req('POST', `/v1/requests/${a}/approve`, 'bob', {});
    await k.restart();
    const ra = await k.req('GET', `/v1/requests/${a}`, 'dave');
    assert.equal(ra.json.status, 'pending');
    assert.deepEqual(ra.json.approvedBy, ['bob@example.com'], 'votes survive');
    assert.equal((await k.req('POST', `/v1/requests/${a}/approve`, 'dave', {})).json.status, 'approved');
    // b's deadline passes while the gateway is down: the restarted gateway expires it on its own.
    k.clock.advance(61_000);
    await k.restart();
    for (let i = 0; i < 100; i++) {
      const ev = await k.rt.store.events(b);
      if (ev.some((e) => e.type === 'expire')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok((await k.rt.store.events(b)).some((e) => e.type === 'expire'), 'expiry timer re-armed after restart');
    assert.equal((await k.req('GET', `/v1/requests/${b}`, 'dave')).json.status, 'expired');
  });

  it('a time grant lets matching actions run until the window ends', async () => {
    const exp = (t: string) => ({ resource: 'prod-db', kind: 'export', summary: `export ${t}` });
    const held = await k.req('POST', '/v1/actions', 'agent', exp('orders'));
    await k.req('POST', `/v1/requests/${held.json.requestId}/approve`, 'carol', {});
    assert.equal((await k.req('POST', '/v1/actions', 'agent', exp('orders'))).status, 200);
    assert.equal((await k.req('POST', '/v1/actions', 'agent', exp('invoices'))).status, 200, 'another export under the same rule');
    k.clock.advance(11 * 60_000);
    assert.equal((await k.req('POST', '/v1/actions', 'agent', exp('orders'))).status, 202, 'window over');
  });

  it('answers bad input with a coded 4xx and writes nothing', async () => {
    const head = await k.rt.store.auditHead();
    const bad = await k.req('POST', '/v1/actions', 'agent', undefined, '{"resource": ');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'BAD_JSON');
    const unknown = await k.req('POST', '/v1/actions', 'agent', { ...deleteAction(7), surprise: true });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.error.code, 'BAD_REQUEST');
    const unmask = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'unmask', summary: 'unmask tok_x in scope agent:etl', detail: { scope: 'agent:etl', token: 'tok_x' } });
    assert.equal(unmask.status, 400);
    assert.match(JSON.stringify(unmask.json.error), /POST \/v1\/unmask/);
    // What approvers read is one line of printable text: an escape sequence or a line break could forge the card.
    for (const bad of [{ summary: 'x\r\u001b[1A\u001b[2Kwho bob@example.com (human)' }, { summary: 'ok\nwhy rule pre-approved' }, { summary: 'invoice \u202egpj.exe' }, { tags: ['ok', 'a\u001b[8m'] }]) {
      const r = await k.req('POST', '/v1/actions', 'agent', { ...deleteAction(8), ...bad });
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.match(JSON.stringify(r.json.error.details), /one line of printable text/);
    }
    const big = await k.req('POST', '/v1/actions', 'agent', { ...deleteAction(8), detail: { blob: 'x'.repeat(5000) } });
    assert.equal(big.status, 413);
    assert.equal(big.json.error.code, 'BODY_TOO_LARGE');
    assert.equal((await k.req('POST', '/v1/actions', null, deleteAction(9))).json.error.code, 'AUTH_REQUIRED');
    const forged = await k.req('POST', '/v1/actions', null, undefined);
    assert.equal(forged.status, 401);
    assert.equal((await k.req('GET', '/v1/requests/req_nope', 'bob')).json.error.code, 'REQUEST_NOT_FOUND');
    const wrongMethod = await k.req('DELETE', '/v1/requests/req_nope/approve', 'bob');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.json.error.code, 'METHOD_NOT_ALLOWED');
    assert.match(wrongMethod.json.error.message, /takes POST$/);
    assert.equal((await k.req('GET', '/v1/nothing-here', 'bob')).status, 404);
    // Refused input leaves no trace, but a refused credential does (as over MCP): two auth.failed, nothing else.
    const after = await k.rt.store.readAudit(head.seq, 100);
    assert.deepEqual(after.map((e) => [e.type, (e.body.data as { code: string; transport: string }).code, (e.body.data as { transport: string }).transport]), [
      ['auth.failed', 'AUTH_REQUIRED', 'http'],
      ['auth.failed', 'AUTH_REQUIRED', 'http'],
    ]);
    assert.equal((await k.req('GET', '/healthz', null)).status, 200, 'still serving');
  });

  it('an approval given under one rule is not used under a stricter one (tags are not in the digest)', async () => {
    const exp = { resource: 'prod-db', kind: 'export', summary: 'export invoices', detail: { table: 'invoices', e27: true } };
    const held = await k.req('POST', '/v1/actions', 'agent', exp);
    assert.equal(held.status, 202);
    assert.equal(held.json.rule, 'exports-window');
    assert.equal((await k.req('POST', `/v1/requests/${held.json.requestId}/approve`, 'carol', {})).status, 200);
    // The same action, tagged destructive: a stricter rule decides it, so it neither runs on that approval nor joins it.
    const strict = await k.req('POST', '/v1/actions', 'agent', { ...exp, tags: ['destructive'] });
    assert.equal(strict.status, 202);
    assert.equal(strict.json.rule, 'exports-destructive');
    assert.notEqual(strict.json.requestId, held.json.requestId);
    // Untagged, it runs on the approval of its own rule.
    const again = await k.req('POST', '/v1/actions', 'agent', exp);
    assert.equal(again.status, 200);
    assert.equal(again.json.requestId, held.json.requestId);
  });

  it('the request card keeps the tags masked (a tag can hold a customer\'s e-mail)', async () => {
    const held = await k.req('POST', '/v1/actions', 'agent', { ...deleteAction(31), tags: ['customer:jane.doe@example.com', 'ticket-42'] });
    assert.equal(held.status, 202);
    const card = await k.req('GET', `/v1/requests/${held.json.requestId}`, 'bob');
    assert.equal(card.json.tags[1], 'ticket-42');
    assert.doesNotMatch(JSON.stringify(card.json), /jane\.doe@example\.com/);
  });

  it('refuses expired and forged tokens', async () => {
    const saved = k.tokens.bob;
    const [h, p, s] = saved.split('.');
    k.tokens.bob = `${h}.${p}.${s.slice(0, -4)}AAAA`;
    assert.equal((await k.req('GET', '/v1/requests', 'bob')).json.error.code, 'AUTH_INVALID');
    k.tokens.bob = saved;
    const now = k.clock.now();
    k.clock.advance(24 * 3600_000);
    assert.equal((await k.req('GET', '/v1/requests', 'bob')).json.error.code, 'AUTH_EXPIRED');
    k.clock.set(now);
  });

  it('refuses an action whose detail nests absurdly deep with BAD_REQUEST, and keeps serving', async () => {
    // 1,500 levels fit this suite's 4 KB body limit; src/core/action.test.ts goes to a million.
    const deep = '['.repeat(1500) + ']'.repeat(1500);
    const r = await k.req('POST', '/v1/actions', 'agent', undefined, `{"resource":"prod-db","kind":"read","summary":"deep","detail":{"a":${deep}}}`);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'BAD_REQUEST');
    assert.match(r.json.error.message, /detail nests deeper than 64 levels/);
    const ok = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'read', summary: 'shallow', detail: { a: { b: [1, { c: 2 }] } } });
    assert.equal(ok.status, 200);
  });

  it('a revoked API key stops working for the next action of a principal authenticated before (a long stdio session)', async () => {
    const { key, stored } = await createApiKey(k.rt.store, { principalId: 'agent:stdio-bot', type: 'agent', groups: ['agents'] }, k.clock);
    const { key: other } = await createApiKey(k.rt.store, { principalId: 'agent:stdio-bot', type: 'agent', groups: ['agents'] }, k.clock);
    const p = await k.rt.authenticator.authenticate(key); // once, as `countersign mcp` does at start
    const read = { principal: p, resource: 'prod-db', connector: 'mcp', kind: 'read' as const, summary: 'list tables', detail: { q: 1 } };
    let ran = 0;
    const exec = async () => (ran++, 'ok');
    assert.equal((await k.rt.gateway.run(read, exec)).status, 'executed');
    await revokeApiKey(k.rt.store, stored.id, k.clock);
    await assert.rejects(k.rt.gateway.run(read, exec), (e: unknown) => e instanceof CountersignError && e.code === 'AUTH_INVALID' && e.message === `the API key "${stored.id}" has been revoked`);
    assert.equal(ran, 1, 'nothing ran after the revocation');
    // The same agent's other key is not affected.
    assert.equal((await k.rt.gateway.run({ ...read, principal: await k.rt.authenticator.authenticate(other) }, exec)).status, 'executed');
    const events = ((await k.req('GET', '/v1/audit?limit=1000', 'bob')).json as string).trim().split('\n').map((l) => JSON.parse(l));
    const failed = events.filter((e) => e.type === 'auth.failed' && e.body.principal?.id === 'agent:stdio-bot');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].code, 'CS4003W');
    assert.deepEqual(failed[0].body.data, { code: 'AUTH_INVALID', reason: `the API key "${stored.id}" has been revoked`, stage: 'call', connector: 'mcp', keyId: stored.id });
    assert.ok(!JSON.stringify(events).includes(key.slice(20)), 'the key secret is never in the audit log');
  });

  it('a held action does not run once its requester\'s API key is revoked, even when approved later (wait and return_pending); the card says so', async () => {
    const { key, stored } = await createApiKey(k.rt.store, { principalId: 'agent:revokee', type: 'agent', groups: ['agents'] }, k.clock);
    const principal = await k.rt.authenticator.authenticate(key);
    let ran = 0;
    const exec = async () => (ran++, 'deleted');
    const approveTwice = async (id: string) => {
      assert.equal((await k.req('POST', `/v1/requests/${id}/approve`, 'bob', {})).status, 200);
      assert.equal((await k.req('POST', `/v1/requests/${id}/approve`, 'dave', {})).json.status, 'approved');
    };
    const pendingOf = async (who: string) => {
      for (let i = 0; i < 200; i++) {
        const found = (await k.rt.approvals.list({ status: ['pending'] })).find((v) => v.request.principal.id === who);
        if (found) return found.request.id;
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`no pending request for ${who}`);
    };

    // wait mode (an MCP call held open): revoke while it waits, then a human approves.
    const waiting = k.rt.gateway.run({ principal, connector: 'mcp', ...deleteAction(900) }, exec, { holdMode: 'wait' });
    const id = await pendingOf('agent:revokee');
    const before = await k.req('GET', `/v1/requests/${id}`, 'bob');
    assert.deepEqual(before.json.principal, { id: 'agent:revokee', type: 'agent', onBehalfOf: null, keyId: stored.id, keyStatus: 'active' });
    await revokeApiKey(k.rt.store, stored.id, k.clock);
    const card = await k.req('GET', `/v1/requests/${id}`, 'bob');
    assert.equal(card.json.principal.keyStatus, 'revoked', 'the approver sees the key is revoked');
    assert.equal((await k.req('GET', '/v1/requests?status=pending', 'bob')).json.requests.find((r: { id: string }) => r.id === id).principal.keyStatus, 'revoked');
    await approveTwice(id);
    await assert.rejects(waiting, (e: unknown) => {
      assert.ok(e instanceof CountersignError && e.code === 'AUTH_INVALID', String(e));
      assert.match(e.message, new RegExp(`API key "${stored.id}" has been revoked; the approved action \\(approval request ${id}\\) was not run`));
      return true;
    });
    assert.equal(ran, 0, 'the approved action did not run');
    assert.equal((await k.req('GET', `/v1/requests/${id}`, 'bob')).json.status, 'approved', 'not consumed');

    // return_pending: approved while the key was live, then the key is revoked before the identical call comes back.
    const { key: k1, stored: s1 } = await createApiKey(k.rt.store, { principalId: 'agent:rotator', type: 'agent', groups: ['agents'] }, k.clock);
    const { key: k2 } = await createApiKey(k.rt.store, { principalId: 'agent:rotator', type: 'agent', groups: ['agents'] }, k.clock);
    const p1 = await k.rt.authenticator.authenticate(k1);
    const first = await k.rt.gateway.run({ principal: p1, connector: 'api', ...deleteAction(901) }, exec, { holdMode: 'return_pending' });
    assert.equal(first.status, 'pending');
    const rid = first.status === 'pending' ? first.pending.requestId : '';
    await approveTwice(rid);
    const pendingOfK1 = await k.rt.gateway.run({ principal: p1, connector: 'api', ...deleteAction(903) }, exec, { holdMode: 'return_pending' });
    assert.equal(pendingOfK1.status, 'pending');
    await revokeApiKey(k.rt.store, s1.id, k.clock);
    await assert.rejects(k.rt.gateway.run({ principal: p1, connector: 'api', ...deleteAction(901) }, exec, { holdMode: 'return_pending' }), (e: unknown) =>
      e instanceof CountersignError && e.code === 'AUTH_INVALID' && e.message === `the API key "${s1.id}" has been revoked`);
    // A rotated key of the same agent does not inherit the approval given to the revoked key's request: it asks again.
    const p2 = await k.rt.authenticator.authenticate(k2);
    const again = await k.rt.gateway.run({ principal: p2, connector: 'api', ...deleteAction(901) }, exec, { holdMode: 'return_pending' });
    assert.equal(again.status, 'pending');
    assert.notEqual(again.status === 'pending' && again.pending.requestId, rid, 'a new request, not the revoked key\'s grant');
    // Nor does it join a pending request the revoked key made (approving that one would run nothing).
    const joined = await k.rt.gateway.run({ principal: p2, connector: 'api', ...deleteAction(903) }, exec, { holdMode: 'return_pending' });
    assert.equal(joined.status, 'pending');
    assert.notEqual(joined.status === 'pending' && joined.pending.requestId, pendingOfK1.status === 'pending' && pendingOfK1.pending.requestId);
    assert.equal(ran, 0);

    // Look-alike: the same flow with a key that stays active runs, once.
    const live = await k.rt.gateway.run({ principal: p2, connector: 'api', ...deleteAction(902) }, exec, { holdMode: 'return_pending' });
    assert.equal(live.status, 'pending');
    await approveTwice(live.status === 'pending' ? live.pending.requestId : '');
    assert.equal((await k.rt.gateway.run({ principal: p2, connector: 'api', ...deleteAction(902) }, exec, { holdMode: 'return_pending' })).status, 'executed');
    assert.equal(ran, 1);

    const events = ((await k.req('GET', '/v1/audit?limit=2000', 'bob')).json as string).trim().split('\n').map((l) => JSON.parse(l));
    const failed = events.filter((e) => e.type === 'auth.failed' && (e.body.principal?.id === 'agent:revokee' || e.body.principal?.id === 'agent:rotator'));
    assert.deepEqual(failed.map((e) => [e.body.requestId ?? null, e.body.data.stage, e.body.data.code, e.body.data.keyId]), [
      [id, 'before_execute', 'AUTH_INVALID', stored.id],
      [null, 'call', 'AUTH_INVALID', s1.id],
    ]);
    assert.ok(!events.some((e) => e.type === 'action.executed' && (e.body.requestId === id || e.body.requestId === rid)));
  });

  it('shows the audit log to people only, and an agent only its own requests (404 for the others)', async () => {
    const { key } = await createApiKey(k.rt.store, { principalId: 'agent:other', type: 'agent', groups: ['agents'] }, k.clock);
    (k.tokens as Record<string, string>).other = key;
    const other = 'other' as 'agent';
    const theirs = (await k.req('POST', '/v1/actions', other, deleteAction(700))).json.requestId;
    const mine = (await k.req('POST', '/v1/actions', 'agent', deleteAction(701))).json.requestId;

    for (const who of ['agent', other] as const) {
      const audit = await k.req('GET', '/v1/audit?limit=10', who);
      assert.equal(audit.status, 403);
      assert.equal(audit.json.error.code, 'FORBIDDEN');
    }
    assert.equal((await k.req('GET', '/v1/audit?limit=10', 'bob')).status, 200, 'a person reads it');
    assert.equal((await k.req('GET', '/v1/audit?limit=10', 'carol')).status, 200, 'any person, not only an approver of one rule');

    const ids = async (who: 'agent' | 'bob') => ((await k.req('GET', '/v1/requests?status=pending,approved,denied,expired,cancelled,executed&limit=1000', who)).json.requests as Array<{ id: string; principal: { id: string } }>);
    const agentSees = await ids('agent');
    assert.ok(agentSees.some((r) => r.id === mine));
    assert.ok(agentSees.every((r) => r.principal.id === 'agent:etl'), 'only its own requests');
    assert.ok(!agentSees.some((r) => r.id === theirs));
    const bobSees = await ids('bob');
    assert.ok(bobSees.some((r) => r.id === mine) && bobSees.some((r) => r.id === theirs), 'a person sees every request');

    for (const path of [`/v1/requests/${theirs}`, `/v1/requests/${theirs}/wait?timeout=0`, `/v1/requests/${theirs}/events`]) {
      const r = await k.req('GET', path, 'agent');
      assert.equal(r.status, 404, path);
      assert.equal(r.json.error.code, 'REQUEST_NOT_FOUND', path);
    }
    for (const v of ['approve', 'cancel']) assert.equal((await k.req('POST', `/v1/requests/${theirs}/${v}`, 'agent', {})).json.error.code, 'REQUEST_NOT_FOUND', v);
    assert.equal((await k.req('GET', `/v1/requests/${mine}`, 'agent')).json.status, 'pending', 'its own request');
    assert.equal((await k.req('GET', `/v1/requests/${theirs}`, other)).json.status, 'pending');
    assert.equal((await k.req('GET', `/v1/requests/${theirs}`, 'bob')).json.status, 'pending');
    assert.equal((await k.req('POST', `/v1/requests/${theirs}/cancel`, other, {})).json.status, 'cancelled');
    assert.equal((await k.req('POST', `/v1/requests/${mine}/cancel`, 'agent', {})).json.status, 'cancelled');
  });

  it('records an outcome only for an action allowed to the caller: same digest, resource and request', async () => {
    const read = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'read', summary: 'count orders' });
    assert.equal(read.status, 200);
    const digest = read.json.actionDigest as string;
    const outcome = (who: 'agent' | 'bob' | 'dave', b: Record<string, unknown>) => k.req('POST', '/v1/actions/outcome', who, { actionDigest: digest, resource: 'prod-db', status: 'succeeded', ...b });
    const head = await k.rt.store.auditHead();
    assert.deepEqual((await outcome('dave', {})).json.error.code, 'NOT_FOUND', 'another principal');
    assert.deepEqual((await outcome('agent', { actionDigest: 'f'.repeat(64) })).json.error.code, 'NOT_FOUND', 'a digest never allowed');
    const wrongRes = await outcome('agent', { resource: 'whatever-resource' });
    assert.equal(wrongRes.status, 400);
    assert.equal(wrongRes.json.error.code, 'BAD_REQUEST');
    const wrongReq = await outcome('agent', { requestId: 'req_0f32a2638d894171bb29' });
    assert.equal(wrongReq.status, 404);
    assert.equal(wrongReq.json.error.code, 'REQUEST_NOT_FOUND');
    assert.deepEqual(await k.rt.store.auditHead(), head, 'nothing recorded for a refused outcome');
    const ok = await outcome('agent', { summary: 'counted 12 orders' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { recorded: true });

    // A held action, approved and run: its outcome carries its request id.
    const held = await k.req('POST', '/v1/actions', 'agent', deleteAction(710));
    await k.req('POST', `/v1/requests/${held.json.requestId}/approve`, 'bob', {});
    await k.req('POST', `/v1/requests/${held.json.requestId}/approve`, 'dave', {});
    // Approved is not run: until the action is submitted again (and allowed), no outcome can be reported for it.
    const early = await k.req('POST', '/v1/actions/outcome', 'agent', { actionDigest: held.json.actionDigest, requestId: held.json.requestId, resource: 'prod-db', status: 'succeeded', summary: 'deleted 1200 rows' });
    assert.equal(early.json.error.code, 'NOT_FOUND');
    const run = await k.req('POST', '/v1/actions', 'agent', deleteAction(710));
    assert.equal(run.json.requestId, held.json.requestId);
    assert.equal((await k.req('POST', '/v1/actions/outcome', 'bob', { actionDigest: run.json.actionDigest, requestId: held.json.requestId, resource: 'prod-db', status: 'succeeded' })).json.error.code, 'NOT_FOUND', 'an approver is not its requester');
    assert.equal((await k.req('POST', '/v1/actions/outcome', 'agent', { actionDigest: run.json.actionDigest, requestId: held.json.requestId, resource: 'prod-db', status: 'failed' })).status, 200);
    const events = ((await k.req('GET', '/v1/audit?limit=1000', 'bob')).json as string).trim().split('\n').map((l) => JSON.parse(l));
    const results = events.filter((e) => e.type === 'action.result' || e.type === 'action.failed');
    assert.deepEqual(results.filter((e) => e.body.actionDigest === digest).map((e) => [e.type, e.body.principal.id]), [['action.result', 'agent:etl']]);
    assert.deepEqual(results.filter((e) => e.body.actionDigest === run.json.actionDigest).map((e) => [e.type, e.body.requestId]), [['action.failed', held.json.requestId]]);
    assert.ok(!results.some((e) => e.body.actionDigest === 'f'.repeat(64)));
    // Another approved action that ran, and the identical read allowed again: neither reported before the restart.
    const held2 = await k.req('POST', '/v1/actions', 'agent', deleteAction(711));
    await k.req('POST', `/v1/requests/${held2.json.requestId}/approve`, 'bob', {});
    await k.req('POST', `/v1/requests/${held2.json.requestId}/approve`, 'dave', {});
    const run2 = await k.req('POST', '/v1/actions', 'agent', deleteAction(711));
    const read2 = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'read', summary: 'count orders' });
    assert.equal(read2.json.actionDigest, digest);
    // After a restart the gateway still finds an approved action by its request (not a plain allowed one: report at once).
    await k.restart();
    const late = (who: 'agent' | 'dave', b: Record<string, unknown>) => k.req('POST', '/v1/actions/outcome', who, { actionDigest: run2.json.actionDigest, requestId: held2.json.requestId, resource: 'prod-db', status: 'succeeded', ...b });
    assert.equal((await late('dave', {})).json.error.code, 'NOT_FOUND', 'still not for another principal');
    assert.equal((await late('agent', { actionDigest: 'a'.repeat(64) })).json.error.code, 'NOT_FOUND', 'nor another digest');
    assert.equal((await late('agent', { resource: 'other-db' })).json.error.code, 'BAD_REQUEST', 'nor another resource');
    assert.equal((await late('agent', {})).status, 200);
    assert.equal((await late('agent', {})).json.error.code, 'OUTCOME_RECORDED', 'its one execution had its report');
    assert.equal((await k.req('POST', '/v1/actions/outcome', 'agent', { actionDigest: run.json.actionDigest, requestId: held.json.requestId, resource: 'prod-db', status: 'succeeded' })).json.error.code, 'OUTCOME_RECORDED', 'reported before the restart');
    assert.equal((await outcome('agent', {})).json.error.code, 'NOT_FOUND', 'a plain allowed action is forgotten by a restart');
    // ...but its outcome ticket is any gateway's with the same audit key: after a restart, or on another gateway.
    assert.equal((await outcome('agent', { ticket: read.json.outcomeTicket })).json.error.code, 'OUTCOME_RECORDED', 'the first read was reported from memory');
    const ticket = read2.json.outcomeTicket as string;
    assert.match(ticket, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    assert.equal((await outcome('dave', { ticket })).json.error.code, 'NOT_FOUND', 'a ticket is for the principal it was given to');
    const [tBody, tSig] = ticket.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(tBody, 'base64url').toString()), r: 'other-db' })).toString('base64url');
    assert.equal((await outcome('agent', { ticket: `${forged}.${tSig}`, resource: 'other-db' })).json.error.code, 'NOT_FOUND', 'an edited ticket does not verify');
    assert.equal((await outcome('agent', { ticket, actionDigest: 'a'.repeat(64) })).json.error.code, 'NOT_FOUND', 'nor is it for another digest');
    for (const spelling of [`${ticket}.extra`, `${ticket}==`, `${ticket}!!!`, ` ${ticket}`]) {
      assert.equal((await outcome('agent', { ticket: spelling })).json.error.code, 'NOT_FOUND', `a ticket has one spelling: ${spelling.slice(-8)}`);
    }
    assert.equal((await outcome('agent', { ticket, resource: 'other-db' })).json.error.code, 'BAD_REQUEST', 'nor another resource');
    const byTicket = await outcome('agent', { ticket, summary: 'counted 12 orders' });
    assert.equal(byTicket.status, 200);
    assert.equal((await outcome('agent', { ticket })).json.error.code, 'OUTCOME_RECORDED', 'a ticket is taken once');
    k.clock.advance(25 * 3600_000);
    assert.equal((await outcome('agent', { ticket })).json.error.code, 'NOT_FOUND', 'an expired ticket');
    k.clock.advance(-25 * 3600_000);
  });

  it('bounds limit and timeout: a negative or huge limit is clamped, a non-number is refused; timeout=0 answers at once', async () => {
    const n = async (path: string) => (await k.req('GET', path, 'bob')).json.requests.length;
    assert.ok((await n('/v1/requests?status=pending,cancelled,executed,denied,expired,approved&limit=1000')) > 2);
    assert.equal(await n('/v1/requests?status=pending,cancelled,executed,denied,expired,approved&limit=-1'), 1);
    assert.equal(await n('/v1/requests?status=pending,cancelled,executed,denied,expired,approved&limit=0'), 1);
    assert.equal(await n('/v1/requests?status=pending,cancelled,executed,denied,expired,approved&limit=2'), 2);
    assert.equal(await n('/v1/requests?status=all&limit=1000'), await n('/v1/requests?status=pending,cancelled,executed,denied,expired,approved&limit=1000'), 'status=all is every status');
    const bogus = await k.req('GET', '/v1/requests?status=bogus', 'bob');
    assert.equal(bogus.status, 400);
    assert.match(bogus.json.error.message, /unknown status bogus; use pending, .* or all/);
    for (const q of ['limit=abc', 'limit=1.5', 'limit=NaN']) {
      const r = await k.req('GET', `/v1/requests?${q}`, 'bob');
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.code, 'BAD_REQUEST', q);
    }
    const one = (await k.req('GET', '/v1/audit?limit=-1', 'bob')).json;
    assert.equal(typeof one, 'object', 'a single NDJSON line (parses as one event)');
    assert.equal(one.seq, 1);
    assert.equal((await k.req('GET', '/v1/audit?limit=x', 'bob')).json.error.code, 'BAD_REQUEST');
    assert.equal((await k.req('GET', '/v1/audit?after=-5&limit=1', 'bob')).status, 200);

    const held = await k.req('POST', '/v1/actions', 'agent', deleteAction(720));
    const t0 = Date.now();
    const now = await k.req('GET', `/v1/requests/${held.json.requestId}/wait?timeout=0`, 'agent');
    assert.ok(Date.now() - t0 < 2000, 'timeout=0 does not wait');
    assert.equal(now.json.status, 'pending');
    assert.equal((await k.req('GET', `/v1/requests/${held.json.requestId}/wait?timeout=soon`, 'agent')).json.error.code, 'BAD_REQUEST');
    await k.req('POST', `/v1/requests/${held.json.requestId}/cancel`, 'agent', {});
  });

  it('accepts only the api and sdk connectors and configured resources from an API caller', async () => {
    const head = await k.rt.store.auditHead();
    for (const connector of ['mcp', 'postgres', 'anything-I-like']) {
      const r = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'read', summary: 'x', connector });
      assert.equal(r.status, 400, connector);
      assert.equal(r.json.error.code, 'BAD_REQUEST', connector);
    }
    for (const resource of ['jane.doe@example.com SSN 536-22-8714', 'r1231129243', 'prod-db2', 'PROD-DB']) {
      const r = await k.req('POST', '/v1/actions', 'agent', { resource, kind: 'read', summary: 'x' });
      assert.equal(r.status, 404, resource);
      assert.equal(r.json.error.code, 'UNKNOWN_RESOURCE', resource);
      assert.doesNotMatch(JSON.stringify(r.json), /jane|536-22/, 'the error does not echo the name');
    }
    assert.deepEqual(await k.rt.store.auditHead(), head, 'refused before the pipeline: nothing in the audit log');
    const sdk = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'read', summary: 'via sdk', connector: 'sdk' });
    assert.equal(sdk.status, 200);
    const api = await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'read', summary: 'via api', connector: 'api' });
    assert.equal(api.status, 200);
    const events = ((await k.req('GET', '/v1/audit?limit=1000', 'bob')).json as string).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events.find((e) => e.type === 'action.allowed' && e.body.actionDigest === sdk.json.actionDigest).body.data.connector, 'sdk');
  });

  it('lists requests with a bounded preview and context; one request has them whole', async () => {
    const held = await k.req('POST', '/v1/actions', 'agent', deleteAction(730));
    const base = await k.rt.store.getRequest(held.json.requestId);
    assert.ok(base);
    const big = { rows: Array.from({ length: 400 }, (_, i) => `row ${i} déjà vu ${'x'.repeat(20)}`) };
    await k.rt.store.createRequest({ ...base, id: 'req_bigpreview0000000001', digest: 'e'.repeat(64), preview: big, context: { note: 'y'.repeat(6000) } });
    const list = (await k.req('GET', '/v1/requests?status=pending&limit=1000', 'bob')).json.requests as Array<{ id: string; preview: unknown; context: unknown; truncated: boolean }>;
    const bigCard = list.find((r) => r.id === 'req_bigpreview0000000001');
    assert.ok(bigCard);
    assert.equal(bigCard.truncated, true);
    assert.equal(typeof bigCard.preview, 'string');
    assert.ok(Buffer.byteLength(bigCard.preview as string) <= 4096 + 3);
    assert.ok((bigCard.preview as string).startsWith('{"rows":["row 0 déjà vu'));
    assert.ok(Buffer.byteLength(JSON.stringify(bigCard.context)) <= 4096 + 8);
    const small = list.find((r) => r.id === held.json.requestId);
    assert.ok(small);
    assert.equal(small.truncated, false, 'a small preview is left whole');
    assert.deepEqual(small.preview, base.preview);
    const whole = await k.req('GET', '/v1/requests/req_bigpreview0000000001', 'bob');
    assert.deepEqual(whole.json.preview, big, 'the full card has it whole');
    assert.equal(whole.json.truncated, undefined);
    await k.req('POST', `/v1/requests/${held.json.requestId}/cancel`, 'agent', {});
    await k.req('POST', '/v1/requests/req_bigpreview0000000001/cancel', 'agent', {});
  });

  it('records every step in an intact, verifiable audit chain', async () => {
    const lines = (await k.req('GET', '/v1/audit?limit=1000', 'bob')).json as string;
    const types = new Set(lines.trim().split('\n').map((l) => JSON.parse(l).type));
    for (const t of ['action.requested', 'action.allowed', 'action.denied', 'action.held', 'approval.vote', 'approval.approved', 'approval.denied', 'approval.expired', 'action.executed']) {
      assert.ok(types.has(t), `audit has ${t}`);
    }
    assert.doesNotMatch(lines, /jane\.doe@example\.com/, 'no raw PII in the audit log');
    // Who decided is an identity, recorded as it is (like the principal); the reason a person typed is masked data.
    const denied = lines.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'approval.denied');
    assert.deepEqual(denied.body.decidedBy, ['bob@example.com']);
    assert.equal(denied.body.data.reason, 'not during the freeze');
    const v = await verifyAudit(k.rt.store, { publicKey: k.rt.signer.publicKey });
    assert.equal(v.ok, true);
    assert.ok(v.checked > 20);
  });
});

describe('HTTP API with no resources in the config (free resource names)', () => {
  let k: Awaited<ReturnType<typeof startKernel>>;
  before(async () => {
    k = await startKernel({ resources: false });
  });
  after(() => k.close());

  it('accepts a plain name, refuses one that is free text or holds personal data, and records nothing for it', async () => {
    for (const resource of ['prod-db', 'orders_2024', 'billing.eu-west-1', 'r1231129243']) {
      const r = await k.req('POST', '/v1/actions', 'agent', { resource, kind: 'read', summary: 'x' });
      assert.equal(r.status, 200, resource);
    }
    const head = await k.rt.store.auditHead();
    for (const resource of ['jane.doe@example.com SSN 536-22-8714', 'jane.doe@example.com', 'tokens:card 4111111111111111', '4111111111111111', '-x', 'a b']) {
      const r = await k.req('POST', '/v1/actions', 'agent', { resource, kind: 'read', summary: 'x' });
      assert.equal(r.status, 400, resource);
      assert.equal(r.json.error.code, 'BAD_REQUEST', resource);
      assert.equal(r.json.error.details[0].path, 'resource');
      assert.doesNotMatch(JSON.stringify(r.json), /jane|4111|536-22/, 'the error does not echo the value');
    }
    assert.deepEqual(await k.rt.store.auditHead(), head, 'nothing recorded');
  });
});

describe('approval requests one principal may have waiting (approvals.max_pending_per_principal)', () => {
  let k: Awaited<ReturnType<typeof startKernel>>;
  before(async () => {
    k = await startKernel({ maxPending: 2 });
  });
  after(() => k.close());

  it('refuses one more held action with 429 TOO_MANY_PENDING, records it, and holds again once one is decided', async () => {
    const first = await k.req('POST', '/v1/actions', 'agent', deleteAction(1));
    const second = await k.req('POST', '/v1/actions', 'agent', deleteAction(2));
    assert.deepEqual([first.status, second.status], [202, 202]);
    const third = await k.req('POST', '/v1/actions', 'agent', deleteAction(3));
    assert.equal(third.status, 429);
    assert.equal(third.json.error.code, 'TOO_MANY_PENDING');
    assert.match(third.json.error.message, /agent:etl already has 2 approval requests waiting/);
    assert.equal((await k.req('GET', '/v1/requests?status=pending', 'bob')).json.requests.length, 2, 'no third request was made');
    const failed = (await k.rt.store.readAudit(0, 1000)).filter((e) => e.type === 'action.failed').at(-1)!;
    assert.deepEqual(failed.body.data, { code: 'TOO_MANY_PENDING', rule: 'deletes-need-two' });

    // The same action again joins its own request: nothing new is counted.
    const again = await k.req('POST', '/v1/actions', 'agent', deleteAction(1));
    assert.equal(again.status, 202);
    assert.equal(again.json.requestId, first.json.requestId);

    // Actions that need no review are not limited; a decided request frees a place.
    assert.equal((await k.req('POST', '/v1/actions', 'agent', { resource: 'prod-db', kind: 'read', summary: 'count users' })).status, 200);
    assert.equal((await k.req('POST', `/v1/requests/${second.json.requestId}/cancel`, 'agent', { reason: 'not needed' })).status, 200);
    const retried = await k.req('POST', '/v1/actions', 'agent', deleteAction(3));
    assert.equal(retried.status, 202);
  });
});

describe('a flood of refused credentials', () => {
  let k: Awaited<ReturnType<typeof startKernel>>;
  before(async () => {
    k = await startKernel();
  });
  after(() => k.close());

  it('records 100 per minute one by one and counts the rest in one event', async () => {
    const head = (await k.rt.store.auditHead()).seq;
    for (let i = 0; i < 130; i++) assert.equal((await k.req('GET', '/v1/requests', null)).status, 401);
    const failed = async () => (await k.rt.store.readAudit(head, 10_000)).filter((e) => e.type === 'auth.failed');
    assert.equal((await failed()).length, 100);
    k.clock.advance(61_000);
    assert.equal((await k.req('GET', '/v1/audit', null)).status, 401);
    const events = await failed();
    assert.equal(events.length, 102);
    const { from, ...counted } = events[100]!.body.data as { from: number };
    assert.deepEqual(counted, { suppressed: 30, byCode: { AUTH_REQUIRED: 30 }, byConnector: { api: 30 }, to: k.clock.now() });
    assert.ok(from <= k.clock.now() - 61_000);
    assert.match(String(events[101]!.body.summary), /^HTTP API GET \/v1\/audit: AUTH_REQUIRED$/);
    // The gateway still serves authenticated callers, and the chain is intact.
    assert.equal((await k.req('GET', '/v1/requests', 'bob')).status, 200);
    assert.equal((await verifyAudit(k.rt.store, { publicKey: k.rt.signer!.publicKey })).ok, true);
  });
});
