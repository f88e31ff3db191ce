import type { Finding } from '../../core/masking.js';
import { ANY_LETTER, byLastUnit, charClass, codeUnits, LETTER, SPACE, UPPER, WORD_LETTER } from '../chars.js';
import { COMMON, lexicon, NAME, NOT_NAME, TECH, TITLE, wordHash, type Lexicon } from '../lexicon.js';
import type { Detector } from '../types.js';
import { wordPass } from '../words.js';
import { places, type Places } from '../places.js';

const PARTICLES = new Set(['van', 'de', 'der', 'den', 'von', 'da', 'di', 'del', 'della', 'la', 'le', 'du', 'bin', 'ibn', 'al', 'ben', 'dos', 'das', 'y', 'ter', 'ten', 'zu', 'af', 'los', 'las']);
// Words before a name that make the next capitalised words a name (checked with endsWith: no regex per word).
const CUES = ['my name is', 'name is', 'name:', 'i am', "i'm", 'this is', 'hi', 'hello', 'hey', 'dear', 'thanks', 'thank you', 'regards',
  'cheers', 'call me', 'calls me', 'called', 'named', 'named him', 'named her', 'by', 'with', 'says', 'said', 'told', 'asked', 'contact',
  'ask for', 'attn', 'attn:', 'cc', 'cc:', 'from:', 'to:', 'signed', 'patient', 'user:', 'customer:', 'agent:', 'starring', 'directed by',
  'written by', 'featuring', 'meet', 'and', ',', 'is', 'last name?', 'first name?', 'name?', 'maiden name is', 'founders:', 'kid', 'son', 'daughter',
  'wife', 'husband', 'mother', 'father', 'brother', 'sister', 'friend', 'colleague', 'manager', 'ex-zombie',
  // German, Spanish and French salutations and sign-offs.
  'hallo', 'liebe', 'lieber', 'geehrte', 'geehrter', 'danke', 'grüße', 'grüßen', 'hola', 'estimada', 'estimado', 'querida', 'querido',
  'gracias', 'saludos', 'atentamente', 'bonjour', 'cher', 'chère', 'merci', 'cordialement', 'paciente', 'cliente'];
// The cues by their last character, in list order: only the few that can end the text before a word are tried.
const CUES_BY_LAST = byLastUnit(CUES);
const isAsciiLower = (c: number) => c >= 97 && c <= 122;
// The last characters of the cues (ASCII), as a table.
const CUE_LAST = new Uint8Array(128);
for (const k of CUES_BY_LAST.keys()) CUE_LAST[k] = 1;

export function hasCue(text: string, cu: Uint16Array, start: number): boolean {
  // Most words have no cue before them: rule that out from the last non-space character, without slicing.
  const lo = Math.max(0, start - 24);
  let k = start;
  while (k > lo && charClass(cu[k - 1]) & SPACE) k--;
  if (k === lo) return false;
  const z = cu[k - 1];
  if (z >= 128) return hasCueSlow(text, lo, start);
  const zl = z >= 65 && z <= 90 ? z + 32 : z;
  if (!CUE_LAST[zl]) return false;
  const cues = CUES_BY_LAST.get(zl)!;
  // Each cue is compared from its end, lower-casing ASCII on the fly: while every character compared so far is
  // ASCII, the tail of the sliced, lower-cased, trimmed text below lines up with the text character for character
  // (lower-casing ASCII keeps every position; only a character beyond ASCII can change length, and the white space
  // after the cue is trimmed either way). A character beyond ASCII in a cue's place or just before it: the slow way.
  next: for (const c of cues) {
    const p = k - c.length;
    if (p < lo) continue;
    for (let i = c.length - 1; i >= 0; i--) {
      const x = cu[p + i];
      if (x >= 128) return hasCueSlow(text, lo, start);
      if ((x >= 65 && x <= 90 ? x + 32 : x) !== c.charCodeAt(i)) continue next;
    }
    if (p === lo || !isAsciiLower(c.charCodeAt(0))) return true;
    const y = cu[p - 1];
    if (y >= 128) return hasCueSlow(text, lo, start);
    if (!isAsciiLower(y >= 65 && y <= 90 ? y + 32 : y)) return true;
  }
  return false;
}

/** hasCue on the sliced, lower-cased, trimmed text: the reference, and the way for text beyond ASCII. */
export function hasCueSlow(text: string, lo: number, start: number): boolean {
  const b = text.slice(lo, start).toLowerCase().trimEnd();
  const cues = CUES_BY_LAST.get(b.charCodeAt(b.length - 1));
  if (!cues) return false;
  for (const c of cues) {
    if (b.endsWith(c) && (b.length === c.length || !isAsciiLower(b.charCodeAt(b.length - c.length - 1)) || !isAsciiLower(c.charCodeAt(0)))) return true;
  }
  return false;
}

// Days and months are names too (June, August), but read as dates: alone, after a comma, "and" or "is" (a list
// or a date: "Monday, March 27", "Tuesday and Friday", "the deadline is June"), such a word is not a name.
const DATE_WORDS = new Set(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march',
  'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']);
/** The cue before `start` is only a list or copula one: `,`, `and` or `is` (then white space). */
function listCue(text: string, start: number): boolean {
  let k = start;
  while (k > 0 && charClass(text.charCodeAt(k - 1)) & SPACE) k--;
  if (text.charCodeAt(k - 1) === 44) return true;
  const w = wordBefore(text, k);
  return w === 'and' || w === 'And' || w === 'is' || w === 'Is';
}

/**
 * Is the lone word [start, end) (token `t`) made a name only by a list cue? A day or month after `,`, `and` or `is`
 * is a date. A word that is both a common word and a name (Pro, Mark, Brown) after `,` or `and` is an item of a list
 * of things ("Basic $9.99, Pro $29.99", "Kubernetes, Docker") unless a name-like word is the item before it
 * ("Muslija and Brown"), a greeting or another cue stands before the comma ("Thanks, Grant"), or it ends a sentence
 * with `!` or `?` ("Don't go, Mark!").
 */
function listOnly(text: string, cu: Uint16Array, start: number, end: number, t: number, lowerOf: (t: number) => string): boolean {
  if (!listCue(text, start)) return false;
  if (DATE_WORDS.has(lowerOf(t))) return true;
  if (tK[t] !== K_NAME_COMMON) return false;
  const nc = at(cu, end);
  if (nc === 33 || nc === 63 || end === cu.length) return false;
  let k = start;
  while (k > 0 && charClass(cu[k - 1]) & SPACE) k--;
  if (cu[k - 1] === 44) k--;
  else {
    const w = wordBefore(text, k);
    if (w !== 'and' && w !== 'And') return false;
    k -= 3;
  }
  while (k > 0 && charClass(cu[k - 1]) & SPACE) k--;
  if (t > 0 && tE[t - 1] === k && tK[t - 1] !== K_COMMON && tK[t - 1] !== K_TITLE) return false;
  return !hasCue(text, cu, k);
}

/**
 * Is the cue before `start` only a list one (`,`, `and`, `is`) on the line before? A line break ends a list or a
 * vocative: after "Hi Anna,\n" the next line's first word is no item of it ("The invoice is attached"). A comma
 * after a sign-off cue still is one ("Best regards,\nKowalczyk").
 */
function listCueAcrossLine(text: string, cu: Uint16Array, start: number): boolean {
  let k = start, line = false;
  while (k > 0 && charClass(cu[k - 1]) & SPACE) {
    if (cu[k - 1] === 10 || cu[k - 1] === 13) line = true;
    k--;
  }
  if (!line) return false;
  if (cu[k - 1] === 44) return !hasCue(text, cu, k - 1);
  const w = wordBefore(text, k);
  return w === 'and' || w === 'And' || w === 'is' || w === 'Is';
}

