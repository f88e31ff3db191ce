import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cardIssuer, crc32, entropy, githubTokenFor, githubTokenValid, ibanValid, isbnValid, isIdentifierShape, jwtValid, luhn, pemPrivateKeyBase64, ssnValid } from './validators.js';

test('luhn and issuer', () => {
  assert.equal(luhn('4111111111111111'), true);
  assert.equal(luhn('4111111111111112'), false);
  assert.equal(cardIssuer('4111111111111111'), 'visa');
  assert.equal(cardIssuer('378282246310005'), 'amex');
  assert.equal(cardIssuer('5555555555554444'), 'mastercard');
  assert.equal(cardIssuer('1234567812345670'), undefined);
});

test('IBAN mod 97', () => {
  assert.equal(ibanValid('GB82WEST12345698765432'), true);
  assert.equal(ibanValid('DE89370400440532013000'), true);
  assert.equal(ibanValid('GB82WEST12345698765433'), false);
  assert.equal(ibanValid('GB82'), false);
});

test('SSN ranges', () => {
  assert.equal(ssnValid('123456788'), true);
  for (const bad of ['000123456', '666123456', '912345678', '123004567', '123450000', '078051120']) assert.equal(ssnValid(bad), false, bad);
});

test('ISBN, CRC32, GitHub checksum, JWT header, identifier shapes', () => {
  assert.equal(isbnValid('9780306406157'), true);
  assert.equal(isbnValid('9780306406158'), false);
  assert.equal(isbnValid('0306406152'), true);
  assert.equal(crc32('The quick brown fox jumps over the lazy dog'), 0x414fa339);
  const tok = githubTokenFor('ghp', 'A'.repeat(10) + 'b'.repeat(10) + '0123456789');
  assert.equal(githubTokenValid(tok), true);
  assert.equal(githubTokenValid(tok.slice(0, -1) + (tok.endsWith('A') ? 'B' : 'A')), false);
  const h = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
  assert.equal(jwtValid(`${h}.eyJzdWIiOiIxIn0.c2ln`), true);
  assert.equal(jwtValid('eyJub3RhbGciOjF9.eyJzdWIiOiIxIn0.c2ln'), false);
  assert.equal(isIdentifierShape('550e8400-e29b-41d4-a716-446655440000'), true);
  assert.equal(isIdentifierShape('da39a3ee5e6b4b0d3255bfef95601890afd80709'), true);
  assert.equal(isIdentifierShape('Zx9!kQ2@pL'), false);
});

test('entropy: the counting fast path gives the very same number as counting with a Map', () => {
  // The reference: counts in a Map of characters (code points), summed in the Map's order.
  const ref = (s: string) => {
    const counts = new Map<string, number>();
    for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    let h = 0;
    for (const c of counts.values()) h -= (c / s.length) * Math.log2(c / s.length);
    return h;
  };
  let seed = 7;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let i = 0; i < 50_000; i++) {
    const alpha = [4, 16, 62, 95][rnd(4)];
    let s = '';
    for (let j = rnd(90); j > 0; j--) s += String.fromCharCode(32 + rnd(alpha));
    if (rnd(40) === 0) s += ['é', '😀', '\u00ff'][rnd(3)];
    assert.ok(Object.is(entropy(s), ref(s)), JSON.stringify(s));
  }
  assert.equal(entropy(''), 0);
  assert.equal(entropy('abab'), 1);
});

test('base64 PEM: private keys (RSA, EC, PKCS#8, OpenSSH, encrypted, PGP) yes; certificates and public keys no', () => {
  const b64 = (s: string) => Buffer.from(`${s}\nMIIEpAIBAAKCAQEA3vyg\n`).toString('base64');
  for (const h of ['-----BEGIN RSA PRIVATE KEY-----', '-----BEGIN EC PRIVATE KEY-----', '-----BEGIN PRIVATE KEY-----', '-----BEGIN OPENSSH PRIVATE KEY-----',
    '-----BEGIN ENCRYPTED PRIVATE KEY-----', '-----BEGIN PGP PRIVATE KEY BLOCK-----']) assert.equal(pemPrivateKeyBase64(b64(h)), true, h);
  for (const h of ['-----BEGIN CERTIFICATE-----', '-----BEGIN PUBLIC KEY-----', '-----BEGIN RSA PUBLIC KEY-----', '-----BEGIN CERTIFICATE REQUEST-----', 'hello']) {
    assert.equal(pemPrivateKeyBase64(b64(h)), false, h);
  }
  assert.equal(pemPrivateKeyBase64('LS0tLS1CRUdJTi'), false);
});
