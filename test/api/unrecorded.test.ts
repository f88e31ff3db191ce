// Through the HTTP API: approvals written into the store file past the gateway release nothing (an unmask) and allow
// nothing (an action submitted again); the request view shows such votes as not counted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { card } from '../../src/cli/commands/approvals.js';
import { deleteAction, startKernel } from './support.js';

describe('approvals the audit log does not hold, through the HTTP API', () => {
  let k: Awaited<ReturnType<typeof startKernel>>;
  let raw: Database.Database;
  before(async () => {
    k = await startKernel();
    raw = new Database(join(dirname(k.file), 'cs.db'));
  });
  after(async () => {
    raw.close();
    await k.close();
  });

  /** A vote row for a made-up approver, and the request's status set to approved, through a second connection. */
  const forge = (id: string, seq: number, voter: string, groups: string[]) => {
    const doc = { seq, at: k.clock.now(), type: 'vote', voter: { id: voter, type: 'human', groups }, vote: 'approve', channel: 'api' };
    raw.prepare('INSERT INTO request_events (request_id, seq, doc) VALUES (?, ?, ?)').run(id, seq, JSON.stringify(doc));
    raw.prepare(`UPDATE requests SET status = 'approved' WHERE id = ?`).run(id);
  };
  const auditOf = async (id: string) =>
    ((await k.req('GET', '/v1/audit?limit=10000', 'bob')).json as string).trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.body.requestId === id);

  it('a held action submitted again after two forged votes: 409 APPROVAL_UNRECORDED, recorded as action.failed', async () => {
    const held = await k.req('POST', '/v1/actions', 'agent', deleteAction(501));
    assert.equal(held.status, 202);
    const id = held.json.requestId as string;
    forge(id, 1, 'mallory@example.com', ['eng']);
    forge(id, 2, 'trent@example.com', ['eng']);
    const again = await k.req('POST', '/v1/actions', 'agent', deleteAction(501));
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'APPROVAL_UNRECORDED');
    assert.deepEqual(again.json.error.details.votes.map((v: { voter: string }) => v.voter), ['mallory@example.com', 'trent@example.com']);
    const events = await auditOf(id);
    assert.deepEqual(events.map((e) => e.type), ['action.held', 'action.failed']);
    assert.equal(events[1].body.data.code, 'APPROVAL_UNRECORDED');

    const view = await k.req('GET', `/v1/requests/${id}`, 'carol');
    assert.equal(view.json.status, 'pending');
    assert.deepEqual(view.json.votes.map((v: { voter: string; auditSeq: number | null; counted: boolean }) => [v.voter, v.auditSeq, v.counted]), [
      ['mallory@example.com', null, false],
      ['trent@example.com', null, false],
    ]);
    assert.match(card(view.json), /^vote {6}mallory@example\.com approve \(api\) NOT COUNTED: the audit log holds no record of it$/m);
  });

  it('an unmask whose approval was forged releases nothing; approved for real, it releases the value', async () => {
    const r = await k.rt.gateway.run(
      { principal: { id: 'agent:etl', type: 'agent', groups: ['agents'], onBehalfOf: 'alice@example.com', authMethod: 'api_key' }, resource: 'prod-db', connector: 'sdk', kind: 'read', summary: 'select email', detail: {} },
      async () => ({ rows: [{ email: 'jane.doe@example.com' }] }),
    );
    const token = /tok_[A-Za-z0-9_-]+/.exec(JSON.stringify(r.status === 'executed' ? r.result : null))![0];
    const ask = await k.req('POST', '/v1/unmask', 'agent', { scope: 'agent:etl', token });
    assert.equal(ask.status, 202);
    const id = ask.json.requestId as string;
    forge(id, 1, 'mallory@example.com', ['security']);
    const got = await k.req('POST', '/v1/unmask', 'agent', { scope: 'agent:etl', token });
    assert.equal(got.status, 409);
    assert.equal(got.json.error.code, 'APPROVAL_UNRECORDED');
    assert.doesNotMatch(JSON.stringify(got.json), /jane\.doe/);
    assert.deepEqual((await auditOf(id)).map((e) => e.type), ['action.held', 'action.failed'], 'nothing released');

    const voted = await k.req('POST', `/v1/requests/${id}/approve`, 'carol', {});
    assert.equal(voted.json.status, 'approved');
    assert.deepEqual(voted.json.votes.map((v: { voter: string; counted: boolean }) => [v.voter, v.counted]), [['mallory@example.com', false], ['carol@example.com', true]]);
    const released = await k.req('POST', '/v1/unmask', 'agent', { scope: 'agent:etl', token });
    assert.equal(released.status, 200);
    assert.equal(released.json.value, 'jane.doe@example.com');
  });
});
