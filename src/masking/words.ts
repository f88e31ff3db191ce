import { ADDR_LETTER, charClass, codeUnits, escapedRunRest, SPACE, UPPER, WORD_LETTER, withEnd } from './chars.js';
import type { ScanContext } from './types.js';

/**
 * One pass over the words of a text, shared by the PERSON and ADDRESS detectors (computed once per scan, on first
 * use, and kept on the scan context). It yields:
 *
 * - capitalised words, as the PERSON detector reads them: runs of letters (any script with case, marks) with inner
 *   apostrophes and hyphens (O'Brien, Jean-Luc) whose first letter is upper case;
 * - address runs that may be a street word: maximal runs of `[A-Za-z\u00C0-\u024F]` (the address patterns' letter
 *   class) whose first letter, last letter and length match one of the street words (a cheap filter: the detector
 *   checks the word itself);
 * - address runs that may end in a compound street suffix (Koskikatu, Hammarvägen): filtered on their last three
 *   letters;
 * - words right after a number and a space, where a number–name–number street can start;
 * - ASCII letter runs where a word-anchored cue (MRN, DOB, APO, AKIA…, an IBAN) may start (cues.ts confirms), and
 *   the rest of a run that starts inside a literal escape (`\nghp_…`, `%3DAKIA…`: see escapedRun);
 * - stretches of digits and number separators long enough to hold a phone, card or id worth a look;
 * - places where an address could start right after an address cue (a number or a unit word).
 *
 * Plain ASCII words (the vast majority) are handled in one tight loop; a stretch of text with other letters, marks
 * or inner apostrophes and hyphens is taken apart by the exact character-class rules of each detector.
 *
 * @example
 * const w = wordPass('Ann lives at 14 Crown Street', {});
 * w.nTok // 3: Ann, Crown, Street
 */
export interface WordPass {
  text: string;
  /** Generation of the module buffers this pass filled; an older pass is recomputed, never read. */
  gen: number;
  /** Capitalised words: [tokS[i], tokE[i]) for i < nTok, in text order. */
  nTok: number;
  tokS: Int32Array;
  tokE: Int32Array;
  /** Address runs that may be street words: [strS[i], strE[i]). */
  nStr: number;
  strS: Int32Array;
  strE: Int32Array;
  /** Address runs that may end in a compound street suffix: [cmpS[i], cmpE[i]). */
  nCmp: number;
  cmpS: Int32Array;
  cmpE: Int32Array;
  /** Words right after a number and a space ("14 Crown", "20789 Allika"): where a street can start with its number. */
  nAfterNum: number;
  afterNum: Int32Array;
  /**
   * Starts of ASCII letter runs that may begin a word-anchored cue (MRN, birth, APO/FPO, provider prefix, IBAN):
   * cueAt[i], with cueMask[i] the CUE_* bits (cues.ts) worth confirming there.
   */
  nCue: number;
  cueAt: Int32Array;
  cueMask: Uint8Array;
  /**
   * Stretches [numS[i], numE[i]) of digits and the separators of phone numbers, cards and ids (` ./-()+`) that are
   * 7+ characters long and hold 3+ digits: every digit run the number scanner looks at lies inside one.
   */
  nNum: number;
  numS: Int32Array;
  numE: Int32Array;
  /**
   * Where an address could start right after an address cue ("lives at 14 …", "address: suite b"): a digit run or a
   * unit word (unit, psc, apt, suite, p.o box) after a space, a colon or a letter a cue can end with.
   */
  nRest: number;
  restAt: Int32Array;
  /**
   * Every `:`, `=` and `@`, in text order: where a secret may be assigned to the name before it, the colons of IPv6
   * addresses and URLs, the at signs of e-mail addresses.
   */
  nSign: number;
  signAt: Int32Array;
  /** Every `-----BEGIN ` (a PEM block's header), by where its dashes start, in text order. */
  nPem: number;
  pemAt: Int32Array;
  /** Runs of CJK or Hangul letters [cjkS[i], cjkE[i]) (no case: never capitalised words), where PERSON reads a cue before. */
  nCjk: number;
  cjkS: Int32Array;
  cjkE: Int32Array;
}

