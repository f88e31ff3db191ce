import type { Finding } from '../../core/masking.js';
import { isIPv6 } from 'node:net';
import { ibanValid } from '../validators.js';
import { CUE_IBAN, eachCue } from '../cues.js';
import type { Detector } from '../types.js';
import { ANY_LETTER, charClass, codeUnits } from '../chars.js';
import { domainToASCII } from 'node:url';
import { wordPass } from '../words.js';
import { endsAuthority } from './urls.js';

// E-mail characters by ASCII code unit: the local part takes letters, digits and . _ % + -; a domain letters, digits,
// . and -. Beyond ASCII (RFC 6531 addresses, IDN domains) both take Unicode letters and marks (chars.ts ANY_LETTER).
const LOCAL_ASCII = new Uint8Array(128), DOMAIN_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (alnum || c === 46 || c === 45) LOCAL_ASCII[c] = DOMAIN_ASCII[c] = 1;
  if (c === 95 || c === 37 || c === 43) LOCAL_ASCII[c] = 1;
}
const isLocalChar = (c: number) => (c < 128 ? LOCAL_ASCII[c] === 1 : (charClass(c) & ANY_LETTER) !== 0);
const isDomainAscii = (c: number) => c < 128 && DOMAIN_ASCII[c] === 1;
const isDomainChar = (c: number) => (c < 128 ? DOMAIN_ASCII[c] === 1 : (charClass(c) & ANY_LETTER) !== 0);

