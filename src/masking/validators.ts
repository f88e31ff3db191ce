/**
 * Checksums and shape checks that turn a candidate into a finding. Pure functions, linear in their input.
 *
 * @example
 * luhn('4111111111111111') // true
 */

/** Luhn (mod 10) over the digits of `digits` (only digits expected). */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Card issuer from the IIN ranges of the networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
export function cardIssuer(d: string): string | undefined {
  const n = d.length;
  const p2 = +d.slice(0, 2), p3 = +d.slice(0, 3), p4 = +d.slice(0, 4), p6 = +d.slice(0, 6);
  if (d[0] === '4' && (n === 13 || n === 16 || n === 19)) return 'visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return 'mastercard';
  if ((p2 === 34 || p2 === 37) && n === 15) return 'amex';
  if ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) && n >= 16 && n <= 19) return 'discover';
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'jcb';
  if ((p2 === 36 || p2 === 38 || p2 === 39 || (p3 >= 300 && p3 <= 305)) && n >= 14 && n <= 19) return 'diners';
  if (p2 === 62 && n >= 16 && n <= 19) return 'unionpay';
  if ((p4 === 2131 || p4 === 1800) && n === 15) return 'jcb';
  if ((p2 === 50 || (p2 >= 56 && p2 <= 69)) && n >= 12 && n <= 19) return 'maestro';
  return undefined;
}

