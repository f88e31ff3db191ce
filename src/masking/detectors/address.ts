import { ADDR_LETTER, ANY_LETTER, charClass, codeUnits, SPACE, UPPER, withEnd } from '../chars.js';
import { CUE_ADDRESS, CUE_MILITARY, eachCue } from '../cues.js';
import type { Detector, ScanContext } from '../types.js';
import { registerStreetRuns, wordPass } from '../words.js';

// Street types that stand as their own word: English suffixes (14 Crown Street) and prefixes in other
// languages (Rue de Piétrain 371, ul. Więckowskiego 28, Via Roma 5, Kossuth utca 12). Case-sensitive; a word counts
// when it is a whole run of the letter class [A-Za-z\u00C0-\u024F] (`ul.`-like forms: the run, a dot, a non-letter).
const STRONG = 'Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|Blvd|Drive|Dr|Court|Ct|Terrace|Crescent|Close|Highway|Hwy|Parkway|Pkwy|Square|Squares|Sq|Mews|Alley|Plaza|Place|Pl';
const WEAK = 'Way|Ways|Row|Walk|Trail|Grove|Gardens|Hill|Hills|Heights|Park|Green|Loop|Path|Point|Ridge|Center|Centre|Field|Fields|Harbor|Harbour|Island|Junction|Meadows|Mill|Mills|Valley|View|Village|Villages|Ville|Port|Crossing|Creek|Estate|Estates|Falls|Ferry|Forest|Fort|Glen|Haven|Knoll|Lake|Lakes|Landing|Manor|Mount|Oval|Pines|Plains|Shore|Shores|Spring|Springs|Station|Summit|Trace|Track|Vista|Circle|Cir|Expressway|Freeway|Turnpike|Pike|Run|Pass|Bypass|Causeway|Corner|Corners|Cove|Crest|Dale|Dam|Divide|Flat|Flats|Ford|Fork|Forks|Gateway|Harbors|Hollow|Inlet|Key|Keys|Light|Lights|Lock|Locks|Lodge|Mall|Motorway|Neck|Orchard|Overpass|Radial|Ramp|Ranch|Rapids|Rest|Route|Shoal|Shoals|Skyway|Spur|Stravenue|Stream|Streets|Throughway|Underpass|Union|Unions|Viaduct|Well|Wells';
const FOREIGN = 'Rue|Avenue|Chemin|Allée|Impasse|Via|Viale|Piazza|Corso|Largo|Vicolo|Calle|Avenida|Paseo|Carrera|Camino|Rua|Travessa|Praça|Strada|Bulevar|ulica|aleja|utca|út|tér|köz|náměstí|třída|Straße|Strasse|Gasse|Weg|Platz|Allee|Ulitsa|Calea|Bulevardul|Sokak|Caddesi';
const FOREIGN_DOTTED = ['ul', 'al', 'os', 'pl', 'nám']; // `ul.` etc.
const UNIT = 'Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Room|Bldg|Building|PSC|Box|apt|suite|unit|psc|box'; // and P.O. Box, PO Box, Post Office Box
// Unit words that alone name a place inside a building, not an address.
const INSIDE_ONLY = new Set(['Room', 'Floor', 'Bldg', 'Building']);
// Street abbreviations that are also titles before a name.
const TITLE_WORDS = new Set(['Dr', 'St']);
/** After the word ending at `e`: an optional dot, one space, a capital letter (a name follows the title). */
function titleBeforeName(cu: Uint16Array, e: number): boolean {
  if (cu[e] === 46) e++;
  return cu[e] === 32 && (charClass(cu[e + 1]) & UPPER) !== 0;
}
/** A comma and/or a space, then a house number, at `e` ("Room 12, 14 Crown Street"). */
function beforeStreet(cu: Uint16Array, e: number): boolean {
  if (cu[e] === 44) e++;
  if (cu[e] === 32) e++;
  return cu[e] >= 48 && cu[e] <= 57;
}
const G_STRONG = 1, G_WEAK = 2, G_FOREIGN = 3, G_UNIT = 4;
// Each street word and its group; a word in two groups belongs to the first (Avenue: strong; Flat: weak), as in
// an alternation of the groups in this order.
const STREET_GROUP = new Map<string, number>();
for (const [list, g] of [[STRONG, G_STRONG], [WEAK, G_WEAK], [FOREIGN, G_FOREIGN], [UNIT, G_UNIT]] as const) {
  for (const w of list.split('|')) if (!STREET_GROUP.has(w)) STREET_GROUP.set(w, g);
}
// Compound street names: the type is the end of the word (Koskikatu, Hammarvägen, Brixtonlaan, Hauptstraße).
const SUFFIXES = ['stien', 'sti', 'vei', 'braut', 'stræti', 'straeti', 'vænget', 'vangen', 'bakken', 'straße', 'strasse', 'weg', 'gasse', 'platz', 'allee', 'damm', 'laan', 'straat', 'gracht', 'plein', 'kade', 'singel', 'dreef', 'steeg', 'katu', 'tie', 'kuja', 'polku', 'väylä', 'raitti', 'gatan', 'vägen', 'gränd', 'torget', 'stigen', 'backe', 'gade', 'vej', 'veien', 'vegen', 'gata', 'stræde', 'ulica', 'ulice', 'cesta', 'caddesi', 'sokak']; // and `str.`
// Longest first: at the end of a run, the longest suffix is the one a left-to-right search meets first.
const SUFFIXES_LONGEST_FIRST = [...SUFFIXES].sort((a, b) => b.length - a.length);
// The same by their last three characters (every suffix has three or more), longest first: only these can end a run.
const SUFFIXES_BY_END = new Map<string, string[]>();
for (const suf of SUFFIXES_LONGEST_FIRST) {
  const k = suf.slice(-3);
  const list = SUFFIXES_BY_END.get(k);
  if (list) list.push(suf);
  else SUFFIXES_BY_END.set(k, [suf]);
}
const NONE: string[] = [];
registerStreetRuns([...STREET_GROUP.keys(), ...FOREIGN_DOTTED, 'P', 'PO', 'Post'], [...SUFFIXES, 'str']);

