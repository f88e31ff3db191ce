import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../core/masking.js';
import { KEYWORD_SRC } from '../cues.js';
import { ASSIGN, assignments, isValueStop, mayAssign, pemBlocks, visitKeyword } from './secrets.js';

// The secret-assignment detector rules out most keyword hits by code unit (mayAssign) before trying ASSIGN on a
// slice, and ends unquoted values by a table (isValueStop) instead of a class pattern per character: mayAssign must
// hold wherever ASSIGN matches, and isValueStop must agree with the class on every code unit.
test('mayAssign holds wherever the assignment pattern matches', () => {
  let seed = 20261122;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const pieces = [' ', '  ', '\t', '\n', '\u00a0', '\u2028', '"', "'", '`', ':', '=', ':=', '=>', 'is', 'IS', 'Was', 'was set to', 'i', 'w', 'x', 'ı', 'İ', ';', 'a', '1', '        '];
  let matched = 0;
  for (let i = 0; i < 200_000; i++) {
    let s = '';
    for (let j = rnd(12); j > 0; j--) s += pieces[rnd(pieces.length)];
    const at = rnd(3);
    const text = 'k'.repeat(at) + s;
    const m = ASSIGN.exec(text.slice(at, at + 40)) !== null;
    if (m) matched++;
    if (m) assert.ok(mayAssign(text, at), JSON.stringify(s));
  }
  assert.ok(matched > 10_000, `${matched} matches`);
});

test('isValueStop is the class [\\s;,&"\'<>)}\\]] on every code unit', () => {
  const re = /[\s;,&"'<>)}\]]/;
  for (let c = 0; c < 65536; c++) assert.equal(isValueStop(c), re.test(String.fromCharCode(c)), `U+${c.toString(16)}`);
  assert.equal(isValueStop(NaN), false);
});

// The detector looks for keywords only in names an assignment sign follows; the reference searches the whole text
// for them (one regex, restarted after each hit) and visits every hit in order, as the detector did before.
function byWholeTextSearch(text: string): Finding[] {
  const out: Finding[] = [];
  const re = new RegExp(KEYWORD_SRC, 'gi');
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const p = m.index;
    re.lastIndex = p + 1;
    if (p < last) continue;
    last = visitKeyword(text, out, p, p + m[0].length);
  }
  return out;
}

test('the assignment detector finds what a whole-text keyword search finds', () => {
  let seed = 77;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = ['password', 'PASSWD', 'pwd', 'Secret', 'token', 'api_key', 'apiKey', 'auth', 'AUTHOR', 'credential', 'session', 'signature', 'cookie', 'passphrase',
    'db_', 'x-', '.', '_', '-', 'name', 'id', 'DB', 'my', 'the', 'key', 'monkey', 'keys', 'tokens', 'expires_at', 'aws_secret_access_key',
    ' ', '  ', '\t', '\n', '\u00a0', '"', "'", '`', ':', '=', ':=', '=>', ': ', '= ', ' is ', ' was ', ' was set to ', ' IS ', ' island ', ' in ', ' with ', ' i', ' w',
    'hunter2', 'Zx9$kq2!Lm', 'aB3dE5gH7jK9', 's3cr3t-V4lu3', '${VAR}', '***', 'changeme', '<redacted>', '1234567890', ';', ',', '&', ')', '}', ']', '<', '>', 'é', 'İ',
    'a'.repeat(70), 'pass'.repeat(20), 'k'.repeat(63) + 'token'];
  let found = 0;
  for (let i = 0; i < 120_000; i++) {
    let text = '';
    for (let j = 1 + rnd(16); j > 0; j--) text += parts[rnd(parts.length)];
    const want = byWholeTextSearch(text);
    const got: Finding[] = [];
    assignments(text, got, {});
    assert.deepEqual(got, want, JSON.stringify(text));
    found += want.length;
  }
  assert.ok(found > 5_000, `${found} findings`);
});

// PEM headers come from the word pass's list (every `-----BEGIN `); the reference searches with indexOf.
function pemByIndexOf(text: string): Finding[] {
  const out: Finding[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('-----BEGIN ', from);
    if (start < 0) return out;
    const headEnd = text.indexOf('-----', start + 11);
    if (headEnd < 0 || headEnd - start > 80) {
      from = start + 11;
      continue;
    }
    if (!/PRIVATE KEY/.test(text.slice(start + 11, headEnd))) {
      from = headEnd + 5;
      continue;
    }
    const endMark = text.indexOf('-----END ', headEnd);
    let end = text.length;
    if (endMark >= 0) {
      const close = text.indexOf('-----', endMark + 9);
      end = close >= 0 ? close + 5 : text.length;
    }
    out.push({ type: 'PRIVATE_KEY', start, end, confidence: 0.99, detector: 'pem' });
    from = end;
  }
}

test('PEM blocks are found as the indexOf search found them', () => {
  let seed = 41;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = ['-----BEGIN ', '-----BEGIN', '------BEGIN ', 'BEGIN ', '-----', '-', 'RSA ', 'PRIVATE KEY', 'CERTIFICATE', '-----END ', 'MIIB', 'x', '\n', ' ', 'é',
    "a-", "O'", 'BEGINS ', 'BEGIn ', '-----BEGIN\t'];
  let found = 0;
  for (let i = 0; i < 60_000; i++) {
    let text = '';
    for (let j = 1 + rnd(14); j > 0; j--) text += parts[rnd(parts.length)];
    const got: Finding[] = [];
    pemBlocks(text, got, {});
    assert.deepEqual(got, pemByIndexOf(text), JSON.stringify(text));
    found += got.length;
  }
  assert.ok(found > 1_000, `${found} blocks`);
});