const ASCII_TLD = /^[A-Za-z]{2,24}$/;
// A punycode TLD (`xn--p1ai`, .рф) or one in Unicode letters (`рф`, `中国`, `みんな`, `भारत`).
const IDN_TLD = /^(?:xn--[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*|[^\x00-\x7f]{2,24})$/;
const IDN_LABEL = /^(?!-)[^.]{1,63}(?<!-)$/;

/**
 * The end of the e-mail domain in [from, end) (from is just after the `@`), trailing dots and hyphens left out, or
 * -1 when it is no domain: a dot, and a top-level domain of 2–24 ASCII letters or an IDN one (punycode `xn--…`, or
 * Unicode letters). A domain with non-ASCII letters must also have valid labels (1–63 characters, no hyphen at
 * either end) and convert to ASCII (node:url domainToASCII).
 */
function domainEnd(text: string, from: number, end: number, ascii: boolean): number {
  while (end > from && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
  const domain = text.slice(from, end);
  const dot = domain.lastIndexOf('.');
  if (dot <= 0) return -1;
  const tld = domain.slice(dot + 1);
  if (ascii) return ASCII_TLD.test(tld) || IDN_TLD.test(tld) ? end : -1;
  if (!IDN_TLD.test(tld) && !ASCII_TLD.test(tld)) return -1;
  for (const label of domain.split('.')) if (!IDN_LABEL.test(label)) return -1;
  return domainToASCII(domain) === '' ? -1 : end;
}

/**
 * The e-mail address around the `@` at `at` whose local part starts at `s` (s < at) and whose domain runs to `e`
 * (`asciiEnd`: where its first non-ASCII letter is, or `e`): its end, or -1. A domain that is no domain with its
 * non-ASCII letters may be one without them (`bob@x.com에게`: a Korean particle glued to the address).
 */
function emailEnd(text: string, at: number, e: number, asciiEnd: number): number {
  if (asciiEnd === e) return domainEnd(text, at + 1, e, true);
  const end = domainEnd(text, at + 1, e, false);
  return end >= 0 ? end : domainEnd(text, at + 1, asciiEnd, true);
}

/** E-mail addresses, anchored on `@` and expanded by hand (bounded: 64 characters left, 255 right). */
export const emails: Detector = (text, out, ctx) => {
  if (ctx.words === undefined && text.length <= SMALL) return emailsByIndexOf(text, out);
  // Each @ at or after `from`, from the word pass's list of `:`, `=` and `@`; the text read by code unit.
  const w = wordPass(text, ctx);
  const cu = codeUnits(text, ctx);
  let from = 0;
  let urlEnd = -1; // the end of the authority of the last `scheme://` seen
  for (let k = 0; k < w.nSign; k++) {
    const at = w.signAt[k];
    if (cu[at] === 58 && at + 2 < text.length && cu[at + 1] === 47 && cu[at + 2] === 47) urlEnd = authorityEnd(text, at);
    if (at < from || cu[at] !== 64) continue;
    from = at + 1;
    if (at < urlEnd) continue; // `scheme://user:password@host`: credentials and a host, not an e-mail address
    let s = at;
    while (s > 0 && at - s < 64 && isLocalChar(cu[s - 1])) s--;
    while (s < at && cu[s] === 46) s++;
    if (s === at) continue;
    let e = at + 1;
    while (e < text.length && e - at < 255 && isDomainAscii(cu[e])) e++;
    const asciiEnd = e;
    while (e < text.length && e - at < 255 && isDomainChar(cu[e])) e++;
    e = emailEnd(text, at, e, asciiEnd);
    if (e < 0) continue;
    out.push({ type: 'EMAIL', start: s, end: e, confidence: 0.95, detector: 'email' });
    from = e;
  }
};

/**
 * Where the authority of the URL whose `://` starts at `colon` ends: at / space \n \t " ' < > or 512 characters on,
 * as the URL-credentials detector reads it (urls.ts). An `@` before it is the end of the URL's user information.
 */
function authorityEnd(text: string, colon: number): number {
  let j = colon + 3;
  while (j < text.length && j - colon < 512 && !endsAuthority(text.charCodeAt(j))) j++;
  return j;
}

/**
 * A value this short, with no word pass made for it yet (no other detector needed one), is searched with indexOf:
 * the word pass would cost more than it saves (the MCP hot path masks many small values).
 */
const SMALL = 256;

/** The e-mail detector without the word pass (a small value): each @ by indexOf. */
export function emailsByIndexOf(text: string, out: Finding[]): void {
  let from = 0;
  for (;;) {
    const at = text.indexOf('@', from);
    if (at < 0) return;
    from = at + 1;
    const url = text.lastIndexOf('://', at);
    if (url >= 0 && at < authorityEnd(text, url)) continue; // URL credentials, not an e-mail address
    let s = at;
    while (s > 0 && at - s < 64 && isLocalChar(text.charCodeAt(s - 1))) s--;
    while (s < at && text.charCodeAt(s) === 46) s++;
    if (s === at) continue;
    let e = at + 1;
    while (e < text.length && e - at < 255 && isDomainAscii(text.charCodeAt(e))) e++;
    const asciiEnd = e;
    while (e < text.length && e - at < 255 && isDomainChar(text.charCodeAt(e))) e++;
    e = emailEnd(text, at, e, asciiEnd);
    if (e < 0) continue;
    out.push({ type: 'EMAIL', start: s, end: e, confidence: 0.95, detector: 'email' });
    from = e;
  }
}

// IBAN: two capitals and two digits at a word start (the shared cue pass, cues.ts IBAN_SRC); the rest (letters,
// digits, single spaces) is checked by mod 97. Written in small letters (de89 3704 …), a stricter check (lowerIban).
export const ibans: Detector = (text, out, ctx) => {
  eachCue(text, ctx, CUE_IBAN, (start) => {
    if (text.charCodeAt(start) >= 97) return lowerIban(text, start, out);
    let compact = '';
    const ends: number[] = [];
    let i = start;
    while (i < text.length && compact.length < 34) {
      const c = text[i];
      if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        compact += c;
        ends.push(i + 1);
        i++;
      } else if (c === ' ' && i + 1 < text.length && /[A-Z0-9]/.test(text[i + 1]) && compact.length >= 4) i++;
      else break;
    }
    const n = longestValidIban(compact);
    if (n === 0) return;
    out.push({ type: 'IBAN', start, end: ends[n - 1], confidence: 0.97, detector: 'iban' });
    return ends[n - 1];
  });
};

// IBAN countries and their lengths (ISO 13616 registry, SWIFT, release 2024: the countries that have IBANs, France's
// overseas codes, Åland; and the African and other countries whose banks publish IBANs of a national format). A `d`
// marks a country whose BBAN is digits only.
const IBAN_LENGTHS = new Map<string, [number, boolean]>();
for (const e of ('AD24 AE23d AL28 AT20d AX18d AZ28 BA20d BE16d BG22 BH22 BI27d BL27 BR29 BY28 CH21 CR22d CY28 CZ24d DE22d DJ27d DK18d DO28 ' +
  'EE20d EG29d ES24d FI18d FK18 FO18d FR27 GB22 GE22 GF27 GI23 GL18d GP27 GR27 GT28 HN28 HR21d HU28d IE22 IL23d IQ23 IS26d IT27 JO30 KW30 ' +
  'KZ20 LB28 LC32 LI21 LT20d LU20 LV21 LY25d MC27 MD24 ME22d MF27 MK19 MN20d MQ27 MR27d MT31 MU30 NC27 NI28 NL18 NO15d OM23 PF27 PK24 ' +
  'PL28d PM27 PS29 PT25d QA29 RE27 RO24 RS22d RU33 SA24 SC31 SD18d SE24d SI19d SK24d SM27 SO23d ST25d SV28 TF27 TL23d TN24d TR26 UA29 VA22d ' +
  'VG24 WF27 XK20d YE30 YT27 AO25d BF28 BJ28 CF27d CG27d CI28 CM27d CV25d DZ26d GA27d GQ27d GW25 IR26d KM27d MA28d MG27d ML28 MZ25d NE28 ' +
  'SN28 TD27d TG28').split(' ')) {
  IBAN_LENGTHS.set(e.slice(0, 2), [Number(e.slice(2, 4)), e.length === 5]);
}
const isSmallAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);