const isAddrLetter = (c: number) => (charClass(c) & ADDR_LETTER) !== 0;

// Every run streetAt knows, by its length and first and last code units (a hash of them, `shapeOf`): the street words
// with their group, and the runs that need a look after them, marked DOTTED (`ul.`, …) or BOX (P.O. Box, PO Box,
// Post Office Box). No run is in two lists. Compared by code unit: no slice and no string hash per run.
const DOTTED = -1, BOX = -2;
const SHAPES = 1024;
const shapeOf = (first: number, last: number, len: number) => ((first * 31 + last) * 31 + len) & (SHAPES - 1);
const BY_SHAPE: [string, number][][] = Array.from({ length: SHAPES }, () => []);
for (const [w, g] of [...STREET_GROUP, ...FOREIGN_DOTTED.map((w) => [w, DOTTED] as const), ...['P', 'PO', 'Post'].map((w) => [w, BOX] as const)]) {
  BY_SHAPE[shapeOf(w.charCodeAt(0), w.charCodeAt(w.length - 1), w.length)].push([w, g]);
}
/** The mark of the run [s, q) in BY_SHAPE (a group, DOTTED or BOX), or 0 for a run it does not hold. */
function knownRun(cu: Uint16Array, s: number, q: number): number {
  const len = q - s;
  const list = BY_SHAPE[shapeOf(cu[s], cu[q - 1], len)];
  for (let i = 0; i < list.length; i++) {
    const w = list[i][0];
    if (w.length !== len) continue;
    let k = 0;
    while (k < len && w.charCodeAt(k) === cu[s + k]) k++;
    if (k === len) return list[i][1];
  }
  return 0;
}

