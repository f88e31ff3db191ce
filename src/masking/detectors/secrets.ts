import type { Finding } from '../../core/masking.js';
import { entropy, isIdentifierShape, pemPrivateKeyBase64 } from '../validators.js';
import { KEYWORD_SRC } from '../cues.js';
import { wordPass, MAY_ASSIGN } from '../words.js';
import type { Detector, ScanContext } from '../types.js';
import { charClass, codeUnits, SPACE } from '../chars.js';

// Token characters [0-9A-Za-z_-] (a name takes `.` too).
function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

/** PEM private key blocks; an unterminated block runs to the end of the text (a truncated key is still a key). */
export const pemBlocks: Detector = (text, out, ctx) => {
  // Each `-----BEGIN ` at or after `from`, from the word pass (it lists them all, in order).
  const w = wordPass(text, ctx);
  let from = 0;
  for (let k = 0; k < w.nPem; k++) {
    const start = w.pemAt[k];
    if (start < from) continue;
    const headEnd = text.indexOf('-----', start + 11);
    if (headEnd < 0 || headEnd - start > 80) {
      from = start + 11;
      continue;
    }
    const label = text.slice(start + 11, headEnd);
    if (!/PRIVATE KEY/.test(label)) {
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
};

const SECRET_NAME = /pass(?:word|wd|phrase)?|pwd|(?:^|_)pw(?:_|$)|secret|token|api_?key|access_?key|private_?key|credential|auth|session|signature|cookie|(?:account|shared_?access|encryption|master|signing|hmac|client|tls|ssl|app|license)_?key(?:_data)?(?:_|$)/i;
const PASSWORD_NAME = /pass(?:word|wd|phrase)?$|pwd$|(?:^|_)pw(?:_|$)|^pass|password/i;
const NOT_SECRET_NAME = /(?:_at|_in|_type|_url|_uri|_path|_file|_id_hint|expires?|author|authority|length|count|policy|hint|reset|_name|required|_field|max_|min_|_description|_desc|_title|_label|_question|_prompt|_message|_help|_format|_provider|_endpoint|_header|_enabled|_status|_mode|_version)$|^(?:author|authority|authors)$/i;
export const PLACEHOLDER = /^(?:\*+|x+|null|none|nil|undefined|true|false|changeme|<[^>]*>|\$\{[^}]*\}?|\$[A-Z_]+|%[A-Z_]+%|\{\{[^}]*\}\}|redacted|\[[A-Z_]+(?::[^\]]*)?\]|\.\.\.)$/i;
// A name that says secret outright (a token, a secret, a password, an API or signing key, a signature: a presigned
// URL's X-Amz-Signature): its value is masked even when it is a hex digest, a UUID or a passphrase with spaces. Not
// auth, session or cookie alone.
const STRONG_NAME = /pass|pwd|secret|token|api_?key|access_?key|private_?key|credential|signature|_?key(?:_data)?(?:_|$)/;
// The last word of a name that holds an identifier or a digest of something, not the secret itself: a hex value
// under `api_key_id`, `token_hash`, `session_id`, `secret_sha256` stays.
const ID_NAME = /(?:^|_)(?:id|ids|uuid|guid|hash|hashes|sha|sha1|sha256|sha512|md5|digest|checksum|etag|fingerprint|nonce)$/;
// Opaque pagination cursors handed back to an API for the next page, no credential: S3 ListObjectsV2's
// `ContinuationToken` / `NextContinuationToken`, AWS's `NextToken` / `nextToken`, Google's `nextPageToken` /
// `pageToken` (and `next_page_token`). Only these names: any other name with token in it is a secret as before.
const PAGINATION_NAME = /^(?:(?:next_)?continuation_token|next_token|(?:next_)?page_token)$/;
// `Authorization`, `Proxy-Authorization`, `HTTP_AUTHORIZATION`: the value is a scheme and a credential.
const AUTH_HEADER_NAME = /(?:^|_)authori[sz]ation$/;

/** What a secret-looking name says about its value. */
export interface SecretField {
  /** The finding type of the value: PASSWORD, AWS_SECRET_KEY or SECRET. */
  type: string;
  /** The name says secret outright (`*_TOKEN`, `*_SECRET`, `*_API_KEY`, `*_PASSWORD`): hex digests, UUIDs and
   * passphrases with spaces under it are secrets too. */
  strong: boolean;
  /** An Authorization header: `<scheme> <credential>`, the scheme kept. */
  auth: boolean;
  /** A Cookie or Set-Cookie header: `name=value; …` pairs, only the values that look secret masked (cookieValue). */
  cookie: boolean;
}
// One object per kind (they are compared and read, never changed).
const KINDS: Record<string, SecretField> = {};
for (const type of ['PASSWORD', 'AWS_SECRET_KEY', 'SECRET']) {
  for (const strong of [false, true]) for (const auth of [false, true]) KINDS[`${type}:${strong}:${auth}`] = { type, strong, auth, cookie: false };
}
const fieldKind = (type: string, strong: boolean, auth: boolean): SecretField => KINDS[`${type}:${strong}:${auth}`];
const COOKIE_FIELD: SecretField = { type: 'SECRET', strong: false, auth: false, cookie: true };
// `Cookie`, `Set-Cookie`, `HTTP_COOKIE`, `cookies`, `cookie_header`: the value is a list of cookies.
const COOKIE_HEADER_NAME = /(?:^|_)cookies?(?:_header)?$/;

