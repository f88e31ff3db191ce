import type { Finding } from '../../core/masking.js';
import { entropy, githubTokenValid, isIdentifierShape, jwtValid } from '../validators.js';
import { CUE_PREFIX, eachCue, KEYWORD_SRC } from '../cues.js';
import { wordPass, MAY_ASSIGN } from '../words.js';
import type { Detector } from '../types.js';
import { charClass, codeUnits, SPACE } from '../chars.js';

// Known token prefixes come from the shared cue pass (cues.ts, PREFIX_SRC); each hit is extended by hand over the
// token alphabet.

function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}
function isWordChar(c: number): boolean {
  return isTokenChar(c) || c === 43 || c === 47;
}

function classify(tok: string): [string, number] | undefined {
  if (/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(tok)) return /EXAMPLE$/.test(tok) ? undefined : ['AWS_ACCESS_KEY', 0.95];
  if (/^gh[pousr]_/.test(tok)) return githubTokenValid(tok) ? ['GITHUB_TOKEN', 0.99] : undefined;
  if (/^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$/.test(tok)) return ['GITHUB_TOKEN', 0.95];
  if (/^xox[abposr]-\d+-[A-Za-z0-9-]{8,}$/.test(tok) || /^xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{20,}$/.test(tok)) return ['SLACK_TOKEN', 0.95];
  if (/^[sr]k_live_[A-Za-z0-9]{20,}$/.test(tok)) return ['STRIPE_KEY', 0.95];
  if (/^sk-ant-(api|admin)\d\d-[A-Za-z0-9_-]{60,}$/.test(tok)) return ['ANTHROPIC_KEY', 0.98];
  if (/^sk-(proj-|svcacct-|admin-)[A-Za-z0-9_-]{40,}$/.test(tok) || /^sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}$/.test(tok)) return ['OPENAI_KEY', 0.97];
  if (/^sk-[A-Za-z0-9]{40,}$/.test(tok) && entropy(tok) > 4) return ['OPENAI_KEY', 0.75];
  if (/^AIza[0-9A-Za-z_-]{35}$/.test(tok)) return ['GOOGLE_API_KEY', 0.95];
  if (tok.startsWith('eyJ') && jwtValid(tok)) return ['JWT', 0.95];
  return undefined;
}

/** Provider tokens with known formats (AWS, GitHub with CRC32, Slack, Stripe live, OpenAI, Anthropic, Google, JWT). */
export const providerTokens: Detector = (text, out, ctx) => {
  eachCue(text, ctx, CUE_PREFIX, (start, prefixEnd) => {
    if (start > 0 && isWordChar(text.charCodeAt(start - 1))) return;
    let end = prefixEnd;
    const jwt = prefixEnd - start === 3 && text.startsWith('eyJ', start);
    while (end < text.length && end - start < 4096) {
      const c = text.charCodeAt(end);
      if (isTokenChar(c) || (jwt && c === 46)) end++;
      else break;
    }
    if (jwt && text.charCodeAt(end - 1) === 46 && text.slice(start, end).split('.').length > 3) end--;
    const hit = classify(text.slice(start, end));
    if (hit) out.push({ type: hit[0], start, end, confidence: hit[1], detector: 'provider-token' });
    return end;
  });
};

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

/** `scheme://user:password@host` — the password part. */
export const urlCredentials: Detector = (text, out, ctx) => {
  // A short value with no word pass made for it yet: indexOf costs less than making one (the MCP hot path).
  if (ctx.words === undefined && text.length <= 256) return urlCredentialsByIndexOf(text, out);
  // Each `://` in order: a colon of the word pass's list of `:`, `=` and `@` with `//` after it; read by code unit.
  const w = wordPass(text, ctx);
  const cu = codeUnits(text, ctx);
  let from = 0;
  for (let k = 0; k < w.nSign; k++) {
    const i = w.signAt[k];
    if (i < from || cu[i] !== 58 || i + 2 >= text.length || cu[i + 1] !== 47 || cu[i + 2] !== 47) continue;
    from = i + 3;
    let colon = -1, at = -1;
    for (let j = i + 3; j < text.length && j - i < 512; j++) {
      const c = cu[j]; // / space \n \t " ' < > end the authority
      if (c === 47 || c === 32 || c === 10 || c === 9 || c === 34 || c === 39 || c === 60 || c === 62) break;
      if (c === 58 && colon < 0) colon = j;
      if (c === 64) at = j;
    }
    if (colon > 0 && at > colon + 1) {
      out.push({ type: 'PASSWORD', start: colon + 1, end: at, confidence: 0.95, detector: 'url-credentials' });
      from = at + 1;
    }
  }
};

