import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { CountersignError } from '../core/errors.js';
import {
  auditSignerFromEnv,
  createAuditSigner,
  generateAuditKeyPair,
  parseAuditPublicKey,
  publicKeyText,
  verifyCheckpointSignature,
} from './signing.js';

test('seed and PKCS#8 PEM forms of one key sign identically and verify with every public-key form', () => {
  const k = generateAuditKeyPair();
  const fromSeed = createAuditSigner(k.privateKey);
  const pem = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(k.privateKey, 'base64url')]), format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
  const fromPem = createAuditSigner(pem);
  assert.equal(fromPem.keyId, fromSeed.keyId);
  assert.equal(fromSeed.keyId, k.keyId);
  assert.equal(publicKeyText(fromSeed.publicKey), k.publicKey);
  const cp = fromSeed.signCheckpoint({ seq: 10, hash: 'a'.repeat(64), at: 5 });
  assert.equal(cp.signature, fromPem.signCheckpoint({ seq: 10, hash: 'a'.repeat(64), at: 5 }).signature); // Ed25519 is deterministic
  for (const pub of [k.publicKey, k.publicKeyPem, pem, k.privateKey].map((t) => (t === k.privateKey ? createPublicKey(createPrivateKey({ key: pem, format: 'pem' })) : parseAuditPublicKey(t)))) {
    assert.ok(verifyCheckpointSignature(cp, pub));
  }
});

test('a changed checkpoint field, a wrong key or garbage signature fails verification', () => {
  const s = createAuditSigner(generateAuditKeyPair().privateKey);
  const cp = s.signCheckpoint({ seq: 3, hash: 'b'.repeat(64), at: 1 });
  assert.equal(verifyCheckpointSignature({ ...cp, seq: 4 }, s.publicKey), false);
  assert.equal(verifyCheckpointSignature({ ...cp, hash: 'c'.repeat(64) }, s.publicKey), false);
  assert.equal(verifyCheckpointSignature({ ...cp, at: 2 }, s.publicKey), false);
  assert.equal(verifyCheckpointSignature({ ...cp, signature: 'AAAA' }, s.publicKey), false);
  assert.equal(verifyCheckpointSignature(cp, createAuditSigner(generateAuditKeyPair().privateKey).publicKey), false);
});

test('bad key material and a missing env var are refused without echoing the value', () => {
  assert.throws(() => createAuditSigner('c2hvcnQ'), (e: unknown) => e instanceof CountersignError && e.code === 'CONFIG_INVALID' && !e.message.includes('c2hvcnQ'));
  assert.throws(() => auditSignerFromEnv('CS_NO_SUCH_KEY', {}), (e: unknown) => e instanceof CountersignError && e.code === 'SECRET_MISSING');
  assert.equal(auditSignerFromEnv('K', { K: generateAuditKeyPair().privateKey }).keyId.length, 16);
});
