import type { ScanContext } from './types.js';
import { charClass, codeUnits, escapeBefore, SPACE } from './chars.js';
import { MAY_BIRTH, MAY_CARD_CODE, MAY_IBAN, MAY_MILITARY, MAY_MRN, MAY_NATIONAL, MAY_PREFIX, wordPass, type WordPass } from './words.js';

/**
 * The cue words several detectors start from, found once per scan (shared through the scan context, like the word
 * pass). Each detector then walks the matches of its own pattern in order, skipping those before where its own
 * search would resume, exactly as a global regex of that pattern alone would have returned them.
 *
 * No cue is searched for over the whole text: the cues that need a word start (MRN, birth, APO/FPO, provider
 * prefixes, IBAN starts) are confirmed by their own sticky regex where the word pass saw a run of letters that could
 * begin one, and address cues are found backwards from where an address could follow one. (Secret keywords, which
 * may start mid-word, are the secret-assignment detector's own: it looks for them only in names an assignment
 * follows.)
 *
 * @example
 * const c = cueScan('MRN 12345 and DOB 1990-01-02', {});
 * c.n // 2: a medical-record cue and a birth cue
 */

/** An address cue, then the spaces (and at most one line break) before the address. */
export const CUED_SRC = '(?:address(?:es)?(?: is)?\\s*:?|lives (?:at|on)|live at|sent to|send it to|ship(?:ped)? to|deliver(?:ed)? to|located at|drops? you off at|meet (?:me )?at|moved to|resides? at|it is)[ \\t]*(?:\\n[ \\t]*)?';
/** A medical-record cue (Medicare's beneficiary identifier, MBI, included). */
export const MRN_SRC = '\\b(?:mrn|medical record|patient id|patient no|patient number|patient #|health record|chart no|chart number|nhs no|nhs number|medicare\\b|mbi\\b)';
/**
 * A birth cue: English (born, birth, DOB), German and Dutch (Geburtsdatum, geboren, geb., geboortedatum), Spanish
 * (fecha de nacimiento, nacido/a el), French (date de naissance, né(e) le), Italian and Portuguese (nascita, nato/a
 * il, nascimento, nascido/a).
 */
export const BIRTH_SRC = '\\b(?:born|birth|dob|d\\.o\\.b|geburt|geboren|geb\\.|geboortedatum|nacimiento|nacid[oa]\\b|naissance|née? le\\b|nascit|nascimento|nascid[oa]\\b|nat[oa] il\\b)';
/**
 * A national-ID cue: Spanish DNI/NIE/NIF, French NIR (numéro de sécurité sociale, INSEE, carte Vitale), German
 * Steuer-ID (Steueridentifikationsnummer).
 */
export const NATIONAL_SRC = '\\b(?:dni|nie|nif|nir|insee|sociale|vitale|steuer-?id|steueridentifikationsnummer)\\b';
/**
 * A card security code cue: CVV, CVC, CVV2, CVC2 (also inside a name: card_cvv, cvv_code, cvv number, cvv no.),
 * security code, card verification / security code or value, card code. Word-anchored by letters and digits only, so
 * an underscore before or after (a log's `card_cvv=`) is no boundary.
 */
export const CARD_CODE_SRC = '(?<![A-Za-z0-9])(?:cvc2?|cvv2?)(?:[ _-]?(?:code|number|num|no\\.?|value))?(?![A-Za-z0-9])|\\bsecurity[ _-]?code\\b|\\bcard (?:verification|security) (?:code|value|number)\\b|\\bcard code\\b';
/** A secret-looking word inside a name (DB_PASSWORD, apiKey, x-auth-token). */
// `pw` stands for `pwd` too (every hit of `pwd` is one of `pw` at the same place); secretField takes it only as a
// whole name part (`pw=`, `db_pw`, `PW:`).
export const KEYWORD_SRC = 'pass|pw|secret|token|key|auth|credential|session|signature|cookie';
/** Known provider token prefixes (case-sensitive). A Twilio key is matched whole here (SK and 32 hex digits), so a
 * Slovak IBAN (SK31 …) is still an IBAN start. `IQoJb3JpZ2luX2Vj` and `FwoGZXIvYXdzE` (`FQoG…`) are the base64 of the
 * header every AWS STS session token starts with. */
export const PREFIX_SRC = 'AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposre]-|xoxe\\.xox[bp]-|xapp-|[sr]k_live_|sk-|AIza|eyJ|' +
  'gl(?:pat|dt|rt|ptt|oas|soat|ffct|ft|imt|agent|cbt)-|npm_|hf_|whsec_|SG\\.|ya29\\.|SK[0-9a-f]{32}(?![0-9A-Za-z])|shp(?:at|ca|pa|ss)_|LS0tLS1CRUdJTi|(?:Bearer|bearer|BEARER)[ \\t]+|' +
  'pypi-AgEIcHlwaS5vcmc|dckr_pat_|hv[sbr]\\.|do[por]_v1_|lin_api_|sbp_|PMAK-|NRAK-|AGE-SECRET-KEY-1|IQoJb3JpZ2luX2Vj|F[wQ]oGZXIvYXdzE';