/** The URL-credentials detector without the word pass (a small value): each `://` by indexOf. */
export function urlCredentialsByIndexOf(text: string, out: Finding[]): void {
  let from = 0;
  for (;;) {
    const i = text.indexOf('://', from);
    if (i < 0) return;
    from = i + 3;
    let colon = -1, at = -1;
    for (let j = i + 3; j < text.length && j - i < 512; j++) {
      const c = text.charCodeAt(j); // / space \n \t " ' < > end the authority
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

const SECRET_NAME = /pass(?:word|wd|phrase)?|pwd|secret|token|api_?key|access_?key|private_?key|credential|auth|session|signature|cookie/i;
const PASSWORD_NAME = /pass(?:word|wd|phrase)?$|pwd$|^pass|password/i;
const NOT_SECRET_NAME = /(?:_at|_in|_type|_url|_uri|_path|_file|_id_hint|expires?|author|authority|length|count|policy|hint|reset|_name|required|_field|max_|min_)$|^(?:author|authority|authors)$/i;
const PLACEHOLDER = /^(?:\*+|x+|null|none|nil|undefined|true|false|changeme|<[^>]*>|\$\{[^}]*\}?|\$[A-Z_]+|%[A-Z_]+%|\{\{[^}]*\}\}|redacted|\[[A-Z_]+(?::[^\]]*)?\]|\.\.\.)$/i;

/** Is `name` (a JSON key, column, env var, header) one that holds a secret? Returns the type for its value. */
export function secretFieldType(name: string): string | undefined {
  const n = name.toLowerCase().replace(/[-. ]/g, '_');
  if (!SECRET_NAME.test(n) || NOT_SECRET_NAME.test(n)) return undefined;
  if (/aws.*secret|secret_access_key/.test(n)) return 'AWS_SECRET_KEY';
  if (PASSWORD_NAME.test(n)) return 'PASSWORD';
  if (/^(?:key|keys|keyword|keywords|keyboard|monkey|turkey|hockey|jockey|tokens|session|auth)$/.test(n)) return undefined;
  return 'SECRET';
}

/** Is `value` (assigned to a secret-looking name) worth masking? Passwords: anything real; other secrets: entropy. */
export function secretValueConfidence(type: string, value: string): number {
  if (value.length < 4 || PLACEHOLDER.test(value)) return 0;
  if (type === 'PASSWORD') return 0.9;
  if (type === 'AWS_SECRET_KEY') return /^[A-Za-z0-9/+]{40}$/.test(value) ? 0.97 : 0.7;
  if (isIdentifierShape(value) || value.length < 8) return 0;
  if (/^\d+$/.test(value) || /^[a-z]+$/i.test(value) || /\s/.test(value)) return 0;
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
const isSpace = (c: number) => (charClass(c) & SPACE) !== 0;
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
// What ends an unquoted value: white space or one of ; , & " ' < > ) } ] (the class [\s;,&"'<>)}\]]).
const VALUE_STOP = new Uint8Array(128);
for (const ch of ';,&"\'<>)}]') VALUE_STOP[ch.charCodeAt(0)] = 1;
export const isValueStop = (c: number) => (c < 128 ? VALUE_STOP[c] === 1 || isSpace(c) : isSpace(c));

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
  const type = secretFieldType(text.slice(ns, ne));
  if (!type) return ne;
  const vs = ne + a[0].length;
  const quote = a[1];
  let ve = vs;
  const limit = Math.min(text.length, vs + 1024);
  if (quote) {
    while (ve < limit && text[ve] !== quote && text[ve] !== '\n') ve++;
  } else {
    while (ve < limit && !isValueStop(text.charCodeAt(ve))) ve++;
  }
  const value = text.slice(vs, ve);
  const confidence = secretValueConfidence(type, value);
  if (confidence > 0) out.push({ type, start: vs, end: ve, confidence, detector: 'secret-assignment' });
  return Math.max(ne, ve);
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
};

/** Whole-value secrets: a value under a secret-looking field name (JSON key, column, header), whose secret type
 * (`secretFieldType` of the name) is `type`. */
export function fieldSecretOfType(text: string, type: string, out: Finding[]): void {
  const v = text.trim();
  const confidence = secretValueConfidence(type, v);
  if (confidence > 0) {
    const start = text.indexOf(v);
    out.push({ type, start, end: start + v.length, confidence: Math.max(confidence, 0.8), detector: 'secret-field' });
  }
}
