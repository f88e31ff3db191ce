import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../core/masking.js';
import { emails, emailsByIndexOf, ipv6, ipv6ByIndexOf } from './net.js';
import { urlCredentials, urlCredentialsByIndexOf } from './secrets.js';
import { wordPass } from '../words.js';

// ipv6, url-credentials and email take the colons and at signs from the word pass's list of `:`, `=` and `@` and read
// the text by code unit; they found them with indexOf and charCodeAt before, and still do for a small value no other
// detector made a word pass for. The two ways must agree on generated text full of colons, hex digits, slashes, dots
// and `@` (the word pass is made first here, so the detectors take their lists).
test('ipv6, url-credentials and email find what their indexOf versions found', () => {
  let seed = 31;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = [':', '::', ':::', '=', 'fe80', '1', 'a', 'F', 'db8', '2001', '.', '0', '10', '22', '33', 'g', ' ', '\n', '/', '//', '://', '@', 'user', 'pa:ss',
    'https', 'x', '"', "'", '<', '>', '-', '::1', '2001:db8::1', '10:22:33', 'é', '=:', ':=', '@@', 'bob', '.com', '.co.uk', '_', '%', '+', 'ops@example.org'];
  let ips = 0, urls = 0, mails = 0;
  for (let i = 0; i < 100_000; i++) {
    let text = '';
    for (let j = 1 + rnd(24); j > 0; j--) text += parts[rnd(parts.length)];
    const a: Finding[] = [], b: Finding[] = [], c: Finding[] = [];
    const ctx = {};
    wordPass(text, ctx);
    ipv6(text, a, ctx);
    urlCredentials(text, b, ctx);
    emails(text, c, ctx);
    const ra: Finding[] = [], rb: Finding[] = [], rc: Finding[] = [];
    ipv6ByIndexOf(text, ra);
    urlCredentialsByIndexOf(text, rb);
    emailsByIndexOf(text, rc);
    assert.deepEqual(a, ra, JSON.stringify(text));
    assert.deepEqual(b, rb, JSON.stringify(text));
    assert.deepEqual(c, rc, JSON.stringify(text));
    ips += a.length;
    urls += b.length;
    mails += c.length;
  }
  assert.ok(ips > 1_000 && urls > 1_000 && mails > 1_000, `${ips} addresses, ${urls} passwords, ${mails} e-mails`);
});