// Names seen in the text being scanned (the same few, DB_PASSWORD, client_secret, repeat through a config or a log),
// with what they say; emptied after each scan (`forgetNames`), so no name outlives the text it came from.
const NO_FIELD = { type: '', strong: false, auth: false, cookie: false } as SecretField;
const seenNames = new Map<string, SecretField>();
/** secretField, remembered for the duration of one scan. */
function secretFieldOf(name: string): SecretField | undefined {
  let f = seenNames.get(name);
  if (f === undefined) {
    if (seenNames.size >= 4096) seenNames.clear();
    seenNames.set(name, (f = secretField(name) ?? NO_FIELD));
  }
  return f === NO_FIELD ? undefined : f;
}
/** Forget the names of the text just scanned. */
export function forgetNames(): void {
  if (seenNames.size) seenNames.clear();
}

/** Is `name` (a JSON key, column, env var, header) one that holds a secret? What it says about the value. */
export function secretField(name: string): SecretField | undefined {
  // `author`, `authority`, `authored` are not auth (certificate-authority-data is a public CA certificate).
  const n = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[-. ]/g, '_').replace(/author(?!i[sz])/g, 'writer');
  if (!SECRET_NAME.test(n) || NOT_SECRET_NAME.test(n) || PAGINATION_NAME.test(n)) return undefined;
  if (/aws.*secret|secret_access_key/.test(n)) return fieldKind('AWS_SECRET_KEY', true, false);
  if (PASSWORD_NAME.test(n)) return fieldKind('PASSWORD', true, false);
  if (/^(?:key|keys|keyword|keywords|keyboard|monkey|turkey|hockey|jockey|tokens|session|auth)$/.test(n)) return undefined;
  if (AUTH_HEADER_NAME.test(n)) return fieldKind('SECRET', false, true);
  if (COOKIE_HEADER_NAME.test(n)) return COOKIE_FIELD;
  return fieldKind('SECRET', STRONG_NAME.test(n) && !ID_NAME.test(n), false);
}

/** The finding type of a value under `name`, or undefined when the name does not say secret. */
export function secretFieldType(name: string): string | undefined {
  return secretField(name)?.type;
}

const CALL_OPENING = /^[A-Za-z_][\w.]*\($/;
const GLUED_LABEL = /^\[[A-Z][A-Z0-9_]*(?::[^\]\s]*)?$/;

/**
 * Is `value` (assigned to a secret-looking name) worth masking? Passwords: anything real; other secrets: entropy.
 * Under a strong name (`strong`, see SecretField), hex digests, UUIDs and phrases with spaces count too.
 */
export function secretValueConfidence(type: string, value: string, strong = false): number {
  if (value.length < 4 || PLACEHOLDER.test(value)) return 0;
  // A function call's opening, its argument quoted after it (`SET PASSWORD = PASSWORD('…')`, `key = getenv("KEY")`):
  // code, not the value (a quoted password is found on its own).
  if (value.charCodeAt(value.length - 1) === 40 && CALL_OPENING.test(value)) return 0;
  if (type === 'PASSWORD') return 0.9;
  if (type === 'AWS_SECRET_KEY') return /^[A-Za-z0-9/+]{40}$/.test(value) ? 0.97 : 0.7;
  if (value.startsWith('LS0tLS1CRUdJTi') && !pemPrivateKeyBase64(value)) return 0; // a base64 certificate: public
  const identifier = isIdentifierShape(value);
  // One pass for the shapes below (by code unit; white space as `\s`): digits only, ASCII letters only, white space,
  // and white space between two other characters (`\S\s+\S`).
  let digits = true, letters = true, space = false, inner = false, other = false, gap = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) digits = false;
    if (!isLetter(c)) letters = false;
    if (isSpace(c)) {
      space = true;
      if (other) gap = true; // white space after another character
    } else {
      if (gap) inner = true;
      other = true;
    }
  }
  if (strong) {
    // Twilio auth tokens, Datadog and Mailgun keys are 32 hex digits; Heroku API keys are UUIDs.
    if (value.length >= 16 && identifier) return 0.85;
    // A quoted passphrase: two words or more.
    if (value.length >= 8 && inner) return 0.85;
  }
  if (identifier || value.length < 8) return 0;
  if (digits || letters || space) return 0;
  return entropy(value) >= 3 ? 0.85 : 0;
}

