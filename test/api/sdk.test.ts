// The pipeline SDK against a real gateway on a port, unmasking behind approval, and fail-closed on store failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, ApiError } from '../../src/sdk/client.js';
import { guard, ActionRefusedError, OutcomeNotRecordedError } from '../../src/sdk/guard.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime } from '../../src/main.js';
import { CountersignError } from '../../src/core/errors.js';
import { deleteAction, startKernel } from './support.js';

describe('SDK guard() against a running gateway', () => {
  let k: Awaited<ReturnType<typeof startKernel>>;
  let srv: RunningServer;
  const client = (who: 'agent' | 'bob' | 'dave' | 'carol') => new ApiClient({ url: srv.url, token: k.tokens[who] });

  before(async () => {
    k = await startKernel();
    srv = await startServer(k.rt, { port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await srv.close();
    await k.close();
  });

  it('a second gateway on the same port fails with LISTEN_FAILED, and the first keeps serving', async () => {
    const port = Number(new URL(srv.url).port);
    await assert.rejects(startServer(k.rt, { port, host: '127.0.0.1' }), (e: unknown) => e instanceof CountersignError && e.code === 'LISTEN_FAILED' && /127\.0\.0\.1:\d+: the address is in use/.test(e.message));
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  });

  it('refuses a body sent without a length (chunked) as soon as it passes body_limit, without reading the rest', async () => {
    const { request } = await import('node:http');
    const { port } = new URL(srv.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/v1/actions', headers: { authorization: `Bearer ${k.tokens.agent}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      // Far more than body_limit (4,096 bytes), in chunks; the gateway answers before the end.
      const chunk = 'x'.repeat(16_384);
      let sent = 0;
      const pump = () => {
        while (sent < 200 && req.write(chunk)) sent++;
        if (sent < 200) req.once('drain', pump);
        else req.end();
      };
      pump();
    });
    assert.equal(answer.status, 413);
    assert.match(answer.body, /"code":"BODY_TOO_LARGE"/);
  });

  it('answers a request Node cannot parse (headers over 16 KB, not HTTP) with a JSON error, and keeps serving', async () => {
    const { connect } = await import('node:net');
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(srv.url);
        const sock = connect(Number(port), '127.0.0.1', () => sock.write(text));
        let got = '';
        sock.on('data', (d) => (got += d));
        sock.on('close', () => resolve(got));
        sock.on('error', reject);
      });
    const big = await raw(`GET /v1/requests HTTP/1.1\r\nHost: x\r\nX-Fill: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.match(big, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    assert.match(big, /\r\n\r\n\{"error":\{"code":"HEADERS_TOO_LARGE","message":"[^"]+"\}\}$/);
    const junk = await raw('HELLO THERE\r\n\r\n');
    assert.match(junk, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*"code":"BAD_HTTP"/);
    assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  });

  it('runs an allowed action and records its outcome', async () => {
    let ran = 0;
    const out = await guard(client('agent'), { resource: 'prod-db', kind: 'read', summary: 'count users' }, async () => ++ran);
    assert.equal(out, 1);
    const allowed = (await k.rt.store.readAudit(0, 100_000)).filter((e) => e.type === 'action.allowed').at(-1)!;
    assert.equal((allowed.body.data as { connector: string }).connector, 'sdk', 'a guarded action comes from the SDK');
    const audit = await (await fetch(`${srv.url}/v1/audit?limit=1000`, { headers: { authorization: `Bearer ${k.tokens.bob}` } })).text();
    assert.match(audit, /"type":"action.result"/);
  });

  it('a detail JSON cannot carry (a BigInt) is a BAD_REQUEST before anything is sent, not an unreachable gateway', async () => {
    let ran = false;
    const head = (await k.rt.store.auditHead()).seq;
    await assert.rejects(
      guard(client('agent'), { resource: 'prod-db', kind: 'read', summary: 'count users', detail: { n: 10n } }, async () => (ran = true)),
      (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'BAD_REQUEST' && /cannot be sent as JSON/.test(e.message),
    );
    assert.equal(ran, false);
    assert.equal((await k.rt.store.auditHead()).seq, head, 'nothing reached the gateway');
  });

  it('throws a typed refusal with the reason and never runs fn on a policy denial', async () => {
    let ran = false;
    await assert.rejects(
      guard(client('agent'), { resource: 'prod-db', kind: 'ddl', summary: 'drop table users' }, async () => (ran = true)),
      (e: unknown) => e instanceof ActionRefusedError && e.code === 'POLICY_DENIED' && /migrations/.test(e.reason),
    );
    assert.equal(ran, false);
  });

  it('waits for approval, then runs fn; a denial throws with who decided', async () => {
    let ran = 0;
    const approvedRun = guard(client('agent'), deleteAction(100), async () => ++ran, {
      onPending: (id) => {
        void (async () => {
          await client('bob').vote(id, 'approve');
          await client('dave').vote(id, 'approve');
        })();
      },
    });
    assert.equal(await approvedRun, 1);

    await assert.rejects(
      guard(client('agent'), deleteAction(101), async () => ++ran, { onPending: (id) => void client('bob').vote(id, 'deny', 'wrong table') }),
      (e: unknown) => e instanceof ActionRefusedError && e.code === 'APPROVAL_DENIED' && e.reason === 'wrong table' && e.decidedBy[0] === 'bob@example.com',
    );
    assert.equal(ran, 1, 'fn ran only for the approved action');

    // Two identical calls share one request; a one-time approval runs one of them, and the other is held anew.
    const ids: string[] = [];
    const approve = async (id: string) => {
      await client('bob').vote(id, 'approve');
      await client('dave').vote(id, 'approve');
    };
    let twins = 0;
    const twin = () => guard(client('agent'), deleteAction(103), async () => ++twins, { onPending: (id) => void ids.push(id), timeoutMs: 20_000 });
    const both = Promise.all([twin(), twin()]);
    while (ids.length < 2) await new Promise((r) => setTimeout(r, 10));
    assert.equal(ids[0], ids[1], 'the identical action joins the pending request');
    await approve(ids[0]!);
    while (ids.length < 3 || twins < 1) await new Promise((r) => setTimeout(r, 10));
    assert.notEqual(ids[2], ids[0], 'the call that came second waits for an approval of its own');
    assert.equal(twins, 1, 'one of the twins ran on the first approval');
    await approve(ids[2]!);
    assert.deepEqual((await both).sort(), [1, 2]);
    // Lists are bounded by the caller.
    assert.equal((await client('bob').listRequests(undefined, 1)).length, 1);
    assert.equal((await client('bob').listRequests('approved,executed,denied', 2)).length, 2);

    // The approver's reason is free text: the requester gets it masked, as the audit log keeps it.
    await assert.rejects(
      guard(client('agent'), deleteAction(102), async () => ++ran, { onPending: (id) => void client('bob').vote(id, 'deny', 'not today, call Jonathan Whitaker at 415-555-0172') }),
      (e: unknown) =>
        e instanceof ActionRefusedError && e.code === 'APPROVAL_DENIED' && /^not today, call \S+ at \S+$/.test(e.reason) && !/Whitaker|555-0172/.test(e.reason + e.message),
    );
    assert.equal(ran, 1);
  });

  it('an approval another identical call used (status executed) makes guard submit again and wait for a new approval', async () => {
    const approve = async (id: string) => {
      await client('bob').vote(id, 'approve');
      await client('dave').vote(id, 'approve');
    };
    // This guard's first long-poll reaches the gateway only after another call has used the approval, as when the
    // two calls wait on different gateways of one store.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const late = new ApiClient({ url: srv.url, token: k.tokens.agent, fetch: async (u, i) => (String(u).includes('/wait') && (await gate), fetch(u, i)) });
    const ids: string[] = [];
    let ran = 0;
    const g = guard(late, deleteAction(110), async () => ++ran, { onPending: (id) => void ids.push(id), timeoutMs: 20_000 });
    while (ids.length < 1) await new Promise((r) => setTimeout(r, 10));
    await approve(ids[0]!);
    const other = await client('agent').submit({ ...deleteAction(110), connector: 'sdk' }); // as guard() submits it
    assert.equal(other.status, 'allowed', 'the other identical call used the one-time approval');
    assert.equal((await client('bob').getRequest(ids[0]!)).status, 'executed');
    release();
    while (ids.length < 2) await new Promise((r) => setTimeout(r, 10));
    assert.notEqual(ids[1], ids[0], 'held anew');
    await approve(ids[1]!);
    assert.equal(await g, 1);
  });

  it('a re-submission refused by GRANT_USED (two calls racing for one approval) submits again; POLICY_DENIED is a refusal', async () => {
    // The gateway answers the race between finding a one-time grant and consuming it with 409 GRANT_USED: injected here
    // on the submission after the approval, as the race cannot be timed against a real gateway.
    const refuseResubmit = (code: string, status: number) => {
      let submits = 0;
      return new ApiClient({
        url: srv.url,
        token: k.tokens.agent,
        fetch: async (u, i) => {
          if (String(u).endsWith('/v1/actions') && ++submits === 2) return new Response(JSON.stringify({ error: { code, message: `injected ${code}` } }), { status });
          return fetch(u, i);
        },
      });
    };
    const approveOnPending = (id: string) => void (async () => {
      await client('bob').vote(id, 'approve');
      await client('dave').vote(id, 'approve');
    })();
    let ran = 0;
    assert.equal(await guard(refuseResubmit('GRANT_USED', 409), deleteAction(111), async () => ++ran, { onPending: approveOnPending, timeoutMs: 20_000 }), 1);
    await assert.rejects(
      guard(refuseResubmit('POLICY_DENIED', 403), deleteAction(112), async () => ++ran, { onPending: approveOnPending, timeoutMs: 20_000 }),
      (e: unknown) => e instanceof ActionRefusedError && e.code === 'POLICY_DENIED' && e.reason === 'injected POLICY_DENIED',
    );
    assert.equal(ran, 1);
  });

  it('an action that ran is never reported failed because its success report did not go through', async () => {
    const flaky = (failures: number) => {
      let left = failures;
      return new ApiClient({
        url: srv.url,
        token: k.tokens.agent,
        fetch: async (u, i) => {
          if (String(u).includes('/outcome') && left > 0) {
            left--;
            throw new Error('ECONNRESET');
          }
          return fetch(u, i);
        },
      });
    };
    const action = { resource: 'prod-db', kind: 'read' as const, summary: 'count sessions', detail: { q: 'outcome-retry' } };
    let calls = 0;
    // A few failed reports (a gateway restarting): retried, the result returned, the outcome recorded as succeeded.
    assert.equal(await guard(flaky(3), action, async () => ++calls), 1);
    // Failing for good: the caller learns the action ran (with its result), not that it failed.
    await assert.rejects(guard(flaky(100), action, async () => ++calls), (e: unknown) => e instanceof OutcomeNotRecordedError && e.result === 2 && /do not run it again/.test(e.message));
    assert.equal(calls, 2);
    const audit = await (await fetch(`${srv.url}/v1/audit?limit=1000`, { headers: { authorization: `Bearer ${k.tokens.bob}` } })).text();
    assert.doesNotMatch(audit, /"status":"failed"/, 'no action.failed for actions that succeeded');
  });

  it('a report whose answer was lost is retried, and the 409 OUTCOME_RECORDED it meets is success: recorded once', async () => {
    let reports = 0;
    const api = new ApiClient({
      url: srv.url,
      token: k.tokens.agent,
      fetch: async (u, i) => {
        const res = await fetch(u, i);
        // The gateway recorded the first report; its answer never came back (the connection dropped).
        if (String(u).includes('/outcome') && ++reports === 1) {
          await res.text();
          throw new Error('ECONNRESET');
        }
        return res;
      },
    });
    const action = { resource: 'prod-db', kind: 'read' as const, summary: 'count refunds', detail: { q: 'lost-answer' } };
    assert.equal(await guard(api, action, async () => 'ran'), 'ran');
    assert.equal(reports, 2, 'reported again after the lost answer');
    const events = await k.rt.store.readAudit(0, 100_000);
    const digest = events.filter((e) => e.type === 'action.allowed').at(-1)!.body.actionDigest;
    assert.deepEqual(events.filter((e) => e.body.actionDigest === digest && (e.type === 'action.result' || e.type === 'action.failed')).map((e) => e.type), ['action.result']);

    // ApiClient.reportOutcome says why a second report of one allowance is refused.
    const r = await client('agent').submit(action);
    assert.equal(r.status, 'allowed');
    if (r.status !== 'allowed') return;
    const o = { actionDigest: r.actionDigest, requestId: r.requestId, resource: 'prod-db', ticket: r.outcomeTicket };
    await client('agent').reportOutcome({ ...o, status: 'succeeded' });
    await assert.rejects(client('agent').reportOutcome({ ...o, status: 'failed' }), (e: unknown) => e instanceof ApiError && e.code === 'OUTCOME_RECORDED' && e.status === 409);
  });

  it('keeps waiting for approval across a gateway restart and a 503 from the load balancer', async () => {
    let waits = 0;
    const api = new ApiClient({
      url: srv.url,
      token: k.tokens.agent,
      fetch: async (u, i) => {
        // The first poll meets a load balancer with no healthy gateway behind it.
        if (String(u).includes('/wait') && ++waits === 1) return new Response('<html>503 Service Unavailable</html>', { status: 503 });
        return fetch(u, i);
      },
    });
    const ids: string[] = [];
    let ran = 0;
    const g = guard(api, deleteAction(120), async () => ++ran, { onPending: (id) => void ids.push(id), timeoutMs: 20_000 });
    while (waits < 2) await new Promise((r) => setTimeout(r, 10));
    // A rolling restart: the gateway goes away while guard long-polls, and comes back on the same address.
    const port = Number(new URL(srv.url).port);
    await srv.close();
    await new Promise((r) => setTimeout(r, 600));
    srv = await startServer(k.rt, { port, host: '127.0.0.1' });
    await client('bob').vote(ids[0]!, 'approve');
    await client('dave').vote(ids[0]!, 'approve');
    assert.equal(await g, 1);
    assert.ok(waits >= 3, 'polled again after the restart');
  });

  it('a 503 on the submission after the approval is retried: the approved action runs, the approval is not left unused', async () => {
    let resubmits = 0;
    let approved = false;
    const api = new ApiClient({
      url: srv.url,
      token: k.tokens.agent,
      fetch: async (u, i) => {
        // The load balancer has no healthy gateway for the first two submissions after the approval.
        if (approved && String(u).endsWith('/v1/actions') && ++resubmits <= 2) return new Response('upstream restarting', { status: 503 });
        return fetch(u, i);
      },
    });
    const ids: string[] = [];
    let ran = 0;
    const g = guard(api, deleteAction(125), async () => ++ran, { onPending: (id) => void ids.push(id), timeoutMs: 20_000 });
    while (ids.length < 1) await new Promise((r) => setTimeout(r, 10));
    approved = true;
    await client('bob').vote(ids[0]!, 'approve');
    await client('dave').vote(ids[0]!, 'approve');
    assert.equal(await g, 1);
    assert.equal(resubmits, 3, 'two refused, the third went through');
    assert.equal((await client('bob').getRequest(ids[0]!)).status, 'executed');
  });

  it('gives up on a gateway that accepts the connection and never answers: per call, and at the guard deadline', async () => {
    const { createServer } = await import('node:http');
    const hung = createServer(() => undefined);
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
    try {
      let t = Date.now();
      await assert.rejects(new ApiClient({ url, token: 'x', timeoutMs: 300 }).getRequest('req_x'), (e: unknown) => e instanceof ApiError && e.code === 'UPSTREAM_TIMEOUT');
      assert.ok(Date.now() - t < 2_000, 'the per-call timeout');
      t = Date.now();
      let ran = false;
      await assert.rejects(
        guard(new ApiClient({ url, token: 'x' }), deleteAction(130), async () => (ran = true), { timeoutMs: 500 }),
        (e: unknown) => e instanceof ActionRefusedError && e.code === 'TIMEOUT',
      );
      assert.ok(Date.now() - t < 2_000, 'guard keeps its deadline');
      assert.equal(ran, false);
    } finally {
      hung.closeAllConnections();
      await new Promise((r) => hung.close(r));
    }
  });

  it('cancels its pending request when it gives up: on TIMEOUT and when the caller aborts; ApiClient.cancel', async () => {
    let ran = false;
    const timedOut = await guard(client('agent'), deleteAction(140), async () => (ran = true), { timeoutMs: 400 }).catch((e: unknown) => e);
    assert.ok(timedOut instanceof ActionRefusedError && timedOut.code === 'TIMEOUT' && timedOut.requestId, String(timedOut));
    const left = await client('bob').getRequest(timedOut.requestId!);
    assert.equal(left.status, 'cancelled', 'the abandoned request does not linger');

    const stop = new AbortController();
    const aborted = await guard(client('agent'), deleteAction(141), async () => (ran = true), { onPending: () => setTimeout(() => stop.abort(new Error('job shutting down')), 50), signal: stop.signal }).catch((e: unknown) => e);
    assert.ok(aborted instanceof ActionRefusedError && aborted.code === 'ABORTED' && /job shutting down/.test(aborted.reason), String(aborted));
    assert.equal((await client('bob').getRequest(aborted.requestId!)).status, 'cancelled');
    await assert.rejects(guard(client('agent'), deleteAction(142), async () => (ran = true), { signal: AbortSignal.abort() }), (e: unknown) => e instanceof ActionRefusedError && e.code === 'ABORTED');
    assert.equal(ran, false);

    const r = await client('agent').submit(deleteAction(143));
    assert.equal(r.status, 'pending');
    assert.equal((await client('agent').cancel(r.requestId!, 'not needed')).status, 'cancelled');
  });

  it('reports an outcome to another gateway sharing the store and audit key (a load balancer between them)', async () => {
    const other = await createRuntime(await loadConfig(k.file), { env: k.env, clock: k.clock });
    const srvB = await startServer(other, { port: 0, host: '127.0.0.1' });
    try {
      // Submissions go to the first gateway, outcome reports to the second.
      const split = new ApiClient({
        url: srv.url,
        token: k.tokens.agent,
        fetch: async (u, i) => fetch(String(u).includes('/outcome') ? String(u).replace(srv.url, srvB.url) : u, i),
      });
      const action = { resource: 'prod-db', kind: 'read' as const, summary: 'count invoices', detail: { q: 'two-gateways' } };
      assert.equal(await guard(split, action, async () => 'ran'), 'ran');
      const events = await other.store.readAudit(0, 10_000);
      const allowed = events.filter((e) => e.type === 'action.allowed').at(-1)!;
      const result = events.filter((e) => e.type === 'action.result').at(-1)!;
      assert.equal(result.body.actionDigest, allowed.body.actionDigest, 'the second gateway recorded the outcome of the action the first allowed');
    } finally {
      await srvB.close();
      await other.close();
    }
  });

  it('masks results with reversible tokens that only an approved unmask reveals', async () => {
    const r = await k.rt.gateway.run(
      { principal: { id: 'agent:etl', type: 'agent', groups: ['agents'], onBehalfOf: 'alice@example.com', authMethod: 'api_key' }, resource: 'prod-db', connector: 'sdk', kind: 'read', summary: 'select email', detail: {} },
      async () => ({ rows: [{ email: 'jane.doe@example.com' }, { email: 'jane.doe@example.com' }, { email: 'peter.schmidt@example.com' }] }),
    );
    assert.equal(r.status, 'executed');
    const rows = (r.status === 'executed' ? r.result : { rows: [] }).rows as Array<{ email: string }>;
    assert.doesNotMatch(JSON.stringify(rows), /jane\.doe/);
    assert.equal(rows[0].email, rows[1].email, 'deterministic within a scope: joins and counts still work');
    const token = /tok_[A-Za-z0-9_-]+/.exec(rows[0].email)![0];

    const ask = await client('agent').call<{ status: string; requestId: string; actionDigest: string; rule: string }>('POST', '/v1/unmask', { scope: 'agent:etl', token, reason: 'customer called' });
    assert.equal(ask.status, 202, 'unmask is held for approval');
    assert.match(ask.json.actionDigest, /^[0-9a-f]{64}$/, 'the same pending shape as POST /v1/actions');
    assert.equal(ask.json.rule, 'unmask-needs-security');
    // The approver is told what kind of value it is, as the gateway knows it.
    const card = await client('carol').getRequest(ask.json.requestId);
    assert.equal(card.summary, `unmask EMAIL value ${token} in scope agent:etl`);
    assert.deepEqual(card.preview, { scope: 'agent:etl', token, type: 'EMAIL' }, 'the preview names the same token, not a masked copy of it');
    // A caller's own label does not change that: the same request, the same card.
    const relabelled = await client('agent').call<{ requestId: string }>('POST', '/v1/unmask', { scope: 'agent:etl', token: `[CREDIT_CARD:${token}]`, reason: 'customer called' });
    assert.equal(relabelled.json.requestId, ask.json.requestId);
    // A token this scope never issued makes no request.
    const pendingBefore = (await client('carol').listRequests('pending')).length;
    await assert.rejects(client('agent').call('POST', '/v1/unmask', { scope: 'agent:etl', token: 'tok_AAAAAAAAAAAAAAAAAAAAAA' }), (e: unknown) => (e as { code?: string }).code === 'TOKEN_UNKNOWN' && (e as { status?: number }).status === 404);
    assert.equal((await client('carol').listRequests('pending')).length, pendingBefore);
    await client('carol').vote(ask.json.requestId, 'approve');
    const got = await client('agent').call<{ status: string; value: string }>('POST', '/v1/unmask', { scope: 'agent:etl', token, reason: 'customer called' });
    assert.equal(got.json.value, 'jane.doe@example.com');
    // Even under a window grant, the approval releases that one token: another token of the scope asks again.
    const other = /tok_[A-Za-z0-9_-]+/.exec(rows[2].email)![0];
    assert.notEqual(other, token);
    const next = await client('agent').call<{ status: string; requestId: string }>('POST', '/v1/unmask', { scope: 'agent:etl', token: other });
    assert.equal(next.status, 202, 'another token is another approval');
    assert.notEqual(next.json.requestId, ask.json.requestId);
    const again = await client('agent').call<{ status: string; value: string }>('POST', '/v1/unmask', { scope: 'agent:etl', token, reason: 'customer called' });
    assert.equal(again.json.value, 'jane.doe@example.com', 'the approved token again, within the window');
    const audit = await (await fetch(`${srv.url}/v1/audit?limit=1000`, { headers: { authorization: `Bearer ${k.tokens.bob}` } })).text();
    assert.match(audit, /"type":"unmask.released"/);
    assert.doesNotMatch(audit, /jane\.doe@example\.com/, 'the released value is not in the audit log');
  });

  it('fails closed: when the store is gone, nothing runs and the API says 503', async () => {
    let ran = false;
    await k.rt.store.close();
    await assert.rejects(
      k.rt.gateway.run(
        { principal: { id: 'agent:etl', type: 'agent', groups: [], authMethod: 'api_key' }, resource: 'prod-db', connector: 'sdk', kind: 'read', summary: 'x', detail: {} },
        async () => (ran = true),
      ),
      (e: unknown) => e instanceof CountersignError && (e.code === 'AUDIT_UNAVAILABLE' || e.code === 'STORE_UNAVAILABLE'),
    );
    assert.equal(ran, false);
    const health = await fetch(`${srv.url}/healthz`);
    assert.equal(health.status, 503);
  });
});