/**
 * An IBAN in small letters at `start` (`de89370400440532013000`, `de89 3704 0044 0532 0130 00`): lower case is no
 * sign of an IBAN, so more must hold than for capitals, where mod 97 alone decides. The country must have IBANs, the
 * value must have that country's exact length and end there (a hex hash or id that starts with `de89…` runs on), its
 * BBAN must be digits where the country's is, and mod 97 must hold. Letters all small (no capital among them).
 */
function lowerIban(text: string, start: number, out: Finding[]): number | void {
  const spec = IBAN_LENGTHS.get(text.slice(start, start + 2).toUpperCase());
  if (spec === undefined) return;
  const [len, digitsOnly] = spec;
  let compact = '';
  let i = start;
  while (i < text.length && compact.length < len) {
    const c = text.charCodeAt(i);
    if (isSmallAlnum(c)) {
      if (digitsOnly && compact.length >= 4 && c >= 97) return;
      compact += text[i];
      i++;
    } else if (c === 32 && compact.length >= 4 && compact.length % 4 === 0 && isSmallAlnum(text.charCodeAt(i + 1))) i++; // groups of 4
    else break;
  }
  if (compact.length !== len) return;
  // The value ends here: no letter or digit (of any case) glued on, nor a further group after a space.
  const next = text.charCodeAt(i);
  if ((next >= 48 && next <= 57) || ((next | 32) >= 97 && (next | 32) <= 122) || next === 95) return;
  if (next === 32 && compact.length % 4 !== 0 && i - start > len) {
    // `de89 3704 … 0130 00 12`: digits after a grouped IBAN's short last group are more of a longer number.
    let k = i + 1;
    while (k < text.length && k - i <= 5 && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57) k++;
    if (k > i + 1 && k - i - 1 <= 4 && !isSmallAlnum(text.charCodeAt(k))) return;
  }
  if (!ibanValid(compact.toUpperCase())) return;
  out.push({ type: 'IBAN', start, end: i, confidence: 0.95, detector: 'iban' });
  return i;
}

