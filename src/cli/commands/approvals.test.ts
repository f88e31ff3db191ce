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