/**
 * The street word at the address run [s, q), if any: its group and where the match ends (after `ul.`'s dot, after
 * `Box` in `P.O. Box`). Returns 0 when the run is no street word. The run is whole: the characters before `s` and
 * at `q` are not address letters.
 */
let matchEnd = 0;
function streetAt(text: string, cu: Uint16Array, s: number, q: number): number {
  const g = knownRun(cu, s, q);
  if (g > 0) {
    matchEnd = q;
    return g;
  }
  if (g === 0) return 0;
  const c = text.charCodeAt(q);
  if (g === DOTTED) {
    if (c === 46 && !isAddrLetter(text.charCodeAt(q + 1))) {
      matchEnd = q + 1;
      return G_FOREIGN;
    }
    return 0;
  }
  // BOX: P, PO or Post
  let e = -1;
  const len = q - s;
  if (len === 1 && c === 46) {
    // P\.\s?O\.\s?Box
    let k = q + 1;
    if (charClass(text.charCodeAt(k)) & SPACE) k++;
    if (text.startsWith('O.', k)) {
      k += 2;
      if (charClass(text.charCodeAt(k)) & SPACE) k++;
      if (text.startsWith('Box', k)) e = k + 3;
    }
  } else if (len === 2 && text.startsWith(' Box', q)) e = q + 4;
  else if (len === 4 && text.startsWith(' Office Box', q)) e = q + 11;
  if (e > 0 && !isAddrLetter(text.charCodeAt(e))) {
    matchEnd = e;
    return G_UNIT;
  }
  return 0;
}

const NUM = /^\d{1,6}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?(?![\p{L}\p{N}])/u;
const CAP = /^\p{Lu}[\p{L}\p{M}'’.-]*/u;
const PARTICLE = /^(?:de|du|des|la|le|del|della|di|da|van|von|der|den|het|of|the|and|&)(?= )/;
// The segments after a street, sticky (tried at a position of the text: no slice, no match array). Each match and
// what it looks at after it are under 64 characters, the window these patterns were once tried on.
const UNIT_SEG = /(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|Room|Rm\.?|Bldg\.?|Building|#|No\.?)\s?#?\s?\d{1,5}[A-Za-z]?\b/y;
const POSTAL = /(?:\d{4,6}(?:-\d{4})?|\d{2}-\d{3}|\d{3} \d{2}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})(?![\p{L}\p{N}])/uy;
const STATE = /[A-Z]{2}(?=[\s,]|$)/y;
/** The length of the sticky pattern `re`'s match at `p`, or -1. */
function stickyAt(re: RegExp, text: string, p: number): number {
  re.lastIndex = p;
  return re.test(text) ? re.lastIndex - p : -1;
}
export const PLACE = /^\p{Lu}[\p{L}\p{M}'’.-]*(?: \p{Lu}[\p{L}\p{M}'’.-]*){0,3}/u;
const isPlaceRest = (c: number) => (charClass(c) & ANY_LETTER) !== 0 || c === 39 || c === 0x2019 || c === 46 || c === 45;
/**
 * The length of PLACE's match at `p` in `text` (looking at most `limit` characters ahead), or 0 for none: a
 * capitalised word and up to three more after single spaces, words running over letters, marks, apostrophes, dots
 * and hyphens. Read by code unit; where a surrogate (a letter beyond the BMP) comes up, the pattern decides.
 */
export function placeAt(text: string, p: number, limit: number): number {
  const end = Math.min(text.length, p + limit);
  let q = p, words = 0;
  for (;;) {
    if (q >= end) break;
    const c = text.charCodeAt(q);
    if (c >= 0xd800 && c <= 0xdfff) return PLACE.exec(text.slice(p, end))?.[0].length ?? 0;
    if (!(charClass(c) & UPPER)) break;
    let k = q + 1;
    for (; k < end; k++) {
      const d = text.charCodeAt(k);
      if (d >= 0xd800 && d <= 0xdfff) return PLACE.exec(text.slice(p, end))?.[0].length ?? 0;
      if (!isPlaceRest(d)) break;
    }
    q = k;
    if (++words === 4 || q + 1 >= end || text.charCodeAt(q) !== 32) break;
    q++; // the space, if a capitalised word follows (checked at the top; else it is given back below)
    const n = text.charCodeAt(q);
    if (n >= 0xd800 && n <= 0xdfff) return PLACE.exec(text.slice(p, end))?.[0].length ?? 0;
    if (!(charClass(n) & UPPER)) {
      q--;
      break;
    }
  }
  return q - p;
}