/** An APO/FPO/DPO line (case as written). */
export const MILITARY_SRC = '\\b(?:APO|FPO|DPO|apo|fpo|dpo) (?:A[AEP]|a[aep]) \\d{5}\\b';
/** The start of an IBAN: two capitals and two digits at a word start, or the same in small letters (an IBAN written
 * in lower case; net.ts checks its country and length). */
export const IBAN_SRC = '\\b(?:[A-Z]{2}\\d{2}(?=[ A-Z0-9])|[a-z]{2}\\d{2}(?=[ a-z0-9]))';

export const CUE_ADDRESS = 1, CUE_MRN = 2, CUE_BIRTH = 3, CUE_PREFIX = 5, CUE_MILITARY = 6, CUE_IBAN = 7, CUE_NATIONAL = 8, CUE_CARD_CODE = 9;
// The cues that need a word start are confirmed, by their own sticky regex, only where the word pass saw a run of
// letters that could begin them (words.ts cueCandidate). Secret keywords (which can start mid-word, DB_PASSWORD) are
// looked for by the secret-assignment detector itself, only in names an assignment follows.
// Address cues are found backwards, from where an address could start right after one (words.ts restAt); only
// those followed by an address matter. A cue match counts only if a left-to-right search would reach it: not if it
// starts inside an earlier match the search found ("addressent to 12": the search takes "address", then goes on
// after it, so "sent to" is never tried). A match's tail is only spaces and a colon, so such an earlier match starts
// at most MAX_CUE characters before.
const CUED_Y = new RegExp(CUED_SRC, 'iy');
const REST_Y = /(?:\d{1,6}[A-Za-z]? \S|(?:unit|psc|apt|suite|p\.?o\.? box)\b)/iy;
const CUE_TEXTS = ['address', 'addresses', 'address is', 'addresses is', 'lives at', 'lives on', 'live at', 'sent to', 'send it to', 'ship to', 'shipped to',
  'deliver to', 'delivered to', 'located at', 'drop you off at', 'drops you off at', 'meet at', 'meet me at', 'moved to', 'reside at', 'resides at', 'it is'];