/** Does [s, e) hold a hyphen (inside: the word pass keeps only inner ones)? */
function hasHyphen(cu: Uint16Array, s: number, e: number): boolean {
  for (let i = s + 1; i < e - 1; i++) if (cu[i] === 45) return true;
  return false;
}

/** Does speech follow a speaker label's colon at `p`: a letter after white space and quotes, not a number or a symbol? */
function saysWords(cu: Uint16Array, p: number): boolean {
  const hi = Math.min(cu.length, p + 8);
  while (p < hi && (cu[p] === 32 || cu[p] === 9 || cu[p] === 34 || cu[p] === 39 || cu[p] === 0x201c)) p++;
  return p < cu.length && (charClass(cu[p]) & ANY_LETTER) !== 0;
}

/**
 * Flags of a hyphenated word the lists do not hold, from its parts: a header or trailer name ("Content-Type",
 * "X-Request-Id", "Signed-off-by", "User-Agent") is made of common words, starts with `X-` or ends in `-by`; it reads as a common
 * word. A part that is only a name ("Smith-Jones", "Day-Lewis", "Jean-Luc") keeps it a name candidate (0).
 */
function compoundFlags(lower: string, lex: Lexicon): number {
  const parts = lower.split('-');
  // `X-…` is a header by convention, `…-by` a commit trailer (Signed-off-by, Co-authored-by, Reviewed-by).
  if (parts[0] === 'x' || parts[parts.length - 1] === 'by') return COMMON;
  let common = 0, other = 0;
  for (const p of parts) {
    if (p.length <= 1) continue;
    const f = lex.lookup(p, wordHash(p));
    if (f & NAME && !(f & (COMMON | NOT_NAME))) return 0;
    if (f & (COMMON | NOT_NAME)) common++;
    else other++;
  }
  return common > 0 && common > other ? COMMON : 0;
}

/**
 * Does a postal code end right before `start`: 5 digits, or 4 that are not a year (1900–2099), with an optional
 * country prefix ("10115 ", "F-75008 ", "A-1010 ", "CH-8001 "), or `NN-NNN` / `NNNN-NNN` ("00-950 ", "1100-053 ")? Read from the code units; most words fail at the
 * first look.
 */
function afterPostalCode(cu: Uint16Array, start: number): boolean {
  let k = start - 1;
  if (at(cu, k) !== 32) return false;
  const d = at(cu, k - 1);
  if (d < 48 || d > 57) return false;
  let i = k - 1;
  while (i >= 0 && cu[i] >= 48 && cu[i] <= 57) i--;
  let n = k - 1 - i;
  // Polish and Portuguese codes: "00-950 Warszawa", "1100-053 Lisboa".
  if (n === 3 && at(cu, i) === 45) {
    let h = i - 1;
    while (h >= 0 && cu[h] >= 48 && cu[h] <= 57) h--;
    if (i - 1 - h !== 2 && i - 1 - h !== 4) return false;
    i = h;
    n = 5;
  }
  if (n !== 4 && n !== 5) return false;
  const c = at(cu, i); // before the digits: start, white space, `,`, `(` or the `-` of a country prefix
  const isUp = (x: number) => x >= 65 && x <= 90;
  const prefix = c === 45 && isUp(at(cu, i - 1)) && (i < 2 || !(charClass(cu[i - 2]) & WORD_LETTER) || (isUp(cu[i - 2]) && (i < 3 || !(charClass(cu[i - 3]) & WORD_LETTER))));
  if (!(i < 0 || charClass(c) & SPACE || c === 44 || c === 40 || prefix)) return false;
  if (n === 4 && !prefix) {
    const y = (cu[i + 1] - 48) * 10 + (cu[i + 2] - 48);
    if (y === 19 || y === 20) return false;
  }
  return true;
}

// Word kinds, one byte per token.
const K_TITLE = 1, K_INITIAL = 2, K_NAME = 3, K_NAME_COMMON = 4, K_UNKNOWN = 5, K_COMMON = 6;

/** Kind of a capitalised word from its lexicon flags, its lower-cased length and its second character. */
function kindOf(fl: number, len: number, c1: number): number {
  if (fl & TITLE) return K_TITLE;
  if (fl & NOT_NAME) return K_COMMON;
  if (len === 1) return K_INITIAL;
  const isName = (fl & NAME) !== 0;
  const isCommon = (fl & COMMON) !== 0;
  if (c1 >= 65 && c1 <= 90) return isName && !isCommon && len >= 4 ? K_NAME_COMMON : K_COMMON; // acronyms, headings
  if (isName) return isCommon ? K_NAME_COMMON : K_NAME;
  if (isCommon) return K_COMMON;
  return len >= 3 ? K_UNKNOWN : K_COMMON;
}

/** The code unit at `i`, or 0 outside the text (where charCodeAt gives NaN: no comparison here tells them apart). */
const at = (cu: Uint16Array, i: number) => (i >= 0 && i < cu.length ? cu[i] : 0);

function sentenceStart(cu: Uint16Array, pos: number): boolean {
  let i = pos - 1;
  let c = at(cu, i);
  while (i >= 0 && (c === 32 || c === 34 || c === 9)) c = at(cu, --i); // ' ', '"', tab
  // after . ! ? newline > : * - •
  return i < 0 || c === 46 || c === 33 || c === 63 || c === 10 || c === 62 || c === 58 || c === 42 || c === 45 || c === 0x2022;
}

/** Are the words ending at `e` and starting at `s` one name: one space, or ` de `, ` van der `-like particles? */
function joinable(text: string, cu: Uint16Array, e: number, s: number): boolean {
  const len = s - e;
  if (len === 1) return cu[e] === 32;
  if (len < 3 || len > 12 || cu[e] !== 32) return false;
  // An Arabic article glued to the surname: "Ahmed al-Farsi", "Omar el-Sayed", "Nasir ud-Din".
  if (cu[s - 1] === 45) return len <= 6 && HYPHEN_PARTICLE_CODES.has(particleCode(cu, e + 1, s - 1));
  if (cu[s - 1] !== 32) return false;
  if (len <= 8 && isParticle(cu, e, s)) return true;
  // Two particles: "María de la Cruz", "Jan van der Berg", "Ana de los Santos".
  for (let k = e + 2; k < s - 2; k++) {
    if (cu[k] === 32) return isParticle(cu, e, k + 1) && isParticle(cu, k, s);
  }
  return false;
}
// The particles as numbers: each is 1 to 5 lower-case ASCII letters, a letter a digit 1–26 in base 27.
const particleCode = (cu: ArrayLike<number>, a: number, b: number): number => {
  let code = 0;
  for (let k = a; k < b; k++) {
    const c = cu[k];
    if (c < 97 || c > 122) return -1;
    code = code * 27 + (c - 96);
  }
  return code;
};
const PARTICLE_CODES = new Set([...PARTICLES].map((w) => particleCode(Uint16Array.from(w, (ch) => ch.charCodeAt(0)), 0, w.length)));
const HYPHEN_PARTICLE_CODES = new Set(['al', 'el', 'ul', 'ud', 'ad', 'ar', 'as', 'ash', 'at', 'az', 'ibn', 'bin', 'abu', 'abd', 'bint'].map((w) =>
  particleCode(Uint16Array.from(w, (ch) => ch.charCodeAt(0)), 0, w.length)));