// The first letters UNIT_SEG's words start with (and #).
const UNIT_FIRST = new Uint8Array(128);
for (const ch of 'ASUFRBN#') UNIT_FIRST[ch.charCodeAt(0)] = 1;
const isAsciiUpper = (c: number) => c >= 65 && c <= 90;
const isAsciiDigit = (c: number) => c >= 48 && c <= 57;
/**
 * The length of the first of UNIT_SEG, POSTAL, STATE that matches at `p` (whose code unit is `c0`), or -1. The
 * patterns are tried only where their first characters can match: UNIT_SEG at one of its words' first letters or
 * `#`; POSTAL at two digits, or a capital and a digit, or two capitals and a digit; STATE at two capitals. Every one
 * starts with an ASCII character.
 */
export function segmentAt(text: string, p: number, c0: number): number {
  if (c0 >= 128) return -1;
  const c1 = text.charCodeAt(p + 1);
  const unit = UNIT_FIRST[c0] === 1;
  const postal = isAsciiDigit(c0) ? isAsciiDigit(c1) : isAsciiUpper(c0) && (isAsciiDigit(c1) || (isAsciiUpper(c1) && isAsciiDigit(text.charCodeAt(p + 2))));
  const state = isAsciiUpper(c0) && isAsciiUpper(c1);
  if (!unit && !postal && !state) return -1;
  let len = unit ? stickyAt(UNIT_SEG, text, p) : -1;
  if (len < 0 && postal) len = stickyAt(POSTAL, text, p);
  if (len < 0 && state) len = stickyAt(STATE, text, p);
  return len;
}

const isUpperAscii = (c: number) => c >= 65 && c <= 90;
/**
 * Does a place line end at `q`: the end of the text, `,` `\n` `\r` `?` `.` `!`, or a space and a digit or two capitals
 * (a state) — what `/^(?:$|[,\n\r]| \d| [A-Z]{2}\b|\?|\.|!)/` says of the three characters from `q` (the two
 * capitals end those three: a word boundary after them).
 */
function placeEnds(text: string, q: number): boolean {
  const n = text.length;
  if (q >= n) return true;
  const c = text.charCodeAt(q);
  if (c === 44 || c === 10 || c === 13 || c === 63 || c === 46 || c === 33) return true;
  if (c !== 32 || q + 1 >= n) return false;
  const d = text.charCodeAt(q + 1);
  return (d >= 48 && d <= 57) || (q + 2 < n && isUpperAscii(d) && isUpperAscii(text.charCodeAt(q + 2)));
}

/** Extend `end` over what follows a street: unit, city, state, postal code, country; newline- or comma-separated. */
function extend(text: string, end: number): number {
  let pos = end;
  for (let seg = 0; seg < 6; seg++) {
    let p = pos;
    let lineOrComma = false; // the separator holds a comma or a line break
    while (p < text.length && p - pos < 4) {
      const c = text.charCodeAt(p);
      if (c === 32 || c === 9 || c === 62 || c === 13) p++;
      else if (c === 44 || c === 10) (lineOrComma = true), p++;
      else break;
    }
    // Every segment starts with a digit, '#' or a capital (of any script; a surrogate may start one): else none fits.
    const c0 = text.charCodeAt(p);
    if (!((c0 >= 48 && c0 <= 57) || c0 === 35 || charClass(c0) & UPPER || (c0 >= 0xd800 && c0 <= 0xdfff))) break;
    const len = segmentAt(text, p, c0);
    if (len >= 0) {
      pos = p + len;
      continue;
    }
    if (!lineOrComma) break;
    const place = placeAt(text, p, 64);
    if (place > 0 && placeEnds(text, p + place)) {
      pos = p + place;
      continue;
    }
    break;
  }
  return pos;
}

