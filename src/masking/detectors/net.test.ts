import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import type { Finding } from '../../core/masking.js';
import { emails, ipv6 } from './net.js';
import { urlCredentials } from './secrets.js';

// ipv6, url-credentials and email take the colons and at signs from the word pass's list of `:`, `=` and `@` and read
// the text by code unit; they found them with indexOf and charCodeAt before. The references below are those versions;
// each must agree on generated text full of colons, hex digits, slashes, dots and `@`.
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isV6Char = (c: number) => isHex(c) || c === 58 || c === 46;
const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
function ipv6ByIndexOf(text: string): Finding[] {
  const out: Finding[] = [];
  const n = text.length;
  let from = 0;
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', colon + 1)) {
    if (colon + 2 >= n || !isV6Char(text.charCodeAt(colon + 1)) || !isV6Char(text.charCodeAt(colon + 2))) continue;
    let start = colon;
    while (start > from && colon - start < 4 && isHex(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < n && end - colon - 1 < 45 && isV6Char(text.charCodeAt(end))) end++;
    from = end;
    colon = end - 1;
    if (start > 0) {
      const p = text.charCodeAt(start - 1);
      if (isAlnum(p) || p === 58) continue;
    }
    if (end < n && isAlnum(text.charCodeAt(end))) continue;
    let s = text.slice(start, end);
    while (s.endsWith('.') || (s.endsWith(':') && !s.endsWith('::'))) s = s.slice(0, -1);
    if ((s.match(/:/g)?.length ?? 0) < 2 || !/[0-9a-f]{1,4}:.*[0-9a-f]/i.test(s)) continue;
    if (!/::|[a-f]/i.test(s) && s.split(':').length <= 3) continue;
    if (isIPv6(s)) out.push({ type: 'IP_ADDRESS', start, end: start + s.length, confidence: 0.9, detector: 'ipv6' });
  }
  return out;
}
function urlByIndexOf(text: string): Finding[] {
  const out: Finding[] = [];
  let from = 0;
  for (;;) {
    const i = text.indexOf('://', from);
    if (i < 0) return out;
    from = i + 3;
    let colon = -1, at = -1;
    for (let j = i + 3; j < text.length && j - i < 512; j++) {
      const c = text.charCodeAt(j);
      if (c === 47 || c === 32 || c === 10 || c === 9 || c === 34 || c === 39 || c === 60 || c === 62) break;
      if (c === 58 && colon < 0) colon = j;
      if (c === 64) at = j;
    }
    if (colon > 0 && at > colon + 1) {
      out.push({ type: 'PASSWORD', start: colon + 1, end: at, confidence: 0.95, detector: 'url-credentials' });
      from = at + 1;
    }
  }
}

const isLocalChar = (c: number) => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const isDomainChar = (c: number) => isAlnum(c) || c === 46 || c === 45;
function emailsByIndexOf(text: string): Finding[] {
  const out: Finding[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf('@', from);
    if (at < 0) return out;
    from = at + 1;
    let s = at;
    while (s > 0 && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++;
    let e = at + 1;
    while (e < text.length && e - at < 255 && isDomainChar(text.charCodeAt(e))) e++;
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--;
    if (s === at) continue;
    const domain = text.slice(at + 1, e);
    const dot = domain.lastIndexOf('.');
    if (dot <= 0 || !/^[A-Za-z]{2,24}$/.test(domain.slice(dot + 1))) continue;
    out.push({ type: 'EMAIL', start: s, end: e, confidence: 0.95, detector: 'email' });
    from = e;
  }
}

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
    ipv6(text, a, ctx);
    urlCredentials(text, b, ctx);
    emails(text, c, ctx);
    assert.deepEqual(a, ipv6ByIndexOf(text), JSON.stringify(text));
    assert.deepEqual(b, urlByIndexOf(text), JSON.stringify(text));
    assert.deepEqual(c, emailsByIndexOf(text), JSON.stringify(text));
    ips += a.length;
    urls += b.length;
    mails += c.length;
  }
  assert.ok(ips > 1_000 && urls > 1_000 && mails > 1_000, `${ips} addresses, ${urls} passwords, ${mails} e-mails`);
});