/** ISO 13616 IBAN check: country letters, check digits, mod 97 == 1 over the rearranged value. `s`: A-Z0-9 only. */
export function ibanValid(s: string): boolean {
  if (s.length < 15 || s.length > 34 || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false;
  const r = s.slice(4) + s.slice(0, 4);
  let m = 0;
  for (let i = 0; i < r.length; i++) {
    const c = r.charCodeAt(i);
    const v = c >= 65 ? c - 55 : c - 48;
    m = v >= 10 ? (m * 100 + v) % 97 : (m * 10 + v) % 97;
  }
  return m === 1;
}

/** US SSN ranges: area not 000, 666 or 9xx; group not 00; serial not 0000. `d`: 9 digits. */
export function ssnIssuable(d: string): boolean {
  if (!/^\d{9}$/.test(d)) return false;
  const area = d.slice(0, 3), group = d.slice(3, 5), serial = d.slice(5);
  return !(area === '000' || area === '666' || area[0] === '9' || group === '00' || serial === '0000');
}

/**
 * An SSN in an issued range that is not a well-known sample (078-05-1120, 219-09-9999, 123-45-6789) or all one
 * digit: what an SSN-shaped number without SSN context must be to count as one. Under an SSN cue or field,
 * `ssnIssuable` is enough (test and fixture data are full of the samples, and a value labelled SSN is masked).
 */
export function ssnValid(d: string): boolean {
  if (!ssnIssuable(d)) return false;
  // Advertised sample numbers and all-same digits are not real people.
  if (d === '078051120' || d === '219099999' || /^(\d)\1{8}$/.test(d) || d === '123456789') return false;
  return true;
}

/** ISBN-10 / ISBN-13 checksum over the digits (X allowed as the last ISBN-10 character). */
export function isbnValid(s: string): boolean {
  if (s.length === 13 && /^97[89]\d{10}$/.test(s)) {
    let sum = 0;
    for (let i = 0; i < 13; i++) sum += (s.charCodeAt(i) - 48) * (i % 2 ? 3 : 1);
    return sum % 10 === 0;
  }
  if (s.length === 10 && /^\d{9}[\dX]$/.test(s)) {
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += (s[i] === 'X' ? 10 : s.charCodeAt(i) - 48) * (10 - i);
    return sum % 11 === 0;
  }
  return false;
}

let crcTable: Uint32Array | undefined;
/** CRC-32 (IEEE), as GitHub uses for the checksum of its tokens. */
export function crc32(s: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < s.length; i++) crc = crcTable[(crc ^ s.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(n: number, width: number): string {
  let out = '';
  while (n > 0) {
    out = B62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}

/** GitHub token (ghp_, gho_, ghu_, ghs_, ghr_ + 30 random + 6 base62 CRC32 of the random part). */
export function githubTokenValid(tok: string): boolean {
  const m = /^gh[pousr]_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$/.exec(tok);
  return !!m && base62(crc32(m[1]), 6) === m[2];
}

/** Make a GitHub-format token with a valid checksum (for tests and the benchmark corpus). */
export function githubTokenFor(prefix: string, random30: string): string {
  return `${prefix}_${random30}${base62(crc32(random30), 6)}`;
}

/** JWT: three base64url parts, and the first decodes to a JSON object with `alg`. */
export function jwtValid(tok: string): boolean {
  const parts = tok.split('.');
  if (parts.length !== 3 || parts[0].length < 10 || parts[1].length < 2) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  // Counts per character, summed in order of first occurrence (the order a Map of the characters iterates in, so
  // the floating-point sum is the same); strings with characters beyond ASCII take the Map.
  const n = s.length;
  if (n <= 4096) {
    // Counted in one pass; a character beyond ASCII stops it (the counts are wiped) for the Map below.
    let k = 0, i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) break;
      if (asciiCounts[c]++ === 0) asciiOrder[k++] = c;
    }
    if (i < n) {
      asciiCounts.fill(0);
      asciiOrder.fill(0, 0, k);
      return entropyOfCodePoints(s);
    }
    // Each term depends on the count alone: worked out once per count (most characters of a random string share
    // a count of 1 or 2), the same value added in the same order.
    let h = 0;
    termGen++;
    for (let j = 0; j < k; j++) {
      const c = asciiCounts[asciiOrder[j]];
      if (termOf[c] !== termGen) {
        const p = c / n;
        terms[c] = p * Math.log2(p);
        termOf[c] = termGen;
      }
      h -= terms[c];
    }
    // Wiped before returning: the counts and order describe the (secret) value.
    asciiCounts.fill(0);
    asciiOrder.fill(0, 0, k);
    return h;
  }
  return entropyOfCodePoints(s);
}

/** entropy() by a Map of the code points (text beyond ASCII, or longer than 4096). */
function entropyOfCodePoints(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}
const asciiCounts = new Int32Array(128);
const asciiOrder = new Uint8Array(128);
// The term of each count in the current call (termOf[c] === termGen); counts go up to 4096, the ASCII path's limit.
const terms = new Float64Array(4097);
const termOf = new Int32Array(4097);
let termGen = 0;

/** Shapes that look random but are identifiers, not secrets: UUIDs, hex digests, git SHAs. */
export function isIdentifierShape(s: string): boolean {
  // The length (or first letter) each shape needs is checked before its pattern: most values have none of them.
  const n = s.length;
  if (n === 36 && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)) return true;
  if (HEX_LENGTHS.has(n) && /^[0-9a-f]+$/.test(s)) return true;
  if ((n === 32 || n === 40 || n === 64) && /^[0-9A-F]+$/.test(s)) return true;
  const c = s.charCodeAt(0) | 32;
  return (c === 115 || c === 109) && /^(sha(1|256|384|512)|md5)[:-]/i.test(s); // s, m
}
const HEX_LENGTHS = new Set([7, 8, 12, 32, 40, 56, 64, 96, 128]);

/**
 * Does base64 text start with an encoded PEM private key header (`-----BEGIN … PRIVATE KEY-----`, PGP's `… PRIVATE
 * KEY BLOCK-----` too)? Only the first 96 characters are decoded. Certificates and public keys answer false.
 *
 * @example
 * pemPrivateKeyBase64(Buffer.from('-----BEGIN RSA PRIVATE KEY-----\nMII').toString('base64')) // true
 */
export function pemPrivateKeyBase64(b64: string): boolean {
  const head = Buffer.from(b64.slice(0, 96), 'base64').toString('latin1');
  return /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/.test(head);
}