// Where walkBack's words stop (`[\s,;:()"'>*•|]`), by code unit.
const isWalkStop = (c: number) =>
  (charClass(c) & SPACE) !== 0 || c === 44 || c === 59 || c === 58 || c === 40 || c === 41 || c === 34 || c === 39 || c === 62 || c === 42 || c === 0x2022 || c === 124;
const PARTICLES = new Set(['de', 'du', 'des', 'la', 'le', 'del', 'della', 'di', 'da', 'van', 'von', 'der', 'den', 'het', 'of', 'the', 'and', '&']);

/** Walk back over up to 4 capitalised words or particles and then up to 2 house numbers. */
function walkBack(text: string, cu: Uint16Array, s: number): { start: number; words: number; num: boolean } {
  let start = s, words = 0, num = false;
  for (let i = 0; i < 6; i++) {
    if (start < 2 || cu[start - 1] !== 32) break;
    let k = start - 1;
    while (k > 0 && k > start - 40 && !isWalkStop(cu[k - 1])) k--;
    // the word [k, start - 1): no space in it
    const c0 = cu[k];
    if (c0 >= 48 && c0 <= 57) {
      const w = text.slice(k, start - 1);
      const m = NUM.exec(w);
      if (m && m[0].length === w.length) {
        start = k;
        num = true;
        // a second number before (3536 1659 Hoog St): building or block number
        continue;
      }
    }
    if (num) break;
    // CAP: a capital first (a surrogate pair is left to the pattern); PARTICLE: the whole word is a particle.
    if (words < 4 && (c0 >= 0xd800 && c0 <= 0xdfff ? CAP.test(text.slice(k, start - 1)) : charClass(c0) & UPPER || (k < start - 1 && PARTICLES.has(text.slice(k, start - 1))))) {
      start = k;
      words++;
      continue;
    }
    break;
  }
  return { start, words, num };
}

const HOUSE_NUMBER = /,? ?(\d{1,5}[A-Za-z]?(?:[-/]\d{1,4}[A-Za-z]?)?)(?![\p{L}\p{N}])/uy;
/** Walk forward over up to 4 capitalised words or particles, then an optional house number. */
function walkForward(text: string, e: number, foreign: boolean): { end: number; num: boolean } {
  let end = e;
  if (text[end] === '.') end++;
  for (let i = 0; i < 5; i++) {
    // A house number needs a space or a comma first, another word a space: else neither pattern is tried.
    const c = text.charCodeAt(end);
    if (c !== 32 && c !== 44) break;
    // The number pattern, tried only where a digit follows `,? ?`, at its place in the text (its match and lookahead
    // are far shorter than the 48 characters it was once tried on).
    let d = end;
    if (text.charCodeAt(d) === 44) d++;
    if (text.charCodeAt(d) === 32) d++;
    if (isAsciiDigit(text.charCodeAt(d))) {
      HOUSE_NUMBER.lastIndex = end;
      if (HOUSE_NUMBER.test(text)) return { end: HOUSE_NUMBER.lastIndex, num: true };
    }
    if (!foreign || c !== 32) break;
    const rest = text.slice(end, end + 48);
    const w = CAP.exec(rest.slice(1)) ?? PARTICLE.exec(rest.slice(1));
    if (!w) break;
    end += 1 + w[0].length;
  }
  return { end, num: false };
}

/**
 * ADDRESS: street addresses in English and continental forms (number + name + type, name+type word + number,
 * type + name + number), PO boxes, military addresses (PSC/APO), unit lines (Apt. 5, Suite 501), followed by
 * city, state, postal code and country lines.
 */
