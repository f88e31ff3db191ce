import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, sha256Hex } from '../core/canonical.js';
import { AUDIT_GENESIS_HASH, auditHash, auditHashRaw, chainRecords, recordHashOk } from './chain.js';

test('hash = SHA-256(prevHash + canonical {seq, at, code, type, body}); the raw form agrees', () => {
  const e = { seq: 1, at: 1700000000000, code: 'CS9001I', type: 'gateway.started', body: { z: 1, a: ['é', null] } };
  const expected = sha256Hex(AUDIT_GENESIS_HASH + canonicalJson(e));
  assert.equal(auditHash(AUDIT_GENESIS_HASH, e), expected);
  assert.equal(auditHashRaw(AUDIT_GENESIS_HASH, { ...e, bodyJson: canonicalJson(e.body) }), expected);
  assert.notEqual(auditHashRaw(AUDIT_GENESIS_HASH, { ...e, bodyJson: JSON.stringify(e.body) }), expected);
});

test('chainRecords links each record to the one before, starting at the head', () => {
  const recs = chainRecords({ seq: 7, hash: 'f'.repeat(64) }, [
    { at: 1, code: 'CS1001I', type: 'action.requested', body: {} },
    { at: 2, code: 'CS1002I', type: 'action.allowed', body: { x: 1 } },
  ]);
  assert.deepEqual(recs.map((r) => r.seq), [8, 9]);
  assert.equal(recs[0]!.prevHash, 'f'.repeat(64));
  assert.equal(recs[1]!.prevHash, recs[0]!.hash);
  assert.ok(recs.every(recordHashOk));
  assert.equal(recordHashOk({ ...recs[1]!, body: { x: 2 } }), false);
});
