import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestJson } from '../../sdk/client.js';
import { card } from './approvals.js';

const request: RequestJson = {
  id: 'req_1',
  status: 'pending',
  expiresAt: '2026-11-22T10:00:00.000Z',
  principal: { id: 'agent:etl', type: 'agent', onBehalfOf: 'alice@example.com', keyId: 'k1', keyStatus: 'active' },
  resource: 'prod-db',
  connector: 'api',
  kind: 'export',
  summary: 'export customers to [URL]',
  preview: { table: 'customers' },
  context: { ticket: 'OPS-1234', destination: 's3 bucket [URL]' },
  tags: ['bulk', 'pii'],
  maskProfile: 'tokens',
  rule: 'exports-window',
  reason: 'exports leave the building',
  actionDigest: 'a'.repeat(64),
  review: { approverGroups: ['security'], approvals: 1 },
  approvedBy: [],
  decidedBy: [],
  decisionReason: null,
  votes: [],
};

test('approvals show prints the context, tags and masking profile an approver decides on', () => {
  const text = card(request);
  assert.match(text, /^what {6}export on prod-db via api: export customers to \[URL\]$/m);
  assert.match(text, /^tags {6}bulk, pii$/m);
  assert.match(text, /^context {3}\{"ticket":"OPS-1234","destination":"s3 bucket \[URL\]"\}$/m);
  assert.match(text, /^masking {3}the result goes through the "tokens" masking profile$/m);
  assert.match(text, /^who {7}agent:etl \(agent\) on behalf of alice@example\.com, API key k1$/m);
});

test('approvals show leaves out an empty context and no tags, and names the default masking', () => {
  const text = card({ ...request, context: {}, tags: [], maskProfile: null });
  assert.doesNotMatch(text, /^(context|tags) /m);
  assert.match(text, /^masking {3}the result goes through the gateway's default masking profile$/m);
});

test('approvals show says until when an approval lets the action run, and when it lapsed unused', () => {
  const later = new Date(Date.now() + 600_000).toISOString();
  assert.match(card({ ...request, status: 'approved', grantEndsAt: later }), new RegExp(`^grant {5}the approved action may run until ${later}$`, 'm'));
  assert.match(card({ ...request, status: 'approved', grantEndsAt: '2026-01-01T00:00:00.000Z' }), /^grant {5}lapsed unused at 2026-01-01T00:00:00\.000Z: the action did not run, and asks anew$/m);
  assert.doesNotMatch(card(request), /^grant /m);
});

test('approvals show tells the approver, before the vote, what approving lets run: a window covers more than this call', () => {
  const win = card({ ...request, review: { approverGroups: ['security'], approvals: 1, timeoutSeconds: 300, grant: { type: 'window', seconds: 900 } } });
  assert.match(win, /^grant {5}approving lets agent:etl run any export on prod-db under rule exports-window for 15m, not only this one$/m);
  const once = card({ ...request, review: { approverGroups: ['security'], approvals: 1, timeoutSeconds: 5400, grant: { type: 'once' } } });
  assert.match(once, /^grant {5}approving lets this exact action run once, within 1h30m of the approval$/m);
});

test('approvals show says an unmask releases the clear value, not that it is masked', () => {
  const text = card({ ...request, kind: 'unmask', connector: 'api', summary: 'unmask [EMAIL:tok_abc]', maskProfile: null });
  assert.match(text, /^masking {3}none: approving releases the clear value of this token to agent:etl$/m);
  assert.doesNotMatch(text, /masking profile/);
});

test('approvals show and list cannot be redrawn by what an agent wrote: escapes and line breaks are shown, not obeyed', () => {
  const spoof = 'x\r\u001b[1A\u001b[2Kwho       bob@example.com (human)\n\u001b[2Kwhat      read on prod-db via api: monthly report\u001b[8m';
  const text = card({ ...request, summary: spoof, tags: ['a\u202eb'] });
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/.test(text), 'no control character reaches the terminal');
  assert.equal(text.split('\n').filter((l) => l.startsWith('who ')).length, 1, 'one who line: the real one');
  assert.match(text, /^what {6}export on prod-db via api: x\\r\\x1b\[1A\\x1b\[2Kwho {7}bob@example\.com \(human\)\\n\\x1b\[2Kwhat/m);
  assert.match(text, /^tags {6}a\\u202eb$/m);
});

test('approvals show names the audit event of each vote, and marks an approving vote the log does not hold as not counted', () => {
  const text = card({ ...request, votes: [
    { voter: 'carol@example.com', vote: 'approve', reason: null, channel: 'api', auditSeq: 42, counted: true },
    { voter: 'mallory@example.com', vote: 'approve', reason: null, channel: 'api', auditSeq: null, counted: false },
  ] });
  assert.match(text, /^vote {6}carol@example\.com approve \(api, audit event 42\)$/m);
  assert.match(text, /^vote {6}mallory@example\.com approve \(api\) NOT COUNTED: the audit log holds no record of it$/m);
});