export const addresses: Detector = (text, out, ctx) => {
  const push = (start: number, end: number, confidence: number) => {
    out.push({ type: 'ADDRESS', start, end: extend(text, end), confidence, detector: 'address' });
  };
  const words = wordPass(text, ctx);
  const cu = codeUnits(text, ctx);
  // Street words, left to right; `last` is where the search resumes after a street (the end of what it took).
  let last = 0;
  for (let k = 0; k < words.nStr; k++) {
    const s = words.strS[k];
    if (s < last) continue;
    const group = streetAt(text, cu, s, words.strE[k]);
    if (!group) continue;
    const e = matchEnd;
    last = e;
    if (group === G_UNIT) {
      // unit / PO box / military: needs a number right after
      const n = /^\.?,?\s?#?\s?\d{1,6}[A-Za-z]?\b(?:,? Box \d{1,6})?/.exec(text.slice(e, e + 24));
      if (!n) continue;
      const b = walkBack(text, cu, s);
      // A room, floor or building alone ("Room 412, bed B", "Floor 3") is a place in a building, not an address: it
      // is one after a street number or before a city, state or postal code line.
      if (!b.num && INSIDE_ONLY.has(text.slice(s, e)) && !beforeStreet(cu, e + n[0].length) && extend(text, e + n[0].length) === e + n[0].length) continue;
      push(b.num ? b.start : s, e + n[0].length, 0.8);
      last = e + n[0].length;
      continue;
    }
    const foreign = group === G_FOREIGN;
    const b = walkBack(text, cu, s);
    const f = walkForward(text, e, foreign);
    const hasNum = b.num || f.num;
    // "Dr." and "St." before a capitalised word with no house number are a title and a saint ("Thanks Dr. José
    // Núñez", "Visit St. Louis"), not Drive and Street.
    if (!hasNum && e === words.strE[k] && TITLE_WORDS.has(text.slice(s, e)) && titleBeforeName(cu, e)) continue;
    const hasName = b.words > 0 || (foreign && f.end > e + 2);
    if (!hasName) continue;
    let conf = 0;
    if (hasNum) conf = 0.85;
    else if (group === G_STRONG && b.words > 0 && /[A-Z]/.test(text[s])) conf = 0.55;
    if (!conf) continue;
    push(b.start, Math.max(e, f.end), conf);
    last = Math.max(e, f.end);
  }
  military(text, out, ctx);
  numberNameNumber(text, out, ctx);
  cued(text, out, ctx);
  // Compound street names: the longest suffix at the end of an address run (or `str.`).
  for (let k = 0; k < words.nCmp; k++) {
    const a = words.cmpS[k], q = words.cmpE[k];
    let ms = -1, me = q;
    if (q - a >= 3 && text.startsWith('str', q - 3)) {
      if (text.charCodeAt(q) === 46 && !isAddrLetter(text.charCodeAt(q + 1))) (ms = q - 3), (me = q + 1);
    } else {
      for (const suf of SUFFIXES_BY_END.get(text.slice(q - 3, q)) ?? NONE) {
        if (q - suf.length >= a && text.startsWith(suf, q - suf.length)) {
          ms = q - suf.length;
          break;
        }
      }
    }
    if (ms < 0) continue;
    let s = ms;
    while (s > 0 && charClass(text.charCodeAt(s - 1)) & ANY_LETTER && ms - s < 40) s--;
    if (ms - s < 2) continue;
    const b = walkBack(text, cu, s);
    const f = walkForward(text, me, false);
    if (!b.num && !f.num) continue;
    push(b.start, Math.max(me, f.end), 0.85);
  }
};