const MAX_CUE = 16; // 'drops you off at'
// The cue texts by their last two letters (as, es, is, on, to …), in list order; indexed by `endKey`. Both letters are
// ASCII (holdsAt matches a letter with itself or its capital only), so most places a cue could end fail one look.
const endKey = (last: number, prev: number) => ((last & 127) << 7) | (prev & 127);
const CUES_BY_END: (string[] | undefined)[] = new Array(128 * 128).fill(undefined);
for (const cue of CUE_TEXTS) (CUES_BY_END[endKey(cue.charCodeAt(cue.length - 1), cue.charCodeAt(cue.length - 2))] ??= []).push(cue);
/** Would a left-to-right search for CUED find its match at `p` (which exists)? */
function reachedByScan(text: string, p: number): boolean {
  for (let q = Math.max(0, p - MAX_CUE); q < p; q++) {
    CUED_Y.lastIndex = q;
    if (CUED_Y.test(text) && CUED_Y.lastIndex > p && reachedByScan(text, q)) return false;
  }
  return true;
}
const isTail = (c: number) => c === 58 || (charClass(c) & SPACE) !== 0; // \s or ':'
/** Does the text (code units `cu`) hold `word` (lower case, spaces) at `at`, letters in any case? */
function holdsAt(cu: Uint16Array, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const w = word.charCodeAt(i), c = cu[at + i];
    if (c !== w && (w === 32 || (c | 32) !== w)) return false;
  }
  return true;
}
let cuePos = new Int32Array(64), cueLen = new Int32Array(64);
/** The address cue matches followed by an address, by position: into cuePos/cueLen; returns how many. */
function addressCues(text: string, words: WordPass, cu: Uint16Array): number {
  let k = 0;
  for (let i = 0; i < words.nRest; i++) {
    const r = words.restAt[i];
    let q = r;
    while (q > 0 && isTail(cu[q - 1])) q--;
    if (q < 2) continue; // no cue ends before the start
    const z = cu[q - 1] | 32, y = cu[q - 2] | 32; // every cue ends in two ASCII letters (as, ss, es, is, on, to)
    const cues = z < 128 && y < 128 ? CUES_BY_END[endKey(z, y)] : undefined;
    if (cues === undefined) continue;
    // Some cue text must end there (cheaper than the pattern, so tried first; the cues are tried in list order below).
    let any = false;
    for (const cue of cues) {
      const p = q - cue.length;
      if (p >= 0 && holdsAt(cu, p, cue)) {
        any = true;
        break;
      }
    }
    if (!any) continue;
    REST_Y.lastIndex = r;
    if (!REST_Y.test(text)) continue;
    for (const cue of cues) {
      const p = q - cue.length;
      if (p < 0 || !holdsAt(cu, p, cue)) continue;
      CUED_Y.lastIndex = p;
      if (!CUED_Y.test(text) || CUED_Y.lastIndex !== r) continue;
      if (k > 0 && cuePos[k - 1] === p) break;
      if (!reachedByScan(text, p)) break;
      if (k === cuePos.length) {
        const a = new Int32Array(k * 2), b = new Int32Array(k * 2);
        a.set(cuePos), b.set(cueLen);
        cuePos = a, cueLen = b;
      }
      cuePos[k] = p;
      cueLen[k++] = r - p;
      break;
    }
  }
  return k;
}
const ANCHORED: [number, number, string, string][] = [
  [MAY_MRN, CUE_MRN, MRN_SRC, 'iy'],
  [MAY_BIRTH, CUE_BIRTH, BIRTH_SRC, 'iy'],
  [MAY_MILITARY, CUE_MILITARY, MILITARY_SRC, 'y'],
  [MAY_PREFIX, CUE_PREFIX, PREFIX_SRC, 'y'],
  [MAY_IBAN, CUE_IBAN, IBAN_SRC, 'y'],
  [MAY_NATIONAL, CUE_NATIONAL, NATIONAL_SRC, 'iy'],
  [MAY_CARD_CODE, CUE_CARD_CODE, CARD_CODE_SRC, 'iy'],
];
// Right after a literal escape (`\n`, `\t`, `\r`, `%XX`: chars.ts escapeBefore) a letter or a digit stands before
// the cue, so the word boundary a pattern starts with (`\b`, `(?<![A-Za-z0-9])`, also at the start of a top-level
// alternative) cannot hold: there each pattern is tried without it. A superset of the pattern's matches, and only at
// candidates the word pass offered after an escape (or at a word start right after `%20`).
const LEAD_BOUNDARY = /^(?:\\b|\(\?<!\[A-Za-z0-9\]\))/;
const ALT_BOUNDARY = /\|(?:\\b|\(\?<!\[A-Za-z0-9\]\))/g;
/** `src` without the word boundary at its start and at the start of each top-level alternative. */
const withoutLeadingBoundary = (src: string) => src.replace(LEAD_BOUNDARY, '').replace(ALT_BOUNDARY, '|');

export interface CueScan {
  text: string;
  gen: number;
  /** Matches [pos[i], pos[i] + len[i]) of pattern grp[i], for i < n, by position. */
  n: number;
  pos: Int32Array;
  len: Int32Array;
  grp: Uint8Array;
}

let gen = 0;
let pos = new Int32Array(256), len = new Int32Array(256), grp = new Uint8Array(256);
let n = 0;
function push(at: number, l: number, g: number): void {
  if (n === pos.length) {
    const p = new Int32Array(n * 2), q = new Int32Array(n * 2), r = new Uint8Array(n * 2);
    p.set(pos), q.set(len), r.set(grp);
    pos = p, len = q, grp = r;
  }
  pos[n] = at;
  len[n] = l;
  grp[n++] = g;
}

/**
 * Each match of cue group `group` in `text`, left to right, skipping matches that start before the end of the last
 * one visited. `visit` gets the match's start and end; it may return where the next match may start instead (past
 * what it consumed), or nothing to keep the match's end.
 *
 * @example eachCue(text, ctx, CUE_IBAN, (start, end) => { ...; return consumedTo; });
 */
export function eachCue(text: string, ctx: ScanContext, group: number, visit: (start: number, end: number) => number | void): void {
  const c = cueScan(text, ctx);
  let last = 0;
  for (let k = 0; k < c.n; k++) {
    if (c.grp[k] !== group || c.pos[k] < last) continue;
    last = c.pos[k] + c.len[k];
    const next = visit(c.pos[k], last);
    if (next !== undefined) last = next;
  }
}