const mods = new Int32Array(35);
/**
 * The longest prefix of `compact` (15 to 34 of [A-Z0-9], starting with two letters and two digits) that passes
 * `ibanValid`, or 0: the same answer as trying `ibanValid(compact.slice(0, n))` from the longest down, with the
 * mod-97 of the moved part computed once for all prefixes (linear, not quadratic, in the length).
 */
function longestValidIban(compact: string): number {
  if (compact.length < 15) return 0;
  // ibanValid checks (s.slice(4) + s.slice(0, 4)) mod 97: mods[k] is the remainder after compact[4..k).
  let m = 0;
  for (let k = 4; k < compact.length; k++) {
    const c = compact.charCodeAt(k);
    const v = c >= 65 ? c - 55 : c - 48;
    m = v >= 10 ? (m * 100 + v) % 97 : (m * 10 + v) % 97;
    mods[k + 1] = m;
  }
  for (let n = compact.length; n >= 15; n--) {
    let r = mods[n];
    for (let k = 0; k < 4; k++) {
      const c = compact.charCodeAt(k);
      const v = c >= 65 ? c - 55 : c - 48;
      r = v >= 10 ? (r * 100 + v) % 97 : (r * 10 + v) % 97;
    }
    if (r === 1 && ibanValid(compact.slice(0, n))) return n; // confirmed by the reference check
  }
  return 0;
}

// IPv6 candidates: what `/[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{2,45}/g` would match, found from the colons with indexOf
// (a regex tried at every hex digit costs more than the whole detector): a match holds exactly one colon with at
// least two of [0-9A-Fa-f:.] after it, starts at most 4 hex digits before that colon (never before the end of the
// previous match) and runs greedily for up to 45 characters after it. Each candidate is checked by node:net.
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isV6Char(c: number): boolean {
  return isHex(c) || c === 58 || c === 46;
}
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export const ipv6: Detector = (text, out, ctx) => {
  if (ctx.words === undefined && text.length <= SMALL) return ipv6ByIndexOf(text, out);
  const n = text.length;
  // The colons, in order, from the word pass's list of `:`, `=` and `@`; the text read by code unit.
  const w = wordPass(text, ctx);
  const cu = codeUnits(text, ctx);
  let from = 0; // where the regex would resume: the end of the previous candidate
  for (let k = 0; k < w.nSign; k++) {
    const colon = w.signAt[k];
    if (colon < from || cu[colon] !== 58) continue; // an `=` or `@`, or inside the previous candidate
    if (colon + 2 >= n || !isV6Char(cu[colon + 1]) || !isV6Char(cu[colon + 2])) continue;
    let start = colon;
    while (start > from && colon - start < 4 && isHex(cu[start - 1])) start--;
    let end = colon + 1;
    while (end < n && end - colon - 1 < 45 && isV6Char(cu[end])) end++;
    from = end; // the next candidate's colon is at or after `end`
    if (start > 0) {
      const p = cu[start - 1];
      if (isAlnum(p) || p === 58) continue;
    }
    if (end < n && isAlnum(cu[end])) continue;
    ipv6Candidate(text, start, end, out);
  }
};

/** The IPv6 detector without the word pass (a small value): each colon by indexOf. */
export function ipv6ByIndexOf(text: string, out: Finding[]): void {
  const n = text.length;
  let from = 0; // where the regex would resume: the end of the previous candidate
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', colon + 1)) {
    if (colon + 2 >= n || !isV6Char(text.charCodeAt(colon + 1)) || !isV6Char(text.charCodeAt(colon + 2))) continue;
    let start = colon;
    while (start > from && colon - start < 4 && isHex(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < n && end - colon - 1 < 45 && isV6Char(text.charCodeAt(end))) end++;
    from = end;
    colon = end - 1; // the next candidate's colon is at or after `end`
    if (start > 0) {
      const p = text.charCodeAt(start - 1);
      if (isAlnum(p) || p === 58) continue;
    }
    if (end < n && isAlnum(text.charCodeAt(end))) continue;
    ipv6Candidate(text, start, end, out);
  }
}