// APO/FPO/DPO lines with the ship or unit line before them ("USNS Møller\nFPO AA 85844"); found by the shared
// cue pass (cues.ts, MILITARY_SRC).
function military(text: string, out: Parameters<Detector>[1], ctx: ScanContext): void {
  eachCue(text, ctx, CUE_MILITARY, (index, end) => {
    let s = index;
    const lineStart = text.lastIndexOf('\n', s - 1) + 1;
    if (lineStart === s && s > 0) {
      const prev = text.lastIndexOf('\n', s - 2) + 1;
      if (s - prev <= 48) s = prev;
    }
    if (s > lineStart) {
      const cue = text.slice(Math.max(lineStart, s - 48), s);
      const r = /(?:(?:USNS|USNV|USS|USCGC|PSC|Unit|unit|uss|usns|usnv|uscgc|psc)\b[^\n]*)$/.exec(cue);
      if (r) s -= r[0].length;
    }
    out.push({ type: 'ADDRESS', start: s, end, confidence: 0.9, detector: 'address' });
  });
}

// "20789 Allika 46", "450 Præstevænget 15": a number, one to three name words, a number, then the end of the part.
// Tried (sticky) only where the word pass saw a word right after a number and a space.
const NNN = /(?<![A-Za-z0-9\u00C0-\u024F.,:$€£#-])\d{1,6} (?:[A-Za-z\u00C0-\u024F\u0370-\u04FF][A-Za-z\u00C0-\u024F\u0370-\u04FF\u0300-\u036F'’.-]* ){1,3}?\d{1,5}[A-Za-z]?(?=$|[,\n\r]| (?:St|st|apt|Apt|Suite)\b|\.(?:$|\s))/my;
function numberNameNumber(text: string, out: Parameters<Detector>[1], ctx: ScanContext): void {
  const w = wordPass(text, ctx);
  const z = withEnd(codeUnits(text, ctx)); // read by code unit (and a 0 after the text)
  let last = 0;
  for (let k = 0; k < w.nAfterNum; k++) {
    // The number before the word: at most 6 digits, and where the match would start.
    let p = w.afterNum[k] - 1;
    while (p > 0 && w.afterNum[k] - 1 - p <= 6 && isDigit(z[p - 1])) p--;
    if (p < last || w.afterNum[k] - 1 - p > 6) continue;
    if (!nameThenNumber(z, w.afterNum[k])) continue;
    NNN.lastIndex = p;
    const m = NNN.exec(text);
    if (!m) continue;
    last = p + m[0].length;
    if (!nameWordsFit(text, m[0], m.index) || isDayMonthYear(m[0])) continue;
    out.push({ type: 'ADDRESS', start: m.index, end: extend(text, m.index + m[0].length), confidence: 0.75, detector: 'address' });
  }
}
// Words that make a number–name–number match no address ("12 items 30"); compared lower-cased, ASCII only.
// Card terms too: "4111 1111 1111 1111 CVV 987", "exp 12/27 cvc 123" (the CVV must not end up inside the card's span).
const NNN_STOP = new Set(['and', 'or', 'of', 'to', 'in', 'on', 'at', 'the', 'for', 'by', 'with', 'from', 'year', 'years', 'day', 'days', 'item', 'items', 'minute', 'minutes', 'hour', 'hours',
  'cvv', 'cvv2', 'cvc', 'cvc2', 'csc', 'cid', 'pin', 'exp', 'expires', 'expiry', 'valid', 'thru', 'ext', 'page', 'pages', 'line', 'lines', 'row', 'rows', 'step', 'steps', 'port', 'pid', 'build', 'version']);
/**
 * The name words of an NNN match `m` (at `at`; its words are separated by single spaces, the first and last are its
 * numbers): each capitalised, or longer than 2 on a line without a capital so far (looked at only if needed), and
 * none a stop word (any case). Read from the match, no split.
 */
export function nameWordsFit(text: string, m: string, at: number): boolean {
  let lower: boolean | undefined;
  const last = m.lastIndexOf(' ');
  for (let a = m.indexOf(' ') + 1; a <= last; ) {
    const b = m.indexOf(' ', a); // the word [a, b); b <= last
    // The first character is a letter of the BMP (NNN's class), so \p{Lu} on it is the UPPER class bit.
    if (!(charClass(m.charCodeAt(a)) & UPPER)) {
      lower ??= !/\p{Lu}/u.test(text.slice(text.lastIndexOf('\n', at) + 1, at + m.length));
      if (!lower || b - a <= 2) return false;
    }
    if (b - a <= 7 && isStopWord(m, a, b)) return false;
    a = b + 1;
  }
  return true;
}
/** Is m[a, b) a stop word, in any case? (Only ASCII letters can match the pattern's case-insensitive words.) */
function isStopWord(m: string, a: number, b: number): boolean {
  let w = '';
  for (let k = a; k < b; k++) {
    const c = m.charCodeAt(k);
    if (c >= 65 && c <= 90) w += String.fromCharCode(c + 32);
    else if (c >= 97 && c <= 122) w += m[k];
    else return false;
  }
  return NNN_STOP.has(w);
}
const isDigit = (c: number) => c >= 48 && c <= 57;
// Month names and their abbreviations (English, German, Dutch, French, Spanish, Italian), lower-cased without a dot.
const MONTHS = new Set(('jan january januar januari janvier enero gennaio feb february februar februari fevrier février febrero febbraio mar march märz maerz maart mars marzo ' +
  'apr april avril abril aprile may mai mei mayo maggio jun june juni juin junio giugno jul july juli juillet julio luglio aug august augustus août aout agosto ' +
  'sep sept september septembre septiembre settembre oct october oktober okt octobre octubre ottobre nov november novembre noviembre ' +
  'dec december dezember dez décembre decembre diciembre dicembre').split(' '));
/** A number–name–number match that is a date: a day 1–31, a month name, a four-digit year ("01 Jan 2026"). */
function isDayMonthYear(m: string): boolean {
  const a = m.indexOf(' '), b = m.lastIndexOf(' ');
  if (m.indexOf(' ', a + 1) !== b) return false; // one name word
  const day = +m.slice(0, a);
  const year = m.slice(b + 1);
  if (!(day >= 1 && day <= 31) || !/^\d{4}$/.test(year)) return false;
  return MONTHS.has(m.slice(a + 1, b).replace(/\.$/, '').toLowerCase());
}
// NNN's name words: a first letter, then letters, marks, apostrophes, dots and hyphens (no space, so a word runs to
// the next space whatever the pattern tries).
const isNameFirst = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f) || (c >= 0x370 && c <= 0x4ff);
const isNameRest = (c: number) => isNameFirst(c) || (c >= 0x300 && c <= 0x36f) || c === 39 || c === 0x2019 || c === 46 || c === 45;
/**
 * One to three name words, each followed by one space, then a digit, from `pos`: what NNN needs after its number.
 * `z` is the text's code units and a 0 after them (which ends a word and is no space).
 */
function nameThenNumber(z: Uint16Array, pos: number): boolean {
  for (let j = 0; j < 3; j++) {
    if (!isNameFirst(z[pos])) return false;
    pos++;
    while (isNameRest(z[pos])) pos++;
    if (z[pos] !== 32) return false;
    if (isDigit(z[++pos])) return true;
  }
  return false;
}

// After an address cue (cues.ts, CUED_SRC), a line that starts with a house number is an address up to the end of
// the line.
function cued(text: string, out: Parameters<Detector>[1], ctx: ScanContext): void {
  eachCue(text, ctx, CUE_ADDRESS, (_start, s) => {
    const rest = text.slice(s, s + 120);
    if (!/^(?:\d{1,6}[A-Za-z]? \S|(?:unit|psc|apt|suite|p\.?o\.? box)\b)/i.test(rest)) return;
    let e = rest.search(/[\n?!]|\.(?:\s|$)|,? (?:and|but|so|because|which)\b/);
    if (e < 0) e = rest.length;
    out.push({ type: 'ADDRESS', start: s, end: extend(text, s + e), confidence: 0.8, detector: 'address' });
  });
}
