import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_CODES } from './codes.js';

const RANGES: Record<string, string> = { action: '1', approval: '2', mcp: '3', key: '4', auth: '4', unmask: '4', gateway: '9' };

test('every event type has a unique code in its range, with the severity letter matching', () => {
  const seen = new Set<string>();
  for (const [type, c] of Object.entries(AUDIT_CODES)) {
    assert.match(c.code, /^CS\d{4}[IWC]$/, type);
    assert.ok(!seen.has(c.code), `duplicate code ${c.code}`);
    seen.add(c.code);
    assert.equal(c.code[2], RANGES[type.split('.')[0]!], `${type} is in the wrong range`);
    assert.equal(c.code.at(-1), { info: 'I', warning: 'W', critical: 'C' }[c.severity], type);
  }
});

test('published codes do not change meaning', () => {
  assert.equal(AUDIT_CODES['action.requested'].code, 'CS1001I');
  assert.equal(AUDIT_CODES['action.denied'].code, 'CS1003W');
  assert.equal(AUDIT_CODES['approval.approved'].code, 'CS2002I');
  assert.equal(AUDIT_CODES['mcp.session_opened'].code, 'CS3001I');
  assert.equal(AUDIT_CODES['unmask.released'].code, 'CS4004C');
  assert.equal(AUDIT_CODES['gateway.started'].code, 'CS9001I');
});