/** Every match of every cue pattern in `text`, computed once per scan context. */
export function cueScan(text: string, ctx: ScanContext): CueScan {
  const cached = ctx.cues;
  if (cached && cached.text === text && cached.gen === gen) return cached;
  const words = wordPass(text, ctx);
  gen++;
  n = 0;
  if (pos.length > 1 << 18) (pos = new Int32Array(256)), (len = new Int32Array(256)), (grp = new Uint8Array(256)); // after a very large text
  const cu = codeUnits(text, ctx);
  const nAddr = addressCues(text, words, cu);
  // The word-anchored cues and the address cues, in position order.
  for (let w = 0, c = 0; w < words.nCue || c < nAddr; ) {
    const wp = w < words.nCue ? words.cueAt[w] : Infinity, cp = c < nAddr ? cuePos[c] : Infinity;
    if (wp <= cp) {
      const mask = words.cueMask[w++] & ANCHORED_BITS; // MAY_ASSIGN is the secret-assignment detector's
      if (mask !== 0) anchored(text, cu, wp, mask);
    } else push(cuePos[c], cueLen[c++], CUE_ADDRESS);
  }
  const scan: CueScan = { text, gen, n, pos, len, grp };
  ctx.cues = scan;
  return scan;
}

// ANCHORED as arrays: the loop below reads them by index.
const A_BIT = ANCHORED.map((x) => x[0]), A_GROUP = ANCHORED.map((x) => x[1]), A_RE = ANCHORED.map((x) => new RegExp(x[2], x[3]));
const A_RE_ESC = ANCHORED.map((x) => new RegExp(withoutLeadingBoundary(x[2]), x[3]));
const ANCHORED_BITS = A_BIT.reduce((m, b) => m | b, 0);

// The first three letters (any case) each MRN, birth and national-ID cue of three or more letters starts with, as
// MAY_* bits by `key3`: most candidate words (status, index, name, get …) fail here, before their pattern is tried.
const FIRST3 = new Uint8Array(27 * 27 * 27);
const letterNo = (c: number) => ((c | 32) - 96) >>> 0; // 1-26 for an ASCII letter (c | 32 is one only for a letter)
/** The three code units at `at` as a number if all are ASCII letters (any case), else -1. */
function key3(cu: Uint16Array, at: number): number {
  const a = letterNo(cu[at]), b = letterNo(cu[at + 1]), c = letterNo(cu[at + 2]);
  return a >= 1 && a <= 26 && b >= 1 && b <= 26 && c >= 1 && c <= 26 ? (a * 27 + b) * 27 + c : -1;
}
for (const [bit, firsts] of [
  [MAY_MRN, 'mrn med pat hea cha nhs mbi'],
  [MAY_BIRTH, 'bor bir dob geb nac nai nas nat'],
  [MAY_NATIONAL, 'dni nie nif nir ins soc vit ste'],
] as const) {
  for (const w of firsts.split(' ')) FIRST3[(letterNo(w.charCodeAt(0)) * 27 + letterNo(w.charCodeAt(1))) * 27 + letterNo(w.charCodeAt(2))] |= bit;
}
/**
 * Can the cue pattern of MAY_* bit `bit` match at `at` (`k3` is key3 there)? A look at the characters it needs
 * first: the first three letters of the MRN, birth and national-ID cues (a one-letter run may start d.o.b or né(e)
 * le); APO/FPO/DPO's o and the space after it; an IBAN start's second digit. Provider prefixes: their pattern.
 */
function mayMatch(cu: Uint16Array, at: number, bit: number, k3: number): boolean {
  switch (bit) {
    case MAY_MRN:
    case MAY_NATIONAL:
      return k3 >= 0 && (FIRST3[k3] & bit) !== 0;
    case MAY_BIRTH: {
      if (k3 >= 0) return (FIRST3[k3] & bit) !== 0;
      const c0 = cu[at] | 32, c1 = cu[at + 1];
      return (c0 === 100 && c1 === 46) || (c0 === 110 && (c1 === 0xe9 || c1 === 0xc9)); // d.o.b, né(e) le
    }
    case MAY_MILITARY:
      return (cu[at + 2] | 32) === 111 && cu[at + 3] === 32;
    case MAY_IBAN:
      return cu[at + 3] >= 48 && cu[at + 3] <= 57;
  }
  return true;
}

function anchored(text: string, cu: Uint16Array, at: number, mask: number): void {
  const k3 = key3(cu, at);
  // Right after an escape a letter or a digit is before `at`: no pattern's word boundary holds there.
  const res = at > 1 && escapeBefore(cu, at) ? A_RE_ESC : A_RE;
  for (let k = 0; k < res.length; k++) {
    if (!(mask & A_BIT[k]) || !mayMatch(cu, at, A_BIT[k], k3)) continue;
    const re = res[k];
    re.lastIndex = at;
    // A sticky pattern that matches leaves lastIndex at the end of its match (no match object needed).
    if (re.test(text)) {
      push(at, re.lastIndex - at, A_GROUP[k]);
      return; // no two cue patterns match at one position
    }
  }
}