/**
 * Bits for `cueMask`: which word-anchored cue may start at a run (confirmed by its own regex in cues.ts); and
 * MAY_ASSIGN, a run that starts with `is` or `was` (either case), where `name is …` may assign a secret
 * (detectors/secrets.ts).
 */
export const MAY_MRN = 1, MAY_BIRTH = 2, MAY_MILITARY = 4, MAY_PREFIX = 8, MAY_IBAN = 16, MAY_ASSIGN = 32, MAY_NATIONAL = 64, MAY_CARD_CODE = 128;

// Street-word filter: (first code unit, last code unit, length) of every run a street pattern can start with.
// Both are bit sets (8 KB each, so they stay in the first-level cache).
const STREET_BITS = new Int32Array(2048);
const streetKey = (first: number, last: number, len: number) => ((first << 8) ^ (last << 3) ^ len) & 0xffff;
// Compound-suffix filter: the last three code units of every suffix.
const COMPOUND_BITS = new Int32Array(2048);
const setBit = (bits: Int32Array, k: number) => (bits[k >>> 5] |= 1 << (k & 31));
const hasBit = (bits: Int32Array, k: number) => (bits[k >>> 5] & (1 << (k & 31))) !== 0;
const compoundKey = (a: number, b: number, c: number) => ((a << 10) ^ (b << 5) ^ c) & 0xffff;

/** Register the runs the street and compound filters must let through (called once by the address detector). */
export function registerStreetRuns(streetRuns: Iterable<string>, suffixes: Iterable<string>): void {
  for (const w of streetRuns) setBit(STREET_BITS, streetKey(w.charCodeAt(0), w.charCodeAt(w.length - 1), w.length));
  for (const w of suffixes) {
    const n = w.length;
    setBit(COMPOUND_BITS, compoundKey(w.charCodeAt(n - 3), w.charCodeAt(n - 2), w.charCodeAt(n - 1)));
  }
}

let gen = 0;
const KEEP = 1 << 18; // entries a buffer keeps between texts (1 MB per Int32Array)
let tokS = new Int32Array(256), tokE = new Int32Array(256);
let strS = new Int32Array(64), strE = new Int32Array(64);
let cmpS = new Int32Array(64), cmpE = new Int32Array(64);
let afterNum = new Int32Array(64);
let cueAt = new Int32Array(64);
let cueMask = new Uint8Array(64);
let numS = new Int32Array(64), numE = new Int32Array(64);
let restAt = new Int32Array(64);
let signAt = new Int32Array(64);
let pemAt = new Int32Array(16);
let cjkS = new Int32Array(16), cjkE = new Int32Array(16), nCjk = 0;
let nTok = 0, nStr = 0, nCmp = 0, nAfterNum = 0, nCue = 0, nNum = 0, nRest = 0, nSign = 0, nPem = 0;
/**
 * The stretch [s, e) of number characters holding `digits` digits has ended: keep it if it is long enough. One
 * function for every place a stretch ends, the end of the text included: that place is rare, and code reached
 * only there would have no type feedback when the word pass is optimised, so the optimised code would be thrown away
 * (deoptimised) at the end of many texts.
 */