/** After the word ending at `e`: ` al-X`, ` el-X`, … (an Arabic article glued to a capitalised surname): where X starts, or -1. */
function hyphenSurname(cu: Uint16Array, e: number): number {
  if (at(cu, e) !== 32) return -1;
  const c = at(cu, e + 1);
  if (c !== 97 && c !== 101 && c !== 117 && c !== 105 && c !== 98) return -1; // a e u i b
  if (at(cu, e + 3) !== 45 && at(cu, e + 4) !== 45 && at(cu, e + 5) !== 45) return -1; // no hyphen after 2–4 letters
  let h = e + 2;
  while (h < cu.length && h - e <= 5 && cu[h] >= 97 && cu[h] <= 122) h++;
  if (at(cu, h) !== 45 || !(charClass(at(cu, h + 1)) & UPPER)) return -1;
  return HYPHEN_PARTICLE_CODES.has(particleCode(cu, e + 1, h)) ? h + 1 : -1;
}
/** `PARTICLES.has(text.slice(e, s).trim())`, read from the code units: no slice, no trimmed string. */
export function isParticle(cu: Uint16Array, e: number, s: number): boolean {
  let a = e, b = s;
  while (a < b && charClass(cu[a]) & SPACE) a++; // trim() removes what \s matches
  while (b > a && charClass(cu[b - 1]) & SPACE) b--;
  return b > a && b - a <= 5 && PARTICLE_CODES.has(particleCode(cu, a, b));
}

// Token buffers, reused across calls (detectors run synchronously, one at a time). Grown on demand.
let tS = new Int32Array(1024); // start
let tE = new Int32Array(1024); // end (after a stripped 's, past the dot of an initial or title)
let tK = new Uint8Array(1024); // kind
let tF = new Uint8Array(1024); // lexicon flags
let tNew = new Uint8Array(1024); // 1 = starts a new sequence
let tH = new Int32Array(1024); // hash of the lower-cased word
let tMark = new Uint8Array(1024); // 1 = a finding starts at this word, 2 = one ends at it
let tW = new Int32Array(1024); // end of the looked-up word (before a stripped 's or a dot) if it is plain ASCII, else -(1 + index of its lower case in `lowers`)
let tId = new Int32Array(1024); // the text's first token with the same lower-cased word (the word's id)
let tKnown = new Uint8Array(1024); // by word id: 1 = the word was accepted as a name in this text

function grow(): void {
  const n = tS.length * 2;
  const s = new Int32Array(n), e = new Int32Array(n), k = new Uint8Array(n), f = new Uint8Array(n), q = new Uint8Array(n), h = new Int32Array(n);
  const wd = new Int32Array(n), id = new Int32Array(n);
  s.set(tS), e.set(tE), k.set(tK), f.set(tF), q.set(tNew), h.set(tH), wd.set(tW), id.set(tId);
  tS = s, tE = e, tK = k, tF = f, tNew = q, tH = h, tW = wd, tId = id;
  tMark = new Uint8Array(n);
  tKnown = new Uint8Array(n);
}
function shrink(): void {
  tS = new Int32Array(1024), tE = new Int32Array(1024), tH = new Int32Array(1024);
  tK = new Uint8Array(1024), tF = new Uint8Array(1024), tNew = new Uint8Array(1024), tMark = new Uint8Array(1024);
  tW = new Int32Array(1024), tId = new Int32Array(1024), tKnown = new Uint8Array(1024);
  if (words.length > 1 << 19) words = new Int32Array(1 << 12);
}