/** The candidate [start, end), trimmed, checked as an address (node:net). */
function ipv6Candidate(text: string, start: number, end: number, out: Finding[]): void {
  let s = text.slice(start, end);
  while (s.endsWith('.') || (s.endsWith(':') && !s.endsWith('::'))) s = s.slice(0, -1);
  if ((s.match(/:/g)?.length ?? 0) < 2 || !/[0-9a-f]{1,4}:.*[0-9a-f]/i.test(s)) return;
  // Clock times (10:22:33) are not addresses: require a hex letter, a `::`, or more than three groups.
  if (!/::|[a-f]/i.test(s) && s.split(':').length <= 3) return;
  if (s === '::1' || s === '::') return; // loopback and unspecified: no host
  if (isIPv6(s)) out.push({ type: 'IP_ADDRESS', start, end: start + s.length, confidence: 0.9, detector: 'ipv6' });
}

/**
 * A valid IPv4 address that identifies no host: loopback (127.0.0.0/8), the unspecified `0.0.0.0`, and netmasks
 * (`255.255.255.0`, `255.255.240.0`, `255.255.255.255`: a first part of 255, then contiguous one bits). Left in clear.
 */
export function ipv4Harmless(run: string): boolean {
  const p = run.split('.');
  // Read as numbers: zero-padded `127.000.000.001` and `000.000.000.000` too.
  if (+p[0] === 127 || (+p[0] === 0 && +p[1] === 0 && +p[2] === 0 && +p[3] === 0)) return true;
  if (+p[0] !== 255) return false;
  const v = ((+p[0] << 24) | (+p[1] << 16) | (+p[2] << 8) | +p[3]) >>> 0;
  const inv = ~v >>> 0; // the host bits: all ones below the mask
  return (inv & (inv + 1)) === 0;
}

/**
 * IPv4 check used by the number scanner: four dotted parts 0–255, not a version string. Zero-padded addresses
 * (`192.168.001.010`, every part three digits, as some devices and logs print them) are addresses too; other leading
 * zeros (`10.01.2.3`) are an address written loosely, with less confidence.
 */
export function ipv4Confidence(text: string, start: number, run: string): number {
  if (!IPV4.test(run)) return 0;
  // Each part 0-255 (read by code unit: no split); leading zeros noted.
  let padded = true, zero = false;
  for (let k = 0; k < run.length; ) {
    let e = k, v = 0;
    while (e < run.length && run.charCodeAt(e) !== 46) v = v * 10 + run.charCodeAt(e++) - 48;
    if (v > 255) return 0;
    if (e - k > 1 && run.charCodeAt(k) === 48) zero = true;
    if (e - k !== 3) padded = false;
    k = e + 1;
  }
  // A version before it: read in any case on ASCII text (the same as on its lower case, without lower-casing a
  // slice of a two-byte text); other text is lower-cased as `before` does.
  const b = text.slice(Math.max(0, start - 12), start);
  let ascii = true;
  for (let k = 0; k < b.length && ascii; k++) if (b.charCodeAt(k) >= 128) ascii = false;
  if (ascii ? VERSION_ANY_CASE.test(b) : VERSION.test(b.toLowerCase())) return 0;
  return zero && !padded ? 0.7 : 0.9;
}
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const VERSION = /v$|version\s*:?\s*$|ver\.?\s*$/;
const VERSION_ANY_CASE = new RegExp(VERSION.source, 'i');