function endStretch(s: number, e: number, digits: number): void {
  if (e - s >= 7 && digits >= 3) pushNum(s, e);
}
function pushNum(s: number, e: number): void {
  if (nNum === numS.length) (numS = grow(numS)), (numE = grow(numE));
  numS[nNum] = s;
  numE[nNum++] = e;
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
/** Hiragana, katakana, CJK ideographs (extension A and the unified block) or Hangul syllables. */
const isCjk = (c: number) => (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7a3);
function pushCjk(s: number, e: number): void {
  if (nCjk === cjkS.length) (cjkS = grow(cjkS)), (cjkE = grow(cjkE));
  cjkS[nCjk] = s;
  cjkE[nCjk++] = e;
}
function pushTok(s: number, e: number): void {
  if (nTok === tokS.length) (tokS = grow(tokS)), (tokE = grow(tokE));
  tokS[nTok] = s;
  tokE[nTok++] = e;
}
/** An address run [s, e): offer it to the street and compound filters. */
function addrRun(a: Uint16Array, s: number, e: number): void {
  const len = e - s;
  if (hasBit(STREET_BITS, streetKey(a[s], a[e - 1], len))) {
    if (nStr === strS.length) (strS = grow(strS)), (strE = grow(strE));
    strS[nStr] = s;
    strE[nStr++] = e;
  }
  if (len >= 3 && hasBit(COMPOUND_BITS, compoundKey(a[e - 3], a[e - 2], a[e - 1]))) {
    if (nCmp === cmpS.length) (cmpS = grow(cmpS)), (cmpE = grow(cmpE));
    cmpS[nCmp] = s;
    cmpE[nCmp++] = e;
  }
}

/** Record `s` if a digit and a space come right before it. */
function checkAfterNum(a: Uint16Array, s: number): void {
  if (s >= 2 && a[s - 1] === 32 && a[s - 2] >= 48 && a[s - 2] <= 57) pushAfterNum(s);
}
function pushAfterNum(s: number): void {
  if (nAfterNum === afterNum.length) afterNum = grow(afterNum);
  afterNum[nAfterNum++] = s;
}

// Word-anchored cues by their first two letters (lower case; 0 for a one-letter run): the bits worth a closer look.
const CUE_BIGRAM = new Uint8Array(32 * 32);
const bigram = (f: number, g: number) => ((f & 31) << 5) | (g & 31);
for (const [pair, bits] of [
  ['mr', MAY_MRN], ['me', MAY_MRN], ['pa', MAY_MRN], ['he', MAY_MRN], ['ch', MAY_MRN], ['nh', MAY_MRN],
  ['bo', MAY_BIRTH], ['bi', MAY_BIRTH], ['do', MAY_BIRTH], ['d', MAY_BIRTH], ['ge', MAY_BIRTH], ['na', MAY_BIRTH], ['n', MAY_BIRTH],
  ['mb', MAY_MRN], ['dn', MAY_NATIONAL], ['ni', MAY_NATIONAL], ['in', MAY_NATIONAL], ['so', MAY_NATIONAL], ['vi', MAY_NATIONAL], ['st', MAY_NATIONAL],
  ['ap', MAY_MILITARY], ['fp', MAY_MILITARY], ['dp', MAY_MILITARY],
  ['ak', MAY_PREFIX], ['as', MAY_PREFIX], ['ai', MAY_PREFIX], ['gh', MAY_PREFIX], ['gi', MAY_PREFIX], ['xo', MAY_PREFIX], ['xa', MAY_PREFIX],
  ['sk', MAY_PREFIX], ['rk', MAY_PREFIX], ['ey', MAY_PREFIX], ['is', MAY_ASSIGN], ['wa', MAY_ASSIGN],
  ['cv', MAY_CARD_CODE], ['se', MAY_CARD_CODE], ['ca', MAY_CARD_CODE],
  ['gl', MAY_PREFIX], ['np', MAY_PREFIX], ['hf', MAY_PREFIX], ['wh', MAY_PREFIX], ['sg', MAY_PREFIX], ['ya', MAY_PREFIX], ['sh', MAY_PREFIX], ['ls', MAY_PREFIX], ['be', MAY_PREFIX],
  ['py', MAY_PREFIX], ['dc', MAY_PREFIX], ['do', MAY_PREFIX], ['hv', MAY_PREFIX], ['li', MAY_PREFIX], ['sb', MAY_PREFIX], ['pm', MAY_PREFIX], ['nr', MAY_PREFIX],
  ['ag', MAY_PREFIX], ['iq', MAY_PREFIX], ['fw', MAY_PREFIX], ['fq', MAY_PREFIX],
] as const) CUE_BIGRAM[bigram(pair.charCodeAt(0), pair.length > 1 ? pair.charCodeAt(1) : 0)] |= bits;

/**
 * May a provider prefix (cues.ts PREFIX_SRC, case as written) start at the ASCII letter run [s, e) whose first two code
 * units are `c0`, `c1`? The letters the prefix begins with, up to its first non-letter, and for the newer prefixes
 * the character after them (`_`, `-`, `.`, a digit, a space): common words (where, shall, global, before) stop here.
 */
function mayPrefix(a: Uint16Array, s: number, e: number, c0: number, c1: number): boolean {
  const len = e - s, next = e < a.length ? a[e] : 0;
  switch (c0) {
    case 65: return (c1 | 32) === 103 ? c1 === 71 && len === 3 && next === 45 : len >= 4; // AGE-SECRET-KEY-1; AKIA, ASIA, AIza
    case 103: return c1 === 104 ? len === 3 : c1 === 105 ? len === 6 : c1 === 108 && len >= 4 && len <= 7 && next === 45; // gh?_, github_pat_, gl…-
    case 120: return len === 4; // xox?-, xapp-
    case 115: return c1 === 107 ? len === 2 : c1 === 98 ? len === 3 && next === 95 : c1 === 104 && len === 5 && next === 95; // sk_live_, sk-; sbp_; shpat_
    case 112: return c1 === 121 && len === 4 && next === 45; // pypi-
    case 100: return c1 === 99 ? len === 4 && next === 95 : c1 === 111 && len === 3 && next === 95; // dckr_pat_; dop_, doo_, dor_
    case 108: return c1 === 105 && len === 3 && next === 95; // lin_api_
    case 80: return c1 === 77 && len === 4 && next === 45; // PMAK-
    case 78: return c1 === 82 && len === 4 && next === 45; // NRAK-
    case 73: return c1 === 81 && len === 5 && next === 51; // IQoJb3 (an AWS session token)
    case 70: return (c1 === 119 || c1 === 81) && len >= 13; // FwoGZXIvYXdzE, FQoGZXIvYXdzE and the letters after
    case 114: return len === 2; // rk_live_
    case 101: return len >= 3; // eyJ
    case 110: return c1 === 112 && len === 3 && next === 95; // npm_
    case 104: return c1 === 102 ? len === 2 && next === 95 : c1 === 118 && len === 3 && next === 46; // hf_; hvs., hvb., hvr.
    case 119: return c1 === 104 && len === 5 && next === 95; // whsec_
    case 83: return c1 === 71 ? len === 2 && next === 46 : c1 === 75 && len <= 34; // SG. ; SK and hex letters
    case 121: return c1 === 97 && len === 2 && next === 50; // ya29.
    case 76: return c1 === 83 && len === 2 && next === 48; // LS0tLS1CRUdJTi (base64 of -----BEGIN)
    case 66: case 98: return (c1 === 101 || c1 === 69) && len === 6 && (next === 32 || next === 9); // Bearer, bearer, BEARER
  }
  return false;
}

/**
 * Which word-anchored cues may start at the ASCII letter run [s, e): a cheap look at its first letters and length,
 * a superset of where the cue regexes can match (each needs a word start there). The cues: mrn…, medical record,
 * patient …, health record, chart no/number, nhs no/number, medicare, mbi, born…, birth…, dob…, d.o.b, geburt…,
 * geboren, geb., nacimiento, nacido/a, naissance, né(e) le (a one-letter ASCII run: é is no ASCII letter), nascit…,
 * dni, nie, nif, nir, insee, sociale, vitale, steuer-id, steueridentifikationsnummer (any case); APO, FPO, DPO;
 * AKIA, ASIA, AIza, gh?_, github_pat_, xox?-, xapp-, sk_live_, rk_live_, sk-, eyJ, gl…-, npm_, hf_, whsec_, SG., SK,
 * ya29., shp??_, LS0tLS1CRUdJTi, Bearer, pypi-, dckr_pat_, hv?., do?_v1_, lin_api_, sbp_, PMAK-, NRAK-, AGE-SECRET-KEY-1,
 * IQoJb3JpZ2luX2Vj, FwoGZXIvYXdzE, FQoGZXIvYXdzE (case as written); and two
 * capitals or two small letters followed by a digit, the start of an IBAN.
 */
function cueCandidate(a: Uint16Array, s: number, e: number): void {
  const len = e - s, c0 = a[s];
  const c1 = len > 1 ? a[s + 1] : 0;
  let m = 0;
  const b = CUE_BIGRAM[bigram(c0, c1)];
  if (b !== 0) {
    const g = c1 | 32;
    if (b & MAY_MRN && ((c0 | 32) !== 109 || g === 114 || len === 7 || len === 8 || (g === 98 && len === 3)) && len >= 3 && ((c0 | 32) !== 112 || len === 7) && ((c0 | 32) !== 104 || len === 6) && ((c0 | 32) !== 99 || len === 5) && ((c0 | 32) !== 110 || len === 3)) m |= MAY_MRN;
    if (b & MAY_BIRTH && (len === 1 || len >= 3)) m |= MAY_BIRTH;
    if (b & MAY_MILITARY && len === 3) m |= MAY_MILITARY;
    if (b & MAY_PREFIX && mayPrefix(a, s, e, c0, c1)) m |= MAY_PREFIX;
    // dni, nie, nif, nir (3), insee (5), sociale (7), vitale (6), steuer (6), steuerid (8), steueridentifikationsnummer (27)
    if (b & MAY_NATIONAL && (len === 3 ? (c0 | 32) === 100 || (c0 | 32) === 110 : len === 5 ? (c0 | 32) === 105 : len === 7 ? (c0 | 32) === 115 && (c1 | 32) === 111 : len === 6 ? (c0 | 32) === 118 || (c0 | 32) === 115 : len === 8 || len === 27)) m |= MAY_NATIONAL;
    if (b & MAY_ASSIGN && ((c0 | 32) === 105 || (len >= 3 && (a[s + 2] | 32) === 115))) m |= MAY_ASSIGN; // is…, was…
    // cvv, cvc, and glued to a word (cvvcode, CVCno: cv…, 3 letters or more), card (4: car…), security (8: sec…)
    if (b & MAY_CARD_CODE && (g === 118 ? len >= 3 : len === 4 ? (a[s + 2] | 32) === 114 : len === 8 && (a[s + 2] | 32) === 99)) m |= MAY_CARD_CODE;
  }
  // two capitals, or two small letters, then a digit: the start of an IBAN
  if (len === 2 && (c0 <= 90) === (c1 <= 90) && e < a.length && a[e] >= 48 && a[e] <= 57) m |= MAY_IBAN;
  if (m === 0) return;
  if (nCue === cueAt.length) {
    cueAt = grow(cueAt);
    const bytes = new Uint8Array(cueMask.length * 2);
    bytes.set(cueMask);
    cueMask = bytes;
  }
  cueAt[nCue] = s;
  cueMask[nCue++] = m;
}

/**
 * The ASCII letter run [s, e) starts inside a literal escape (`\n`, `\t`, `\r`, `%XX`: chars.ts escapedRunRest), as
 * JSON-escaped or percent-encoded text read as plain text does (`"msg":"…\nghp_…"`, `%3DAKIA…`): the rest of the run
 * after the escape may begin a cue too. Called only where a `\` or a `%` is right before the run or a `%` and a
 * digit are (a cheap look at one or two code units).
 */
function escapedRun(a: Uint16Array, s: number, e: number): void {
  const r = escapedRunRest(a, s);
  if (r > s && r < e) cueCandidate(a, r, e);
}

/**
 * The capitalised run [s, e) of five letters starting with B: record a PEM header if it is `-----BEGIN ` (the run is
 * all of BEGIN: the dashes before it and the space after are no letters, so every occurrence is such a run).
 */
function pemHeader(z: Uint16Array, s: number, e: number): void {
  if (z[s + 1] !== 69 || z[s + 2] !== 71 || z[s + 3] !== 73 || z[s + 4] !== 78 || z[e] !== 32 || s < 5) return; // EGIN, space
  for (let k = s - 5; k < s; k++) if (z[k] !== 45) return;
  if (nPem === pemAt.length) pemAt = grow(pemAt);
  pemAt[nPem++] = s - 5;
}

// The last two letters unitRest looks for, as a bigram of the letter before the last (0 for a one-letter run) and
// the last, either case: it (unit), pt (apt), sc (psc), te (suite), po (po), and p after anything (p.o. box).
const UNIT_PAIR = new Uint8Array(32 * 32);
for (const pair of ['it', 'pt', 'sc', 'te', 'po']) UNIT_PAIR[bigram(pair.charCodeAt(0), pair.charCodeAt(1))] = 1;
for (let g = 0; g < 32; g++) UNIT_PAIR[bigram(g, 112)] = 1;

function pushRest(r: number): void {
  if (nRest === restAt.length) restAt = grow(restAt);
  restAt[nRest++] = r;
}
// Before an address after a cue: 1 = a space or a colon (the cue's tail), 2 = a letter an address cue ends with.
const REST_BEFORE = new Uint8Array(128);
for (const ch of ' \t\n\r\v\f:') REST_BEFORE[ch.charCodeAt(0)] = 1;
for (const ch of 'stnoSTNO') REST_BEFORE[ch.charCodeAt(0)] = 2;
/** What comes before `r` could end an address cue: 1 a space or colon, 2 a cue's last letter, 0 neither. */
function restBefore(a: Uint16Array, r: number): number {
  if (r === 0) return 0;
  const p = a[r - 1];
  return p < 128 ? REST_BEFORE[p] : charClass(p) & SPACE ? 1 : 0;
}
/**
 * The ASCII letter run [s, e) ends in a unit word an address after a cue can start with (unit, psc, apt, suite, or
 * the p / po of p.o. box): record where that word starts if what comes before it could end a cue — a space or a
 * colon before the run, or a cue's last letter inside it ("located atSuite 200").
 */
function unitRest(a: Uint16Array, s: number, e: number): void {
  const z = a[e - 1] | 32;
  let len = 0;
  if (z === 116) {
    if (e - s >= 4 && (a[e - 2] | 32) === 105 && (a[e - 3] | 32) === 110 && (a[e - 4] | 32) === 117) len = 4; // unit
    else if (e - s >= 3 && (a[e - 2] | 32) === 112 && (a[e - 3] | 32) === 97) len = 3; // apt
  } else if (z === 99) {
    if (e - s >= 3 && (a[e - 2] | 32) === 115 && (a[e - 3] | 32) === 112) len = 3; // psc
  } else if (z === 101) {
    if (e - s >= 5 && (a[e - 2] | 32) === 116 && (a[e - 3] | 32) === 105 && (a[e - 4] | 32) === 117 && (a[e - 5] | 32) === 115) len = 5; // suite
  } else if (z === 112) len = 1; // p (p.o box)
  else if (z === 111 && e - s >= 2 && (a[e - 2] | 32) === 112) len = 2; // po
  if (len === 0) return;
  const r = e - len;
  if (restBefore(a, r) === (r === s ? 1 : 2)) pushRest(r);
}

// Digits and the separators a number run can hold: 1 = separator, 2 = digit.
const NUM_CHAR = new Uint8Array(65536);
for (const ch of ' ./-()+') NUM_CHAR[ch.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) NUM_CHAR[c] = 2;

const ASCII_LETTER = new Uint8Array(65536); // full size: indexing with any code unit stays in bounds
for (let c = 65; c <= 90; c++) ASCII_LETTER[c] = ASCII_LETTER[c + 32] = 1;
const isJoin = (c: number) => c === 39 || c === 0x2019 || c === 45;

/**
 * A stretch [s, end) holding letters beyond ASCII or inner apostrophes/hyphens: the characters before `s` and at
 * `end` are neither letters of either class nor a joining apostrophe/hyphen, so the words and address runs inside
 * are exactly those the full-text rules give.
 */
function complexStretch(a: Uint16Array, s: number): number {
  const n = a.length;
  let j = s;
  for (;;) {
    while (j < n && charClass(a[j]) & (WORD_LETTER | ADDR_LETTER)) j++;
    if (j + 1 < n && isJoin(a[j]) && charClass(a[j - 1]) & WORD_LETTER && charClass(a[j + 1]) & WORD_LETTER) j += 2;
    else break;
  }
  // Capitalised words (PERSON's rules): a word starts at a letter and runs over letters and joined apostrophes.
  let k = s;
  while (k < j) {
    const cls = charClass(a[k]);
    if (!(cls & WORD_LETTER)) {
      k++;
      continue;
    }
    const ws = k++;
    for (;;) {
      while (k < n && charClass(a[k]) & WORD_LETTER) k++;
      if (k + 1 < n && isJoin(a[k]) && charClass(a[k + 1]) & WORD_LETTER) k += 2;
      else break;
    }
    if (cls & UPPER) pushTok(ws, k);
    else if (a[ws] >= 0x3040 && isCjk(a[ws])) pushCjk(ws, k);
  }
  // ASCII letter runs (word-anchored cues).
  k = s;
  while (k < j) {
    if (!ASCII_LETTER[a[k]]) {
      k++;
      continue;
    }
    const r = k;
    while (k < j && ASCII_LETTER[a[k]]) k++;
    cueCandidate(a, r, k);
    if (r > 0 && (a[r - 1] === 92 || a[r - 1] === 37 || (r > 1 && a[r - 2] === 37))) escapedRun(a, r, k);
    unitRest(a, r, k);
  }
  // Address runs (the address patterns' letter class).
  k = s;
  while (k < j) {
    if (!(charClass(a[k]) & ADDR_LETTER)) {
      k++;
      continue;
    }
    const r = k;
    while (k < j && charClass(a[k]) & ADDR_LETTER) k++;
    addrRun(a, r, k);
  }
  return j;
}

/** The word pass for `text`, computed once per scan context. */
export function wordPass(text: string, ctx: ScanContext): WordPass {
  const cached = ctx.words;
  if (cached && cached.text === text && cached.gen === gen) return cached;
  gen++;
  nTok = nStr = nCmp = nAfterNum = nCue = nNum = nRest = nSign = nPem = nCjk = 0;
  // Buffers grow with the largest text seen; after a very large one, start small again rather than keep it.
  if (tokS.length > KEEP) (tokS = new Int32Array(256)), (tokE = new Int32Array(256));
  if (strS.length > KEEP) (strS = new Int32Array(64)), (strE = new Int32Array(64));
  if (cmpS.length > KEEP) (cmpS = new Int32Array(64)), (cmpE = new Int32Array(64));
  if (numS.length > KEEP) (numS = new Int32Array(64)), (numE = new Int32Array(64));
  if (cueAt.length > KEEP) (cueAt = new Int32Array(64)), (cueMask = new Uint8Array(64));
  if (afterNum.length > KEEP) afterNum = new Int32Array(64);
  if (restAt.length > KEEP) restAt = new Int32Array(64);
  if (signAt.length > KEEP) signAt = new Int32Array(64);
  if (pemAt.length > KEEP) pemAt = new Int32Array(16);
  if (cjkS.length > KEEP) (cjkS = new Int32Array(16)), (cjkE = new Int32Array(16));
  const a = codeUnits(text, ctx);
  const n = a.length;
  // The loop reads `z`: the code units and a 0 after them, which ends the last word and stretch the way any other
  // character does. (Code that runs only at the end of a text gets no type feedback before the pass is optimised,
  // and reaching it threw the optimised code away at the end of many texts.)
  const z = withEnd(a);
  let i = 0;
  // The current stretch of number characters, and its digits. A stretch starts at a digit, `+` or `(`: separators
  // before one can begin no run (runs start there), and a stretch too short without them holds no run of 7.
  let st = -1, digits = 0;
  let lastDigit = -2; // where the last ASCII digit was
  while (i <= n) {
    const c = z[i];
    if (c === 32) {
      i++; // a space (the commonest character after letters) only continues a stretch: nothing else to do
      continue;
    }
    if (c < 128) {
      if (!ASCII_LETTER[c]) {
        const k = NUM_CHAR[c];
        if (k !== 0) {
          if (k === 2) {
            if (st < 0) (st = i), (digits = 0);
            if (lastDigit !== i - 1 && restBefore(a, i) !== 0 && i > 0) pushRest(i);
            // The rest of the digit run in a tight loop (z[n] is 0, no digit).
            let j = i + 1;
            while (((z[j] - 48) >>> 0) < 10) j++;
            digits += j - i;
            lastDigit = j - 1;
            i = j;
            continue;
          } else if (st < 0 && (c === 43 || c === 40)) (st = i), (digits = 0);
        } else {
          if (st >= 0) {
            endStretch(st, i, digits);
            st = -1;
          }
          if (c === 58 || c === 61 || c === 64) {
            if (nSign === signAt.length) signAt = grow(signAt);
            signAt[nSign++] = i;
          }
        }
        i++;
        continue;
      }
      if (st >= 0) {
        endStretch(st, i, digits);
        st = -1;
      }
      const s = i++;
      if (lastDigit === s - 2 && z[s - 1] === 32) pushAfterNum(s); // a digit and a space before the word
      while ((((z[i] | 32) - 97) >>> 0) < 26) i++; // an ASCII letter (any other code unit ORed with 32 is out of range); z[n] is 0
      // The ASCII letters end here; does the word (or the address run) go on? (At the end, d is 0: no.)
      const d = z[i];
      const more = d >= 128
        ? (charClass(d) & (WORD_LETTER | ADDR_LETTER)) !== 0 || (d === 0x2019 && i + 1 < n && (charClass(z[i + 1]) & WORD_LETTER) !== 0)
        : (d === 39 || d === 45) && i + 1 < n && (charClass(z[i + 1]) & WORD_LETTER) !== 0;
      if (more) {
        i = complexStretch(a, s);
        continue;
      }
      if (c <= 90) {
        pushTok(s, i);
        if (c === 66 && i - s === 5) pemHeader(z, s, i);
      }
      // The cheap first checks of addrRun, cueCandidate and unitRest, here, so most words make no call.
      const len = i - s, y = z[i - 1];
      if (hasBit(STREET_BITS, streetKey(c, y, len)) || (len >= 3 && hasBit(COMPOUND_BITS, compoundKey(z[i - 3], z[i - 2], y)))) addrRun(a, s, i);
      const c1 = len > 1 ? z[s + 1] : 0;
      if (CUE_BIGRAM[bigram(c, c1)] !== 0 || (len === 2 && ((z[i] - 48) >>> 0) < 10)) cueCandidate(a, s, i);
      // A run that starts inside a literal escape: `\` or `%` right before it, or `%` and a digit (`%3D`).
      if (s > 0) {
        const p = z[s - 1];
        if (p === 92 || p === 37 || (((p - 48) >>> 0) < 10 && s > 1 && z[s - 2] === 37)) escapedRun(a, s, i);
      }
      if (UNIT_PAIR[bigram(len > 1 ? z[i - 2] : 0, y)] !== 0) unitRest(a, s, i);
      continue;
    }
    if (st >= 0) {
      endStretch(st, i, digits);
      st = -1;
    }
    // A word in another script, or a Greek/Cyrillic sign the street-number pattern takes for a letter.
    if (c <= 0x4ff && i >= 2 && z[i - 1] === 32) checkAfterNum(a, i);
    if (charClass(c) & (WORD_LETTER | ADDR_LETTER)) i = complexStretch(a, i);
    else i++;
  }
  const pass: WordPass = { text, gen, nTok, tokS, tokE, nStr, strS, strE, nCmp, cmpS, cmpE, nAfterNum, afterNum, nCue, cueAt, cueMask, nNum, numS, numE, nRest, restAt, nSign, signAt, nPem, pemAt, nCjk, cjkS, cjkE };
  ctx.words = pass;
  return pass;
}