function nameStart(text: string, i: number): number {
  let s = i;
  while (s > 0 && s > i - 64) {
    const c = text.charCodeAt(s - 1);
    if (isTokenChar(c) || c === 46) s--;
    else break;
  }
  return s;
}
function nameEnd(text: string, i: number): number {
  let e = i;
  while (e < text.length && e < i + 64) {
    const c = text.charCodeAt(e);
    if (isTokenChar(c) || c === 46) e++;
    else break;
  }
  return e;
}

// After the name: optional closing quote, then `=`, `:`, `=>`, `:=` or ` is `, then an optional opening quote.
export const ASSIGN = /^["']?\s{0,8}(?::=|=>|[=:]|\s(?:is|was|was set to)\s*:?)\s{0,8}(["'`]?)/i;
export const isSpace = (c: number) => (charClass(c) & SPACE) !== 0;
/**
 * Can ASSIGN match at `p`? What it needs, read by code unit: after an optional quote, at most 8 white-space
 * characters then `:` or `=`, or 1 to 9 of them then `i` or `w` (is, was). Most keyword hits (a word in prose, a
 * name in a list) fail here, without a slice and a pattern.
 */
export function mayAssign(text: string, p: number): boolean {
  const q = text.charCodeAt(p);
  if (q === 34 || q === 39) p++;
  let r = 0;
  while (r < 10 && isSpace(text.charCodeAt(p + r))) r++;
  const c = text.charCodeAt(p + r);
  if (r <= 8 && (c === 58 || c === 61)) return true;
  return r >= 1 && r <= 9 && ((c | 32) === 105 || (c | 32) === 119);
}
// What ends an unquoted value: white space or one of ; , " ' < > ) } ] (the class [\s;,"'<>)}\]]). An `&` ends it
// only in a query string (see ampersandEnds).
const VALUE_STOP = new Uint8Array(128);
for (const ch of ';,"\'<>)}]') VALUE_STOP[ch.charCodeAt(0)] = 1;
export const isValueStop = (c: number) => (c < 128 ? VALUE_STOP[c] === 1 || isSpace(c) : isSpace(c));
export const isLineEnd = (c: number) => c === 10 || c === 13;
export const isLetter = (c: number) => ((c | 32) - 97) >>> 0 < 26;

/**
 * Does the `&` at `i` end a value? In a query string or a form body it does: the name came right after `?` or `&`,
 * or the `&` is followed by the next parameter (`&next=`). Elsewhere (`password: Tr0ub4dor&3`) it is part of it.
 */
function ampersandEnds(text: string, i: number, inQuery: boolean): boolean {
  if (inQuery) return true;
  let j = i + 1;
  if (!isLetter(text.charCodeAt(j)) && text.charCodeAt(j) !== 95) return false;
  while (j < i + 64 && (isNameChar(text.charCodeAt(j)) || text.charCodeAt(j) === 91 || text.charCodeAt(j) === 93)) j++;
  return text.charCodeAt(j) === 61;
}

/**
 * Does another field start at `j` (after white space): a name, then `:` or `=` (`user: bob password: x host: y`)?
 * Ends a password value that otherwise runs to the end of its line.
 */
function fieldStartsAt(text: string, j: number): boolean {
  if (!isLetter(text.charCodeAt(j)) && text.charCodeAt(j) !== 95) return false;
  const e = nameEnd(text, j);
  const c = text.charCodeAt(e), d = text.charCodeAt(e + 1);
  return c === 61 || (c === 58 && (isSpace(d) || d !== d)) || (c === 32 && (d === 61 || d === 58));
}

/**
 * Where an unquoted value starting at `vs` ends. `colonLine`: a password after `name:` (YAML, headers, "Password:
 * Summer 2024!"), which runs to the end of the line (or the quote the name was opened with, or the next `name:` /
 * `name=` field on the line), trailing spaces left out. Otherwise one token: up to white space or ; , " ' < > ) } ],
 * and `&` only in a query string. Either ends at a literal `\n`, `\t`, `\r` escape too, unless `escapes` is false.
 */
function unquotedEnd(text: string, ns: number, vs: number, limit: number, colonLine: boolean, escapes = true): number {
  const before = ns > 0 ? text.charCodeAt(ns - 1) : 0;
  if (colonLine) {
    // A placeholder first (`password: ******** and …`, `password: ${DB_PASS}`): that token alone is the value.
    let t = vs;
    while (t < limit && !isSpace(text.charCodeAt(t))) t++;
    if (PLACEHOLDER.test(text.slice(vs, t))) return t;
    const openQuote = before === 34 || before === 39 || before === 96 ? before : -1;
    let ve = vs, last = vs;
    while (ve < limit) {
      const c = text.charCodeAt(ve);
      if (isLineEnd(c) || c === openQuote || c === 60 || (c === 92 && escapes && escapeAt(text, ve) > 0)) break;
      if (isSpace(c) || c === 44 || c === 59) {
        // White space, or `,` `;` and white space, before another `name:` field ends the value.
        let j = ve + 1;
        while (j < limit && text.charCodeAt(j) === 32) j++;
        const separated = isSpace(c) || j > ve + 1;
        if (separated && fieldStartsAt(text, j)) break;
      } else last = ve + 1;
      ve++;
    }
    return last;
  }
  const inQuery = before === 63 || before === 38;
  let ve = vs;
  // A value that starts with a label the engine wrote and goes on (`[PASSWORD]Xk29…`): the label's `]` is no end.
  if (text.charCodeAt(vs) === 91) {
    const close = text.indexOf(']', vs);
    if (close > vs && close - vs <= 64 && close + 1 < limit && !isValueStop(text.charCodeAt(close + 1)) && GLUED_LABEL.test(text.slice(vs, close))) ve = close + 1;
  }
  while (ve < limit) {
    const c = text.charCodeAt(ve);
    if (isValueStop(c) || (c === 38 && ampersandEnds(text, ve, inQuery)) || (c === 92 && escapes && escapeAt(text, ve) > 0)) break;
    ve++;
  }
  return ve;
}

const AUTH_SCHEME = /^[A-Za-z][A-Za-z0-9._~+/-]*$/;
const AUTH_PLACEHOLDER = /^(?:\{[A-Za-z_][\w.]*\}|%[sv]|#\{[^}]*\})$/;
/**
 * An Authorization header value in [vs, end): `<scheme> <credential>` (Bearer, Basic, token, Digest, AWS4-HMAC-SHA256
 * …) or a bare credential. The credential is masked, the scheme kept: SECRET, or PASSWORD for Basic credentials that
 * decode to `user:password`. A token68 credential (Bearer, Basic) is one token; one with auth parameters (Digest
 * `username="…", response="…"`, AWS `Credential=…, Signature=…`) runs to the end of the value.
 */
function authValue(text: string, out: Finding[], vs: number, end: number): void {
  let p = vs;
  while (p < end && isSpace(text.charCodeAt(p))) p++;
  let q = p;
  while (q < end && !isSpace(text.charCodeAt(q))) q++;
  let r = q;
  while (r < end && isSpace(text.charCodeAt(r))) r++;
  let scheme = '';
  let cs = p; // the credential's start
  if (r < end && q > p && AUTH_SCHEME.test(text.slice(p, q))) {
    scheme = text.slice(p, q).toLowerCase();
    cs = r;
  }
  let ce = cs;
  while (ce < end && !isSpace(text.charCodeAt(ce))) ce++;
  const tok = text.slice(cs, ce);
  // Auth parameters (`k=v`, `k="v"`, a trailing comma): the rest of the value is the credential.
  if (/=[^=]|,$/.test(tok)) {
    ce = end;
    while (ce > cs && isSpace(text.charCodeAt(ce - 1))) ce--;
  } else {
    while (ce > cs && (text.charCodeAt(ce - 1) === 44 || text.charCodeAt(ce - 1) === 59)) ce--;
  }
  // An Azure Service Bus / Event Hubs / IoT Hub token (`SharedAccessSignature sr=…&sig=…&se=…&skn=…`): the signature
  // is the secret; the resource, expiry and key name are kept. Without a `sig=` the whole credential is masked.
  if (scheme === 'sharedaccesssignature' && sasSignatureIn(text, out, cs, ce)) return;
  const cred = text.slice(cs, ce);
  // Too short, a placeholder, a word of prose (`Bearer header`), a scheme with nothing after it (`'Bearer ' + token`).
  if (cred.length < 6 || PLACEHOLDER.test(cred) || AUTH_PLACEHOLDER.test(cred) || (/^[a-z]+$/.test(cred) && cred.length < 16) || (!scheme && /^[A-Za-z]+$/.test(cred) && cred.length < 16)) return;
  let type = 'SECRET';
  if (scheme === 'basic' && /^[A-Za-z0-9+/]+=*$/.test(cred)) {
    // Wiped buffers are not needed here: the decoded string is compared, never kept.
    if (Buffer.from(cred, 'base64').toString('latin1').includes(':')) type = 'PASSWORD';
  }
  out.push({ type, start: cs, end: ce, confidence: 0.9, detector: 'secret-assignment' });
}

/**
 * The `sig=` parameter of a SharedAccessSignature credential in [cs, ce) (after its start, `&` or `;`): its value, up to
 * the next `&`, `;`, white space or quote, recorded as SECRET if 20 characters or more. Whether one was.
 */
function sasSignatureIn(text: string, out: Finding[], cs: number, ce: number): boolean {
  for (let i = text.indexOf('sig=', cs); i >= 0 && i + 4 <= ce; i = text.indexOf('sig=', i + 4)) {
    const p = text.charCodeAt(i - 1);
    if (i > cs && p !== 38 && p !== 59) continue;
    let e = i + 4;
    while (e < ce) {
      const c = text.charCodeAt(e);
      if (c === 38 || c === 59 || c === 34 || c === 39 || isSpace(c)) break;
      e++;
    }
    if (e - i - 4 < 20) return false;
    out.push({ type: 'SECRET', start: i + 4, end: e, confidence: 0.9, detector: 'secret-assignment' });
    return true;
  }
  return false;
}

// Set-Cookie attributes: no secret, whatever they hold.
const COOKIE_ATTRIBUTE = /^(?:path|domain|expires|max-age|samesite|secure|httponly|priority|partitioned|version|comment)$/i;
// Cookie names that say session or credential beyond what secretField reads: PHPSESSID, JSESSIONID, connect.sid,
// sid, _gh_sess, csrftoken, XSRF-TOKEN, remember_web_…, jwt.
const SESSION_COOKIE = /sess|(?:^|[_.-])sid$|^sid|csrf|xsrf|jwt|remember/i;
/**
 * A Cookie or Set-Cookie header value in [vs, end): `name=value` pairs split by `;`. The names (and Set-Cookie's
 * attributes) are kept; a value is masked when its name says secret (secretField: `sessionid`, `auth_token`,
 * `password`, by that name's rules; or a session cookie name: PHPSESSID, sid, csrftoken, with the rules of a name
 * that says secret outright) or, under any other name, when it looks random (letters and digits, and
 * secretValueConfidence: 8+ characters of mixed kinds, entropy ≥ 3 bits). `theme=dark; lang=en-US; tz=Europe/Berlin`
 * stay.
 */
function cookieValue(text: string, out: Finding[], vs: number, end: number): void {
  let p = vs;
  while (p < end) {
    let q = p;
    while (q < end && text.charCodeAt(q) !== 59) q++; // ;
    // One pair [p, q): name, `=`, value (trimmed, quotes taken off); a pair without `=` is a value alone (or a flag).
    let ns = p;
    while (ns < q && isSpace(text.charCodeAt(ns))) ns++;
    const eq = text.indexOf('=', ns);
    let name = '', s = ns;
    if (eq >= 0 && eq < q) {
      name = text.slice(ns, eq).trim();
      s = eq + 1;
    }
    let e = q;
    while (s < e && isSpace(text.charCodeAt(s))) s++;
    while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
    if (e - s >= 2 && text.charCodeAt(s) === 34 && text.charCodeAt(e - 1) === 34) s++, e--;
    if (e > s && !COOKIE_ATTRIBUTE.test(name)) {
      const value = text.slice(s, e);
      // secretField, not secretFieldOf: a header under a field is read outside the assignment scan, whose end
      // forgets the names it remembered.
      const named = name === '' ? undefined : secretField(name);
      const type = named && !named.cookie ? named.type : 'SECRET';
      const session = SESSION_COOKIE.test(name);
      // Under another name, random-looking means with letters and digits too (`tz=Europe/Berlin` is no token).
      const confidence = named && !named.cookie
        ? secretValueConfidence(named.type, value, named.strong || session) // JSESSIONID: 32 hex digits
        : session || (/\d/.test(value) && /[A-Za-z]/.test(value)) ? secretValueConfidence('SECRET', value, session) : 0;
      if (confidence > 0) out.push({ type, start: s, end: e, confidence, detector: 'secret-assignment' });
    }
    p = q + 1;
  }
}

/**
 * Does a list of cookies start at `vs` (`name=value`: a token's characters, then `=`)? A dict or JSON after
 * `cookies:` (`{'sessionid': …}`) is not one: it is read as any secret's value, whole.
 */
function cookieList(text: string, vs: number, limit: number): boolean {
  let i = vs;
  while (i < limit && i - vs <= 256 && COOKIE_NAME_CHAR.test(text[i]!)) i++;
  return i > vs && text.charCodeAt(i) === 61;
}
const COOKIE_NAME_CHAR = /[A-Za-z0-9!#$%&*+.^_`|~-]/;

/**
 * Where a value opened right at `vs` ends for an Authorization or Cookie header: its closing quote, or the end of the
 * line (a `\r` or `\n` escape too: headers in JSON-escaped text read as plain text).
 */
function authEnd(text: string, ns: number, vs: number, quote: string, limit: number): number {
  const before = ns > 0 ? text.charCodeAt(ns - 1) : 0;
  const q = quote ? quote.charCodeAt(0) : before === 34 || before === 39 ? before : -1;
  let e = vs;
  while (e < limit) {
    const c = text.charCodeAt(e);
    if (isLineEnd(c) || c === q) break;
    if (c === 92 && (text.charCodeAt(e + 1) === 110 || text.charCodeAt(e + 1) === 114)) break;
    e++;
  }
  return e;
}

const isHexCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/**
 * Where a name starting at `ns` goes on after a literal escape it starts inside: after the `n`, `t` or `r` of a `\n`,
 * `\t`, `\r` escape (JSON-escaped text read as plain text), after the two digits of a `%XX` escape; -1 when it does
 * not start inside one (the name walk stops at the `\` or `%`).
 */
function escapedNameRest(text: string, ns: number): number {
  if (ns === 0) return -1;
  const p = text.charCodeAt(ns - 1), c = text.charCodeAt(ns);
  if (p === 92) return c === 110 || c === 116 || c === 114 ? ns + 1 : -1;
  return p === 37 && isHexCode(c) && isHexCode(text.charCodeAt(ns + 1)) ? ns + 2 : -1;
}
/** The length of the `\n`, `\t` or `\r` escape at `i` (2), or 0. */
const escapeAt = (text: string, i: number) => {
  if (text.charCodeAt(i) !== 92) return 0;
  const c = text.charCodeAt(i + 1);
  return c === 110 || c === 116 || c === 114 ? 2 : 0;
};

/**
 * One keyword hit [kwStart, kwEnd) as the detector visits it: the name around it, the assignment after the name, the
 * value after that. Returns where the search for the next keyword resumes (past the name, or past the value).
 */
export function visitKeyword(text: string, out: Finding[], kwStart: number, kwEnd: number): number {
  const ns = nameStart(text, kwStart), ne = nameEnd(text, kwEnd);
  // Both must hold; the assignment (one anchored pattern) rules out most words first.
  if (!mayAssign(text, ne)) return ne;
  const a = ASSIGN.exec(text.slice(ne, ne + 40));
  if (!a) return ne;
  let field = secretFieldOf(text.slice(ns, ne));
  if (!field) {
    // A name that starts inside a literal escape (`…\tpw=`, `%20pw`): the name is what follows the escape.
    const rest = escapedNameRest(text, ns);
    if (rest < 0 || rest > kwStart) return ne;
    field = secretFieldOf(text.slice(rest, ne));
    if (!field) return ne;
  }
  // `scheme://oauth2:<token>@host`: the user of a URL, whose password the URL-credentials detector masks.
  if (ns >= 2 && text.charCodeAt(ns - 1) === 47 && text.charCodeAt(ns - 2) === 47) return ne;
  return Math.max(ne, assignedValue(text, out, ns, ne, a, field));
}

/**
 * The value assigned to the name [ns, ne) by the assignment `a` (ASSIGN's match right after the name), under a name
 * that says `field`: recorded if it is worth masking. Returns where the value ends.
 */
function assignedValue(text: string, out: Finding[], ns: number, ne: number, a: RegExpExecArray, field: SecretField): number {
  let vs = ne + a[0].length;
  const quote = a[1];
  const limit = Math.min(text.length, vs + 1024);
  if (field.auth) {
    const end = authEnd(text, ns, vs, quote, limit);
    authValue(text, out, vs, end);
    return end;
  }
  // A Cookie header (`Cookie: a=b; sid=…`, `"Set-Cookie": "…"`) to the end of its line or quote; after `=` (a query
  // parameter `cookie=…`) the value is one token, as any secret's.
  if (field.cookie && a[0].includes(':') && !a[0].includes('=') && cookieList(text, vs, limit)) {
    const end = authEnd(text, ns, vs, quote, limit);
    cookieValue(text, out, vs, end);
    return end;
  }
  let ve = vs;
  if (quote) {
    while (ve < limit && text[ve] !== quote && text[ve] !== '\n') ve++;
  } else {
    // Literal escapes between the sign and the value (`password:\n  Xk29…` in JSON-escaped text) separate them.
    if (text.charCodeAt(vs) === 92) {
      let p = vs;
      for (let k = escapeAt(text, p); k > 0 && p - vs < 32; k = escapeAt(text, p)) {
        p += k;
        while (p < limit && text.charCodeAt(p) === 32) p++;
      }
      vs = ve = p;
    }
    // `name: value` (a colon, not `:=`, and no is/was): a password runs to the end of its line.
    const colon = field.type === 'PASSWORD' && a[0].includes(':') && !a[0].includes(':=') && !/[a-z]/i.test(a[0]);
    ve = unquotedEnd(text, ns, vs, limit, colon);
    // Cut at an escape to nothing worth masking (`pw=ab\ncd…`): the escape may be the value's own characters, so the
    // value is read on over it, as it was (failing closed).
    if (escapeAt(text, ve) > 0 && secretValueConfidence(field.type, text.slice(vs, ve), field.strong) === 0) ve = unquotedEnd(text, ns, vs, limit, colon, false);
  }
  const value = text.slice(vs, ve);
  const confidence = secretValueConfidence(field.type, value, field.strong);
  if (confidence > 0) out.push({ type: field.type, start: vs, end: ve, confidence, detector: 'secret-assignment' });
  return ve;
}

const VALUE_LETTERS = lettersOfWord('value');
function lettersOfWord(w: string): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) m |= 1 << ((w.charCodeAt(i) | 32) - 97);
  return m;
}
const isQuote = (c: number) => c === 34 || c === 39;
/**
 * A name/value pair whose name is given in a field of its own: a Kubernetes or ECS env entry (`- name: DB_PASSWORD`
 * then `value: "…"` on the next line, `{"name": "DB_PASSWORD", "value": "…"}`), `Name=DB_PASSWORD,Value=…`. `vs`..`ve`
 * is the word `value` an assignment follows; the pair's name is read backwards from it (only separators — white space,
 * a comma, quotes — between them), then `name` or `key` and its assignment.
 */
function envPair(text: string, out: Finding[], vs: number, ve: number): void {
  let p = vs;
  if (p > 0 && isQuote(text.charCodeAt(p - 1))) p--;
  const stop = Math.max(0, p - 64);
  while (p > stop && (isSpace(text.charCodeAt(p - 1)) || text.charCodeAt(p - 1) === 44)) p--;
  if (p > 0 && isQuote(text.charCodeAt(p - 1))) p--;
  const xe = p;
  while (p > 0 && xe - p < 64 && isNameChar(text.charCodeAt(p - 1))) p--;
  const xs = p;
  if (xe - xs < 3) return;
  if (p > 0 && isQuote(text.charCodeAt(p - 1))) p--;
  while (p > 0 && text.charCodeAt(p - 1) === 32) p--;
  const sign = text.charCodeAt(p - 1);
  if (sign !== 58 && sign !== 61) return;
  p--;
  while (p > 0 && text.charCodeAt(p - 1) === 32) p--;
  if (p > 0 && isQuote(text.charCodeAt(p - 1))) p--;
  const ke = p;
  while (p > 0 && ke - p < 5 && isLetter(text.charCodeAt(p - 1))) p--;
  if (p > 0 && isNameChar(text.charCodeAt(p - 1))) return;
  const key = text.slice(p, ke).toLowerCase();
  if (key !== 'name' && key !== 'key') return;
  const field = secretFieldOf(text.slice(xs, xe));
  if (!field || field.auth) return;
  if (!mayAssign(text, ve)) return;
  const a = ASSIGN.exec(text.slice(ve, ve + 40));
  if (a && !/[a-z]/i.test(a[0])) assignedValue(text, out, vs, ve, a, field);
}

// Keyword hits inside one name (global, case-insensitive; restarted one character after each hit).
const KEYWORD_IN_NAME = new RegExp(KEYWORD_SRC, 'gi');
// Name characters (nameStart, nameEnd): [0-9A-Za-z_.-], by code unit.
const NAME_CHAR = new Uint8Array(65536);
for (let c = 0; c < 128; c++) if (isTokenChar(c) || c === 46) NAME_CHAR[c] = 1;
const isNameChar = (c: number) => NAME_CHAR[c] === 1;
// A bit per ASCII letter (either case), and the letters of each keyword: a name lacking every letter of each keyword
// holds none.
const LETTER_BIT = new Int32Array(128);
for (let c = 65; c <= 90; c++) LETTER_BIT[c] = LETTER_BIT[c + 32] = 1 << (c - 65);
const lettersOf = (w: string) => [...w].reduce((m, ch) => m | LETTER_BIT[ch.charCodeAt(0)], 0);
const [K0, K1, K2, K3, K4, K5, K6, K7, K8, K9] = KEYWORD_SRC.split('|').map(lettersOf);
if (KEYWORD_SRC.split('|').length !== 10) throw new Error('invariant: mayHoldKeyword checks exactly the 10 keywords of KEYWORD_SRC');
/** Does the letter set `m` (LETTER_BIT) hold every letter of some keyword? (Written out: most names fail all ten.) */
function mayHoldKeyword(m: number): boolean {
  return (m & K0) === K0 || (m & K1) === K1 || (m & K2) === K2 || (m & K3) === K3 || (m & K4) === K4 ||
    (m & K5) === K5 || (m & K6) === K6 || (m & K7) === K7 || (m & K8) === K8 || (m & K9) === K9;
}
/**
 * Where the name ends that an assignment sign at `x` (`:` or `=`; or the `i`/`w` of is/was, after 1 to 9 white-space
 * characters) would follow, as mayAssign reads it forwards: back over the white space and one optional quote, to a
 * name character. -1 when there is none.
 */
function nameEndBefore(cu: Uint16Array, x: number, minSpace: number, maxSpace: number): number {
  let p = x, r = 0;
  while (r <= maxSpace && p > 0 && isSpace(cu[p - 1])) p--, r++;
  if (r < minSpace || r > maxSpace) return -1;
  if (p > 0 && (cu[p - 1] === 34 || cu[p - 1] === 39)) p--;
  return p > 0 && isNameChar(cu[p - 1]) ? p : -1;
}

/**
 * `password=…`, `"api_key": "…"`, `SECRET_TOKEN: …`, `Password=…;` in connection strings, `my password is …`.
 *
 * What a search for the secret keywords over the whole text (one regex, restarted after each hit) would find,
 * visiting each hit in order and skipping those before where the last visit left off. Only a hit in a name that an
 * assignment follows can find anything (mayAssign must hold at the name's end), and a visit that finds nothing
 * leaves off inside its own name: so the names are found from the assignment signs instead (`:`, `=` by indexOf,
 * is/was from the word pass), and the keywords are looked for in those names alone.
 * `secrets.test.ts` compares it with the whole-text search.
 */
export const assignments: Detector = (text, out, ctx) => {
  try {
    assignmentsIn(text, out, ctx);
  } finally {
    forgetNames();
  }
};

function assignmentsIn(text: string, out: Finding[], ctx: ScanContext): void {
  const w = wordPass(text, ctx);
  const cu = codeUnits(text, ctx);
  let j = 0; // next `:` or `=`
  let k = 0; // next word-pass candidate (is…, was…)
  let last = 0; // where the keyword search resumes
  let done = -1; // the end of the last name looked at
  for (;;) {
    while (k < w.nCue && (w.cueMask[k] & MAY_ASSIGN) === 0) k++;
    let e: number;
    if (j < w.nSign && (k === w.nCue || w.signAt[j] < w.cueAt[k])) {
      const x = w.signAt[j++];
      if (cu[x] === 64) continue; // an @
      e = nameEndBefore(cu, x, 0, 8);
    }
    else if (k < w.nCue) e = nameEndBefore(cu, w.cueAt[k++], 1, 9);
    else return;
    if (e <= done) continue; // no name, or one already looked at
    done = e;
    // mayAssign(text, e) holds: nameEndBefore walked back over exactly what it reads forwards.
    if (e <= last) continue; // every hit in it skipped
    let s = e, letters = 0;
    while (s > 0) {
      const c = cu[s - 1];
      if (NAME_CHAR[c] !== 1) break;
      letters |= LETTER_BIT[c]; // name characters are ASCII
      s--;
    }
    if (e - s === 5 && letters === VALUE_LETTERS && /^value$/i.test(text.slice(s, e))) envPair(text, out, s, e);
    if (!mayHoldKeyword(letters)) continue;
    const name = text.slice(s, e);
    KEYWORD_IN_NAME.lastIndex = 0;
    for (let m = KEYWORD_IN_NAME.exec(name); m; m = KEYWORD_IN_NAME.exec(name)) {
      KEYWORD_IN_NAME.lastIndex = m.index + 1; // the next hit may start inside this one
      const p = s + m.index;
      if (p < last) continue;
      last = visitKeyword(text, out, p, p + m[0].length);
    }
  }
}

/** Whole-value secrets: a value under a secret-looking field name (JSON key, column, header), `field` being what
 * the name says (`secretField`). An Authorization header keeps its scheme. */
export function fieldSecretOfType(text: string, field: SecretField, out: Finding[]): void {
  if (field.auth) return authValue(text, out, 0, text.length);
  if (field.cookie) return cookieValue(text, out, 0, text.length);
  const v = text.trim();
  const confidence = secretValueConfidence(field.type, v, field.strong);
  if (confidence > 0) {
    const start = text.indexOf(v);
    out.push({ type: field.type, start, end: start + v.length, confidence: Math.max(confidence, 0.8), detector: 'secret-field' });
  }
}