// The words of the text being scanned, by lower-cased hash (open addressing: token index + 1 of the word's first
// token, 0 = empty; at least twice as many slots as tokens). Every token is looked up here before the lexicon: a
// word that came before in the text (most do: names and headings recur) takes that token's flags, and its index is
// the word's id (the same name elsewhere is found by id). It holds token indices only, no text, and is cleared
// at the start of each call.
let words = new Int32Array(1 << 12);
let wordsShift = 20;
/** Make `words` empty with room for `n` tokens. */
function resetWords(n: number): void {
  let bits = 4;
  while (1 << bits < 2 * n) bits++;
  if (words.length < 1 << bits) words = new Int32Array(1 << bits);
  else words.fill(0, 0, 1 << bits);
  wordsShift = 32 - bits;
}
const wordSlot = (hash: number) => Math.imul(hash, 0x9e3779b1) >>> wordsShift;
const wordsMask = () => (1 << (32 - wordsShift)) - 1;
/** Does token r lower-case to the same word as the plain ASCII word [s, e)? */
function sameAscii(text: string, cu: Uint16Array, lowers: string[], r: number, s: number, e: number): boolean {
  const er = tW[r];
  if (er < 0) return lowers[-er - 1] === text.slice(s, e).toLowerCase();
  const sr = tS[r], n = e - s;
  if (er - sr !== n) return false;
  for (let i = 0; i < n; i++) {
    let x = cu[sr + i], y = cu[s + i];
    if (x !== y) {
      if (x >= 65 && x <= 90) x += 32;
      if (y >= 65 && y <= 90) y += 32;
      if (x !== y) return false;
    }
  }
  return true;
}
/** Does token r lower-case to `lower`? */
function sameLower(cu: Uint16Array, lowers: string[], r: number, lower: string): boolean {
  const er = tW[r];
  if (er < 0) return lowers[-er - 1] === lower;
  const sr = tS[r], n = lower.length;
  if (er - sr !== n) return false;
  for (let i = 0; i < n; i++) {
    const x = cu[sr + i];
    if ((x >= 65 && x <= 90 ? x + 32 : x) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

const CACHE_MASK = 4095;
const cacheWord: (string | undefined)[] = new Array(CACHE_MASK + 1).fill(undefined);
const cacheLower: string[] = new Array(CACHE_MASK + 1).fill('');
const cacheFlags = new Uint8Array(CACHE_MASK + 1);
const cacheHash = new Int32Array(CACHE_MASK + 1);
const cacheLowerHash = new Int32Array(CACHE_MASK + 1);
const cacheKind = new Uint8Array(CACHE_MASK + 1);

// Words beyond ASCII met earlier in the call, direct-mapped by the hash of their exact spelling: where the word was
// ([spelledS, spelledE)) and its token, valid while spelledGen holds the call's number. Positions and token indices
// only, no text. (The cache above keeps no names; this finds a name's earlier token, with its lower case.)
const SPELLED_MASK = 1023;
const spelledGen = new Int32Array(SPELLED_MASK + 1), spelledS = new Int32Array(SPELLED_MASK + 1);
const spelledE = new Int32Array(SPELLED_MASK + 1), spelledTok = new Int32Array(SPELLED_MASK + 1);
let callGen = 0;
/** Are the `n` code units at `a` and at `b` the same? */
function sameUnits(cu: Uint16Array, a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (cu[a + k] !== cu[b + k]) return false;
  return true;
}

/** The words the non-ASCII word cache holds between calls (for tests: it must never hold a name). */
export function personCacheWords(): string[] {
  return cacheWord.filter((w): w is string => w !== undefined);
}

/** Field names (normalised, see scan.ts normaliseField) that are a person alone: `"customer": "Ana Lima"`. */
export const NAME_FIELD_WORDS = ['surname', 'customer', 'patient', 'contact', 'owner', 'author', 'assignee', 'requester'];
/**
 * People, as the word before `name` in a field name (`customer_name`, `cardholder_name`, `emergency_contact_name`)
 * or before a kind of name (`customer_display_name`). Any other `<thing>_name` (table, host, product, company,
 * service, event, file, team) names a thing: its value is read as text, where a real person's name is still found
 * by the name lists.
 */
export const NAME_FIELD_OWNERS = [
  'person', 'customer', 'patient', 'contact', 'owner', 'author', 'assignee', 'requester', 'requestor', 'reporter',
  'reviewer', 'approver', 'employee', 'member', 'client', 'cardholder', 'holder', 'guest', 'student', 'teacher',
  'driver', 'passenger', 'traveler', 'traveller', 'recipient', 'sender', 'applicant', 'beneficiary', 'spouse',
  'parent', 'father', 'mother', 'guardian', 'manager', 'supervisor', 'doctor', 'physician', 'nurse', 'caregiver',
  'tenant', 'signer', 'witness', 'candidate', 'attendee', 'participant', 'maintainer', 'committer',
];
/** Parts of a person's name: a person's whatever comes before them (`billing_first_name`). */
export const NAME_FIELD_PARTS = ['first', 'last', 'given', 'family', 'middle', 'maiden'];
/** Kinds of name that are a person's alone or after a person (`display_name`, `customer_display_name`), not after
 * a thing (`app_display_name`, `repo_full_name`). */
export const NAME_FIELD_KINDS = ['full', 'display', 'nick', 'real', 'preferred'];
/** Field names whose value is a place (a place's context: see isPlaceHere), also as `<place>_name`. */
export const PLACE_FIELD_WORDS = ['city', 'town', 'country', 'state', 'province', 'region', 'location', 'place', 'destination', 'origin', 'capital', 'county', 'locality', 'office', 'site'];
// `name` alone; `<owner>_name` or `<part>_name` (also joined: `firstname`); `<kind>_name` alone or after an owner;
// `user_name` (not `username`: a login); a person word alone (`customer`, `emergency_contact`).
const FIELD_IS_NAME = new RegExp(
  `^name$|(?:^|_)(?:${NAME_FIELD_OWNERS.join('|')}|${NAME_FIELD_PARTS.join('|')})_?name$|(?:^|(?:^|_)(?:${NAME_FIELD_OWNERS.join('|')})_)(?:${NAME_FIELD_KINDS.join('|')})_?name$` +
    `|(?:^|_)user_name$|(?:^|_)(?:${NAME_FIELD_WORDS.join('|')})$`,
);
// `<thing>_name` (table_name, host_name, product_name, company_name, service_name, file_name, team_name, city_name)
// and the joined forms of the commonest (hostname, filename): the value names a thing. A person's name is still one
// there with two known name words (`"file_name": "John Smith CV.pdf"`) or an honorific, not on one name-list word
// ("Web Server", "Billing API", "Jordan").
/** Things, as the word before `name` in a field name: their `<thing>_name` names a thing. Any other `<word>_name`
 * (`billing_name`, `payee_name`, `insured_name`, `subscriber_name`) is taken for a person's: a name left unmasked is
 * the worse mistake. */
export const THING_FIELD_WORDS = [
  'table', 'host', 'product', 'company', 'service', 'event', 'file', 'team', 'app', 'application', 'repo', 'repository',
  'project', 'database', 'db', 'schema', 'column', 'field', 'index', 'bucket', 'cluster', 'node', 'pod', 'container',
  'image', 'namespace', 'queue', 'topic', 'job', 'task', 'stage', 'step', 'branch', 'tag', 'key', 'domain', 'server',
  'machine', 'device', 'model', 'brand', 'category', 'item', 'sku', 'plan', 'org', 'organization', 'organisation',
  'business', 'store', 'shop', 'bank', 'metric', 'feature', 'flag', 'module', 'package', 'library', 'class',
  'function', 'method', 'variable', 'param', 'parameter', 'resource', 'role', 'group', 'channel', 'workspace',
  'collection', 'document', 'doc', 'folder', 'dir', 'directory', 'path', 'attachment', 'report', 'dashboard', 'view',
  'page', 'env', 'environment', 'stack', 'deployment', 'release', 'build', 'pipeline', 'workflow', 'rule', 'policy',
  'alert', 'test', 'suite', 'browser', 'os', 'platform', 'provider', 'plugin', 'extension', 'font', 'color', 'colour',
  'theme', 'layer', 'sheet', 'tab', 'list', 'board', 'trade', 'vm', 'volume', 'disk', 'network',
  'subnet', 'vpc', 'zone', 'bundle', 'object', 'entity', 'type', 'kind', 'unit', 'course', 'campaign', 'segment',
];
const FIELD_IS_THING = new RegExp(`(?:^|_)(?:${THING_FIELD_WORDS.join('|')})_(?:(?:${NAME_FIELD_KINDS.join('|')})_)?name$|(?:^|_)(?:${THING_FIELD_WORDS.join('|')})name$|^(?:host|file|path|domain|server|table|app|db|image|container|node|cluster|bucket|branch|repo)name$`);
/** `<word>_name` that is neither a thing's (THING_FIELD_WORDS) nor a place's: a person's. */
const OTHER_NAME_FIELD = /(?:^|_)[a-z0-9]+_name$/;
const FIELD_IS_PLACE = new RegExp(`(?:^|_)(?:${PLACE_FIELD_WORDS.join('|')})(?:_?name)?$`, 'i');
// Words right before a place ("in Lisbon", "from Berlin to Lisbon", "shipped to Germany").
const LOCATIVE = new Set(['in', 'from', 'to', 'at', 'near', 'via', 'across', 'around', 'through', 'throughout', 'outside', 'within', 'into', 'toward', 'towards', 'between',
  // German, Spanish, French: "aus Berlin", "nach München", "desde Madrid", "en Sevilla", "à Lyon", "depuis Paris".
  'aus', 'nach', 'von', 'bei', 'ab', 'über', 'desde', 'hacia', 'hasta', 'en', 'a', 'de', 'para', 'por', 'à', 'vers', 'depuis', 'pour']);
export const KEY_BEFORE = /([A-Za-z_]+)["']?\s*[:=]\s*["']?$/;

/** A letter (`\p{L}`), a hyphen or an apostrophe: what wordBefore and wordAfter take. */
const isWordUnit = (c: number) => (charClass(c) & LETTER) !== 0 || c === 45 || c === 39;
/** The word (letters, apostrophes, hyphens) that ends at `end`, or starts at `start`; '' if none. */
function wordBefore(text: string, end: number): string {
  let i = end;
  while (i > 0 && isWordUnit(text.charCodeAt(i - 1))) i--;
  return text.slice(i, end);
}
function wordAfter(text: string, start: number): string {
  let i = start;
  while (i < text.length && isWordUnit(text.charCodeAt(i))) i++;
  return text.slice(start, i);
}
const capitalised = (w: string) => w.length > 0 && w[0] !== w[0]!.toLowerCase();

let placeList: Places | undefined;

/**
 * Should the PERSON candidate [start, end), whose first word has lower-cased hash `firstHash`, be left alone as a
 * place? Kept out of the detector's loop (one call there): most candidates stop at the first-word filter.
 */
function placeVeto(text: string, start: number, end: number, firstHash: number, field: string | undefined): boolean {
  placeList ??= places();
  if (!placeList.mayStartWith(firstHash)) return false;
  return isPlaceHere(text, start, end, !!field && FIELD_IS_PLACE.test(field));
}

/**
 * Is [start, end) a place name in a place's context: a place field, a locative word right before it, or another
 * place listed beside it ("Austin, Texas", "Berlin and Lisbon")? Only asked of PERSON candidates (a few per text).
 */
function isPlaceHere(text: string, start: number, end: number, fieldIsPlace: boolean): boolean {
  const span = spanLower(text, start, end);
  const p = places();
  if (!p.has(span)) return false;
  if (fieldIsPlace) return true;
  // A key just before the value, in JSON, YAML, logfmt or a header: `"city": "Lisbon"`, `country=Germany`.
  const key = keyBefore(text, start);
  if (key !== '' && FIELD_IS_PLACE.test(key)) return true;
  let i = start;
  while (i > 0 && (text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) i--;
  if (i < start && LOCATIVE.has(wordBefore(text, i).toLowerCase())) return true;
  // A neighbour in a list of places: "<place>, " / "<place> and " before, ", <place>" / " and <place>" after.
  const after = /^(?:, ?| and | or )/.exec(text.slice(end, end + 6));
  if (after) {
    const w = wordAfter(text, end + after[0].length);
    if (capitalised(w) && p.has(w.toLowerCase())) return true;
  }
  const before = /(?:, ?| and | or )$/.exec(text.slice(Math.max(0, start - 6), start));
  if (before) {
    const w = wordBefore(text, start - before[0].length);
    if (capitalised(w) && p.has(w.toLowerCase())) return true;
  }
  return false;
}

/** `text.slice(start, end).toLowerCase().replace(/\s+/g, ' ')`, without the regex where no white space but single spaces is inside. */
function spanLower(text: string, start: number, end: number): string {
  const lower = text.slice(start, end).toLowerCase();
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if ((c !== 32 || (k + 1 < end && text.charCodeAt(k + 1) === 32)) && charClass(c) & SPACE) return lower.replace(/\s+/g, ' ');
  }
  return lower;
}

const isQuote = (c: number) => c === 34 || c === 39;
const isKeyChar = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/**
 * The key KEY_BEFORE captures in the 40 characters before `start` (`"city": "`, `country=`), or ''. Read backwards:
 * the classes of the pattern's parts (quote, white space, `:`/`=`, key letters) are disjoint, so from the end each
 * part is forced, and the leftmost match's key is the whole run of key letters (down to the window's start).
 */
export function keyBefore(text: string, start: number): string {
  const lo = Math.max(0, start - 40);
  let p = start;
  if (p > lo && isQuote(text.charCodeAt(p - 1))) p--;
  while (p > lo && charClass(text.charCodeAt(p - 1)) & SPACE) p--;
  if (p === lo) return '';
  const eq = text.charCodeAt(p - 1);
  if (eq !== 58 && eq !== 61) return '';
  p--;
  while (p > lo && charClass(text.charCodeAt(p - 1)) & SPACE) p--;
  if (p > lo && isQuote(text.charCodeAt(p - 1))) p--;
  let k = p;
  while (k > lo && isKeyChar(text.charCodeAt(k - 1))) k--;
  return text.slice(k, p);
}

// Name prefixes written with an inner capital: McDonald, MacArthur, DeShawn, LaToya, VanDyke, O'Neil-like forms.
const CAMEL_PREFIXES = new Set(['mc', 'mac', 'de', 'di', 'da', 'du', 'del', 'della', 'la', 'le', 'van', 'von', 'ter', 'fitz', 'st', 'o', 'ja', 'ke', 'ra', 'sha', 'jo']);
/**
 * Is the CamelCase word [s, e) code: its first hump is no name prefix, and it has three humps or more, or its last
 * hump is not a name? Only asked of the rare capitalised words with an inner capital outside the name lists.
 */
function camelCode(cu: Uint16Array, s: number, e: number, lex: Lexicon): boolean {
  let humps = 1, first = -1, last = s;
  for (let j = s + 1; j < e; j++) {
    const c = cu[j];
    if (c >= 65 && c <= 90 && cu[j - 1] >= 97 && cu[j - 1] <= 122) {
      if (first < 0) first = j;
      humps++;
      last = j;
    }
  }
  let firstHump = '';
  for (let j = s; j < first; j++) firstHump += String.fromCharCode(cu[j] | 32);
  if (CAMEL_PREFIXES.has(firstHump)) return false;
  if (humps >= 3) return true;
  let tail = '';
  for (let j = last; j < e; j++) tail += String.fromCharCode(cu[j] >= 65 && cu[j] <= 90 ? cu[j] + 32 : cu[j]);
  const f = lex.lookup(tail, wordHash(tail));
  return !(f & NAME) || (f & (COMMON | NOT_NAME | TECH)) !== 0;
}

const isIdent = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
/** The word at `s` follows `.` in a dotted identifier that starts in lower case or `_` ("java.lang.", "self.", "error."). */
function dottedCode(cu: Uint16Array, s: number): boolean {
  let k = s - 1; // the dot
  if (k < 1 || !isIdent(cu[k - 1])) return false;
  const lo = Math.max(0, s - 128);
  while (k > lo && (isIdent(cu[k - 1]) || cu[k - 1] === 46)) k--;
  const c = cu[k];
  return (c >= 97 && c <= 122) || c === 95;
}

/** The run without white space around the word at `s` (between two `/`) starts as a path: `/`, `~`, `.` or `X:`. */
function pathRun(cu: Uint16Array, s: number): boolean {
  let k = s;
  const lo = Math.max(0, s - 256);
  while (k > lo && !(charClass(cu[k - 1]) & SPACE) && cu[k - 1] !== 34 && cu[k - 1] !== 39 && cu[k - 1] !== 40 && cu[k - 1] !== 61) k--;
  const c = cu[k];
  return c === 47 || c === 126 || c === 46 || (k + 1 < cu.length && cu[k + 1] === 58 && ((c | 32) >= 97 && (c | 32) <= 122));
}

// Service and CI accounts whose names are in the name lists too.
const ACCOUNTS = new Set(['runner', 'ubuntu', 'admin', 'administrator', 'root', 'git', 'node', 'deploy', 'deployer', 'vagrant', 'jenkins', 'build', 'builder',
  'buildkite', 'circleci', 'travis', 'postgres', 'guest', 'user', 'default', 'public', 'shared', 'docker', 'app', 'service', 'centos', 'debian', 'fedora',
  'alpine', 'opc', 'azureuser', 'ec2-user', 'www-data', 'vscode', 'codespace', 'gitpod', 'appveyor', 'vsts', 'cloudshell', 'steam', 'linuxbrew', 'temp']);
// Cues before a CJK or Hangul name (which has no capital letter and, in Chinese and Japanese, no space around it):
// with a colon after them (labels), or with or without one.
const CJK_LABEL_CUES = ['name', 'customer', 'client', 'user', 'agent', 'author', 'owner', 'assignee', 'reporter', 'from', 'to', 'cc', 'by', 'attn',
  '姓名', '名字', '联系人', '客户', '顾客', '患者', '用户', '作者', '氏名', '名前', '担当', '担当者', '顧客', '이름', '성명', '고객', '환자', '담당자', '작성자'];
const CJK_CUES = ['contact', 'patient', 'customer', 'dear', 'hi', 'hello', 'mr.', 'mrs.', 'ms.', 'dr.', 'mr', 'ms', 'dr', 'my name is', 'name is', 'i am', "i'm",
  'this is', 'called', 'named', 'ask for', 'thanks', 'regards', 'signed', 'paciente', 'cliente'];
/**
 * A run of 2–4 CJK or Hangul letters right after a strong cue ("contact 王小明", "Customer: 李娜", "姓名：김민준") is a
 * name. Longer runs are text (Chinese and Japanese write no spaces, so a name inside a sentence is not found).
 */
function cjkNames(text: string, w: { nCjk: number; cjkS: Int32Array; cjkE: Int32Array }, out: Finding[]): void {
  for (let i = 0; i < w.nCjk; i++) {
    const s = w.cjkS[i], e = w.cjkE[i];
    if (e - s < 2 || e - s > 4) continue;
    let b = text.slice(Math.max(0, s - 16), s).toLowerCase();
    let k = b.length;
    while (k > 0 && (b.charCodeAt(k - 1) === 32 || b.charCodeAt(k - 1) === 9 || b.charCodeAt(k - 1) === 0x3000)) k--;
    const colon = k > 0 && (b.charCodeAt(k - 1) === 58 || b.charCodeAt(k - 1) === 0xff1a);
    if (colon) k--;
    while (k > 0 && (b.charCodeAt(k - 1) === 32 || b.charCodeAt(k - 1) === 9)) k--;
    b = b.slice(0, k);
    const cue = (c: string) => b.endsWith(c) && (b.length === c.length || c.charCodeAt(0) >= 0x3040 || !(charClass(b.charCodeAt(b.length - c.length - 1)) & WORD_LETTER));
    if ((colon && CJK_LABEL_CUES.some(cue)) || CJK_CUES.some(cue)) out.push({ type: 'PERSON', start: s, end: e, confidence: 0.75, detector: 'person' });
  }
}

/**
 * The user name of a home or profile path (`/Users/<name>/`, `/home/<name>/`, `C:\Users\<name>\`) when it reads as a
 * person's name: parts joined by `.`, `_` or `-` of which one is a known name ("Michael.Johnson", "priya_sharma"),
 * or one known name that is no common, software or label word ("anna"; not "Shared", "runner", "ubuntu", "admin").
 * Found from the word `Users` between separators (the word pass), and an `indexOf` for `/home/`.
 */
function profileNames(text: string, cu: Uint16Array, out: Finding[]): void {
  for (let i = text.indexOf('/home/'); i >= 0; i = text.indexOf('/home/', i + 1)) profileUser(text, cu, i + 6, out);
}
/** The user name segment starting at `a` (after `/Users/`, `/home/`, `\Users\`), if it reads as a person's name. */
function profileUser(text: string, cu: Uint16Array, a: number, out: Finding[]): void {
  let b = a;
  while (b < cu.length && b - a < 64 && (charClass(cu[b]) & ANY_LETTER || cu[b] === 46 || cu[b] === 95 || cu[b] === 45)) b++;
  if (b === a || b - a >= 64) return;
  const lower = text.slice(a, b).toLowerCase();
  if (ACCOUNTS.has(lower)) return;
  const parts = lower.split(/[._-]/);
  const lex = lexicon();
  let names = 0;
  for (const p of parts) {
    if (p.length < 2) {
      if (parts.length === 1) return;
      continue;
    }
    const f = lex.lookup(p, wordHash(p));
    if (f & NAME) names++;
    if (parts.length === 1 && (!(f & NAME) || f & (COMMON | NOT_NAME | TECH) || p.length < 3)) return;
  }
  if (names > 0) out.push({ type: 'PERSON', start: a, end: b, confidence: 0.75, detector: 'person' });
}

const VOCATIVE = /^, (?:can|could|would|will|please|I|you|we)\b/;

/** [s, e) lies in a run of 16+ characters without white space (looked at up to 64 on each side) that holds a digit. */
function inDigitBlob(cu: Uint16Array, s: number, e: number): boolean {
  let digit = false;
  let a = s;
  for (const lo = Math.max(0, s - 64); a > lo; a--) {
    const c = cu[a - 1];
    if (charClass(c) & SPACE) break;
    if (c >= 48 && c <= 57) digit = true;
  }
  let b = e;
  for (const hi = Math.min(cu.length, e + 64); b < hi; b++) {
    const c = cu[b];
    if (charClass(c) & SPACE) break;
    if (c >= 48 && c <= 57) digit = true;
  }
  return digit && b - a >= 16;
}

/**
 * PERSON without an NLP model: sequences of capitalised words scored with name lists (given names and
 * surnames), common-English words, honorifics (Mr, Dr, …) and cues before them ("my name is", "Hi", "Dear",
 * "directed by"). A name found once is masked everywhere else it occurs in the same text.
 *
 * The capitalised words come from the word pass shared with the address detector (words.ts); each is looked up
 * once in the lexicon and grouped into sequences, and the scoring works on token indices, without per-word objects.
 */
export const persons: Detector = (text, out, ctx) => {
  const w = wordPass(text, ctx);
  profileNames(text, codeUnits(text, ctx), out);
  if (w.nCjk) cjkNames(text, w, out);
  if (w.nTok === 0) return;
  if (tS.length > 1 << 18) shrink(); // after a very large text, do not keep its buffers
  // Lower-cased forms of the words that are not plain ASCII (per call: no word of the text outlives it); an ASCII
  // word is lower-cased on the fly from the code units wherever it is compared.
  const lowers: string[] = [];
  const cu = codeUnits(text, ctx);
  const lex = lexicon();
  callGen = callGen === 0x7fffffff ? 1 : callGen + 1;
  let count = 0;
  let seqLen = 0;
  // The word pass yields no word for a surname glued to an Arabic article ("al-Farsi" starts in lower case): after
  // a capitalised word, ` al-`/` el-`/… and a capital letter add the surname as a word of its own (rare: the token
  // lists are copied only then).
  let tokS = w.tokS, tokE = w.tokE, nTok = w.nTok;
  let first = -1;
  for (let t = 0; t < w.nTok && first < 0; t++) {
    const c = at(cu, w.tokE[t] + 1); // the article's first letter (hyphenSurname's first test, here)
    if ((c === 97 || c === 101 || c === 117 || c === 105 || c === 98) && hyphenSurname(cu, w.tokE[t]) >= 0) first = t;
  }
  if (first >= 0) {
    tokS = new Int32Array(w.nTok * 2), tokE = new Int32Array(w.nTok * 2), nTok = 0;
    for (let t = 0; t < w.nTok; t++) {
      tokS[nTok] = w.tokS[t], tokE[nTok++] = w.tokE[t];
      const p = t >= first ? hyphenSurname(cu, w.tokE[t]) : -1;
      if (p < 0) continue;
      let q = p + 1;
      while (q < cu.length && charClass(cu[q]) & WORD_LETTER) q++;
      tokS[nTok] = p, tokE[nTok++] = q;
    }
  }
  resetWords(nTok);
  const mask = wordsMask();
  for (let t = 0; t < nTok; t++) {
    // A capitalised word [s, e): strip a possessive 's, look it up once.
    const s = tokS[t];
    let e = tokE[t];
    // Glued to a digit, it is part of a token (base64, a hash, an id: "LJPb8Mat1X"), not a name; so is a word
    // between slashes or pluses inside a long run without spaces that holds digits ("TZ/Ru/BT" in base64).
    const before = s > 0 ? cu[s - 1] : 32, after = e < cu.length ? cu[e] : 32;
    if ((before >= 48 && before <= 57) || (after >= 48 && after <= 57)) continue;
    if (after === 45 && e + 1 < cu.length && cu[e + 1] >= 48 && cu[e + 1] <= 57) continue; // "Apache-2.0", "Windows-11"
    if (after === 47 && e + 1 < cu.length && cu[e + 1] >= 48 && cu[e + 1] <= 57) continue; // a product and version: "Mozilla/5.0", "Chrome/120.0"
    // Code: a word inside a dotted identifier that starts in lower case ("java.lang.X", "stripe.error.X(") is a
    // class, not a name; a folder between path separators ("C:\Windows\Temp\", "/srv/Backup/") is a folder.
    if (before === 46 && dottedCode(cu, s)) continue;
    if ((before === 92 && (after === 92 || after === 47)) || (before === 47 && after === 47 && pathRun(cu, s))) {
      // `/Users/<name>/`, `C:\Users\<name>\`: the profile's user name.
      if (e - s === 5 && cu[s] === 85 && cu[s + 1] === 115 && cu[s + 2] === 101 && cu[s + 3] === 114 && cu[s + 4] === 115) profileUser(text, cu, e + 1, out);
      continue;
    }
    if ((before === 47 || before === 43 || after === 47 || after === 43) && inDigitBlob(cu, s, e)) continue;
    if (e - s > 2 && cu[e - 1] === 115) {
      const q = cu[e - 2];
      if (q === 39 || q === 0x2019) e -= 2;
    }
    // Plain ASCII words (most of them) are hashed and looked up lower-cased straight from the code units.
    let lh = 0, j = s, camel = false;
    for (; j < e; j++) {
      const c = cu[j];
      if (c >= 128) break;
      if (c >= 65 && c <= 90) {
        if (j > s && cu[j - 1] >= 97 && cu[j - 1] <= 122) camel = true;
        lh = (Math.imul(lh, 31) + c + 32) | 0;
      } else lh = (Math.imul(lh, 31) + c) | 0;
    }
    let fl: number, kind: number, lowerLen: number, slot: number, id: number, sslot = -1, lowerAt = 0;
    const ascii = j === e;
    if (ascii) {
      // The same word earlier in the text: its flags. Else the lexicon.
      for (slot = wordSlot(lh); (id = words[slot] - 1) >= 0; slot = (slot + 1) & mask) {
        if (tH[id] === lh && sameAscii(text, cu, lowers, id, s, e)) break;
      }
      if (id >= 0) fl = tF[id];
      else {
        fl = lex.lookupAscii(cu, s, e, lh);
        if (fl === 0 && hasHyphen(cu, s, e)) fl = compoundFlags(text.slice(s, e).toLowerCase(), lex);
      }
      // CamelCase is an identifier or a reason code ("BackOff", "CardError",
      // "NullPointerException"), unless it reads as a name ("McDonald", "DeShawn", "JoAnn").
      if (camel && camelCode(cu, s, e, lex)) continue;
      lowerLen = e - s;
      kind = kindOf(fl, lowerLen, lowerLen >= 2 ? cu[s + 1] : 0);
    } else {
      // Other words: the same spelling earlier in this call (its token's lower case, flags and id), else a small
      // direct-mapped cache of recent words of the lexicon (exact spelling → lower case, flags, kind), else the
      // lexicon.
      let h = e - s;
      for (let k = s; k < e; k++) h = (Math.imul(h, 31) + cu[k]) | 0;
      sslot = (h ^ (h >>> 13)) & SPELLED_MASK;
      const r = spelledGen[sslot] === callGen && spelledE[sslot] - spelledS[sslot] === e - s && sameUnits(cu, spelledS[sslot], s, e - s) ? spelledTok[sslot] : -1;
      if (r >= 0) {
        const lower = lowers[-tW[r] - 1];
        fl = tF[r];
        lh = tH[r];
        id = tId[r];
        slot = -1;
        kind = e - s >= 2 ? kindOf(fl, lower.length, cu[s + 1]) : lower.length === 1 ? kindOf(fl, 1, 0) : 0;
        lowerLen = lower.length;
        lowerAt = tW[r];
      } else {
        const cslot = (h ^ (h >>> 13)) & CACHE_MASK;
        let lower: string;
        const cached = cacheWord[cslot];
        let hit = cacheHash[cslot] === h && cached !== undefined && cached.length === e - s;
        for (let k = 0; hit && k < e - s; k++) hit = cached!.charCodeAt(k) === cu[s + k];
        if (hit) {
          lower = cacheLower[cslot];
          fl = cacheFlags[cslot];
          lh = cacheLowerHash[cslot];
          kind = cacheKind[cslot];
        } else {
          const word = text.slice(s, e);
          lower = word.toLowerCase();
          lh = wordHash(lower);
          fl = lex.lookup(lower, lh);
          if (fl === 0 && lower.includes('-')) fl = compoundFlags(lower, lex);
          // The kind depends on the word alone, unless a one-letter word lower-cases to more (İ): then on what follows.
          kind = e - s >= 2 ? kindOf(fl, lower.length, cu[s + 1]) : lower.length === 1 ? kindOf(fl, 1, 0) : 0;
          // Only words of the public lists that are no one's name are kept: a name, or a word in none of the lists (a
          // rare surname, an id), is not held in memory after the call.
          if (fl !== 0 && (fl & NAME) === 0) {
            cacheWord[cslot] = word;
            cacheHash[cslot] = h;
            cacheLower[cslot] = lower;
            cacheFlags[cslot] = fl;
            cacheLowerHash[cslot] = lh;
            cacheKind[cslot] = kind;
          }
        }
        lowerLen = lower.length;
        for (slot = wordSlot(lh); (id = words[slot] - 1) >= 0; slot = (slot + 1) & mask) {
          if (tH[id] === lh && sameLower(cu, lowers, id, lower)) break;
        }
        lowers.push(lower);
        lowerAt = -lowers.length; // -(1 + its index in lowers)
      }
    }
    const wordEnd = e;
    if ((e - s === 1 || fl & TITLE) && e < cu.length && cu[e] === 46) e++;
    if (count === tS.length) grow();
    tH[count] = lh;
    tS[count] = s;
    tE[count] = e;
    tW[count] = ascii ? wordEnd : lowerAt;
    tF[count] = fl;
    if (id < 0) {
      words[slot] = count + 1;
      id = count;
    }
    tId[count] = id;
    if (sslot >= 0) {
      spelledGen[sslot] = callGen;
      spelledS[sslot] = s;
      spelledE[sslot] = wordEnd;
      spelledTok[sslot] = count;
    }
    tK[count] = kind !== 0 ? kind : kindOf(fl, lowerLen, s + 1 < cu.length ? cu[s + 1] : NaN);
    // (One space between, the common case, is decided here.)
    const joins = seqLen > 0 && (s - tE[count - 1] === 1 ? cu[s - 1] === 32 : joinable(text, cu, tE[count - 1], s));
    tNew[count] = joins ? 0 : 1;
    seqLen = joins ? seqLen + 1 : 1;
    if (seqLen > 6) seqLen = 0; // seven words at most: the next word starts a new sequence
    count++;
  }
  if (count === 0) return;

  tMark.fill(0, 0, count);
  // Names accepted in this text, by word id (tKnown).
  tKnown.fill(0, 0, count);
  let nKnown = 0;
  /** The lower-cased word of token t (made only for the rare comparisons that need a string). */
  const lowerOf = (t: number) => (tW[t] >= 0 ? text.slice(tS[t], tW[t]).toLowerCase() : lowers[-tW[t] - 1]);
  const found = out; // findings go straight out, in the order they are made
  const fieldIsThing = !!ctx.field && FIELD_IS_THING.test(ctx.field) && !FIELD_IS_NAME.test(ctx.field);
  const fieldIsName = !!ctx.field && !fieldIsThing && (FIELD_IS_NAME.test(ctx.field) || (OTHER_NAME_FIELD.test(ctx.field) && !FIELD_IS_PLACE.test(ctx.field)));
  const singles: number[] = [];
  for (let q0 = 0; q0 < count; ) {
    let q1 = q0 + 1;
    while (q1 < count && !tNew[q1]) q1++;
    const seqStart = q0;
    q0 = q1;
    if (q1 - seqStart === 1) singles.push(seqStart);
    let a = seqStart, b = q1;
    let title = false;
    while (a < b && (tK[a] === K_TITLE || tK[a] === K_COMMON)) {
      if (tK[a] === K_TITLE) title = true;
      a++;
    }
    while (b > a && (tK[b - 1] === K_COMMON || tK[b - 1] === K_TITLE)) b--;
    if (a >= b) continue;
    // An honorific inside: the name starts after it, the words before are a salutation or a label ("Estimada Sra.
    // María García", "Paciente Sr. José Pérez"). A short one without its dot after a word, or any after a house
    // number, is more often a street ("Cheriton Dr Reuquén", "15 Oak Dr. Springfield").
    const houseNumber = at(cu, tS[a] - 1) === 32 && at(cu, tS[a] - 2) >= 48 && at(cu, tS[a] - 2) <= 57;
    for (let j = b - 2; j > a && !houseNumber; j--) {
      if (tK[j] === K_TITLE && (cu[tE[j] - 1] === 46 || tE[j] - tS[j] >= 4)) {
        a = j + 1;
        title = true;
        break;
      }
    }
    // A common word inside: keep the longest name-like part before it.
    for (let j = a; j < b; j++) {
      if (tK[j] === K_COMMON) {
        b = j;
        break;
      }
    }
    if (a >= b) continue;
    const start = tS[a], end = tE[b - 1];
    let nName = 0, nUnknown = 0, nWords = 0, nameCommon = false;
    for (let j = a; j < b; j++) {
      const k = tK[j];
      if (k === K_NAME) nName++;
      else if (k === K_UNKNOWN) nUnknown++;
      else if (k === K_NAME_COMMON) nameCommon = true;
      if (k !== K_INITIAL) nWords++;
    }
    if (nWords === 0) continue;
    if (!title && !nName && !nUnknown && !nameCommon) continue;
    // Cues are only looked at when the words alone do not decide.
    const nc = at(cu, end);
    let speaker = false, vocative = false;
    if (nc === 58) {
      const q = at(cu, end + 1);
      // Without a known name word, a label must be followed by words ("Kowalczyk: can you…"), not a number or a
      // symbol ("Tlf: 020 7946 0958", "Kd-Nr: #4411").
      speaker = nWords <= 3 && (q === 32 || q === 34) && sentenceStart(cu, start) && (nName > 0 || (nUnknown > 0 && saysWords(cu, end + 1)));
    } else if (nc === 44) vocative = VOCATIVE.test(text.slice(end, end + 12));
    let conf = 0;
    if (title) conf = 0.9;
    else if (speaker || vocative) conf = 0.75;
    else if (nWords >= 2 && nName >= 1) conf = 0.85;
    else if (nWords === 1 && nName === 1) conf = sentenceStart(cu, start) ? 0.6 : 0.7;
    else if (fieldIsName || (charClass(at(cu, start - 1)) & SPACE && hasCue(text, cu, start) && !listCueAcrossLine(text, cu, start) && !(nWords === 1 && (tF[a] & TECH || listOnly(text, cu, start, end, a, lowerOf))))) conf = 0.85;
    else if (nWords >= 2 && nUnknown === nWords) conf = 0.6;
    else if (nWords >= 2 && nameCommon && nUnknown >= 1) conf = 0.65;
    if (!conf) continue;
    if (fieldIsThing && !title && nName < 2) continue;
    // One word in a list of things ("Kubernetes, Terraform, Django, Hugo, Jekyll"): a given name there is a product.
    if (nWords === 1 && !title && !speaker && !vocative && !fieldIsName && inThingList(cu, a, count)) continue;
    // A place the name lists also hold (Lisbon, Germany, Houston), where the context says place: left alone unless
    // an honorific, a speaker or vocative form, or a name field says person.
    if (!title && !speaker && !vocative && !fieldIsName && b - a <= 4 && placeVeto(text, start, end, tH[a], ctx.field)) continue;
    // A town right after a postal code is part of an address ("10115 Berlin", "F-75008 Paris"), not a person.
    if (!title && !speaker && !vocative && !fieldIsName && b - a <= 3 && afterPostalCode(cu, start)) continue;
    found.push({ type: 'PERSON', start, end, confidence: conf, detector: 'person' });
    tMark[a] |= 1;
    tMark[b - 1] |= 2;
    for (let j = a; j < b; j++) {
      if ((tK[j] === K_NAME || tK[j] === K_UNKNOWN) && !tKnown[tId[j]]) {
        tKnown[tId[j]] = 1;
        nKnown++;
      }
    }
  }
  // Lists of people ("Kónya, Szász and Reed"): an unaccepted capitalised word next to an accepted name.
  listNeighbours(text, cu, singles, found, count, ctx.field);
  // The same name elsewhere in the text ("… starring Adamska").
  if (nKnown) {
    placeList ??= places();
    for (let j = 0; j < count; j++) {
      if (!tKnown[tId[j]] || tMark[j] & 1) continue;
      // A name found elsewhere does not override a place's context here ("Berlin Tower called … flights from Berlin"):
      // the context is read only for a word that is a place at all (the first filter rules out most).
      if (afterPostalCode(cu, tS[j])) continue;
      if (placeList.mayStartWith(tH[j]) && placeList.has(lowerOf(j)) && isPlaceHere(text, tS[j], tE[j], !!ctx.field && FIELD_IS_PLACE.test(ctx.field))) continue;
      found.push({ type: 'PERSON', start: tS[j], end: tE[j], confidence: 0.7, detector: 'person' });
    }
  }
};

/** Length of `, `, ` and `, `, and ` or `: ` ending at `p` (0 if none), as the list patterns read it. */
function listBefore(cu: Uint16Array, p: number): number {
  const c1 = at(cu, p - 1), c2 = at(cu, p - 2);
  if (c1 !== 32) return 0;
  if (c2 === 44 || c2 === 58) return p >= 2 ? 2 : 0;
  if (p >= 5 && c2 === 100 && cu[p - 3] === 110 && cu[p - 4] === 97 && cu[p - 5] === 32) {
    return p >= 6 && cu[p - 6] === 44 ? 6 : 5;
  }
  return 0;
}

/** Length of `, ` or ` and ` starting at `p` (0 if none). */
function listAfter(cu: Uint16Array, p: number): number {
  const c0 = at(cu, p);
  if (c0 === 44 && at(cu, p + 1) === 32) return 2;
  if (c0 === 32 && at(cu, p + 1) === 97 && at(cu, p + 2) === 110 && at(cu, p + 3) === 100 && at(cu, p + 4) === 32) return 5;
  return 0;
}

/**
 * Is token `t` an item of a list of things: among the items beside it (their words next to `, `, ` and `; up to 8
 * on each side), at least two are common or technology words, and no fewer than the other items? Only asked of list
 * items that would be a name (a few per text).
 */
function inThingList(cu: Uint16Array, t: number, count: number): boolean {
  const s0 = tS[t], e0 = tE[t];
  // Most words have no list separator on either side: ruled out from two characters.
  const lc = at(cu, s0 - 2), rc = at(cu, e0);
  if (lc !== 44 && lc !== 100 && rc !== 44 && rc !== 32) return false;
  let things = 0, others = 0;
  for (let u = t, n = 0; u > 0 && n < 8; n++) {
    const l = listBefore(cu, tS[u]);
    if (l === 0 || tE[u - 1] !== tS[u] - l || cu[tS[u] - 2] === 58) break; // a label before `: ` is no item
    u--;
    if (tK[u] === K_COMMON || tF[u] & TECH) things++;
    else others++;
  }
  for (let u = t, n = 0; u + 1 < count && n < 8; n++) {
    const r = listAfter(cu, tE[u]);
    if (r === 0 || tS[u + 1] !== tE[u] + r) break;
    u++;
    if (tK[u] === K_COMMON || tF[u] & TECH) things++;
    else others++;
  }
  return things >= 2 && things >= others;
}

function listNeighbours(text: string, cu: Uint16Array, singles: number[], found: Finding[], count: number, field: string | undefined): void {
  // Findings start and end at words: tMark says which (a finding that ends right before word t ends at word t - 1).
  // The words that could join a list at all (their kind, and a comma, colon or "and" beside them): the same in
  // both rounds.
  const open: number[] = [];
  for (const t of singles) {
    const fl = tF[t];
    if ((fl & (NAME | COMMON)) === COMMON) continue;
    const k = tK[t];
    if (k === K_TITLE || k === K_INITIAL || fl & (TECH | NOT_NAME)) continue;
    if (k === K_COMMON && !(fl & NAME)) continue;
    const lc = at(cu, tS[t] - 2), rc = at(cu, tE[t]);
    if (lc !== 44 && lc !== 100 && lc !== 58 && rc !== 44 && rc !== 32) continue; // ', ' 'and ' ': ' / ', ' ' and'
    open.push(t);
  }
  for (let pass = 0; pass < 2; pass++) {
    for (const t of open) {
      if (tMark[t] & 1) continue;
      const s = tS[t], e = tE[t];
      const left = listBefore(cu, s);
      const right = listAfter(cu, e);
      const nl = left > 0 && t > 0 && tE[t - 1] === s - left && (tMark[t - 1] & 2) !== 0 && at(cu, s - 2) !== 58;
      const nr = right > 0 && t + 1 < count && tS[t + 1] === e + right && (tMark[t + 1] & 1) !== 0;
      // Not an item of a list of things, nor a place where the context says place ("in Paris and Hans in Wien").
      if ((nl || nr) && !inThingList(cu, t, count) && !placeVeto(text, s, e, tH[t], field)) {
        found.push({ type: 'PERSON', start: s, end: e, confidence: 0.6, detector: 'person' });
        tMark[t] |= 3;
      }
    }
  }
}
