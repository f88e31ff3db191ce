import type { CountryCode } from 'libphonenumber-js';
import { cardIssuer, isbnValid, luhn, ssnIssuable, ssnValid } from '../validators.js';
import { before, type Detector } from '../types.js';
import { ipv4Confidence, ipv4Harmless } from './net.js';
import { wordPass } from '../words.js';
import { byLastUnit, charClass, codeUnits, SPACE } from '../chars.js';
import { internationalVerdict as phoneVerdict, POSSIBLE, VALID, validInRegion } from '../phone.js';

// A run of digits with the separators phone numbers, cards and IDs use: `[+(]?\d(?:(?:[ .\/-]\(?|\)[ -]?)?\d)*`.
// Each repetition consumes a digit and the alternatives start with distinct characters, so the pattern cannot
// backtrack. Only runs of 7+ characters are looked at, so a run is only tried where the 6 characters after its first
// one could continue it (the lookahead); this reports the same long runs and skips most short numbers without a
// match object. Runs shorter than 7 that slip through are dropped below, as before.
/** The run pattern; `runEnd` finds its matches by hand (`numbers.test.ts` checks they agree). */
export const RUN = /[+(\d](?=[\d .\/()-]{6})(?:(?<=[+(])\d|(?<=\d))(?:(?:[ .\/-]\(?|\)[ -]?)?\d)*/g;

// Cue words start at a word boundary: "Patel@", "during", "string" and "recall" hold no cue.
const PHONE_CONTEXT = /\b(?:phone|tel\b|tel\.|telephone|mobile|cell|fax|sms|whatsapp|call|ring|reach|contact|number|dial|text me|registered|answering|ph\b|m:|t:|p:|desk\b|landline|direct line)[^\n]{0,40}$/;
// The cues that name a telephone outright (not "number", "contact", "call"): only they make a decimal number
// ("pi=3.14159265358979", "lat=51.5073509") a phone.
const STRONG_PHONE_CONTEXT = /\b(?:phone|tel\b|tel\.|telephone|mobile|cell|fax|whatsapp)[^\n]{0,24}$/;
export const NOT_PHONE_CONTEXT = /(?:order|invoice|inv|sku|ref|reference|ticket|case|id|no\.?|account|acct|tracking|po|isbn|version|ver|build|port|pid|uid|gid|serial|part|item|batch|lot|transaction|txn|receipt|confirmation|booking|reservation|policy|claim|shipment|voucher|price|total|amount|cost|usd|eur|gbp|\$|€|£|#)\s*[:#=]?\s*$/;
const CARD_CONTEXT = /card|visa|master|amex|credit|debit|cc\b|pan\b/;
const SSN_CONTEXT = /ssn|social security|social sec|\bss#|\bss no|tax id|tin\b/;
// NOT_PHONE_CONTEXT read from the end: a word of the list, then only spaces and at most one of `:#=` (`notPhoneContext`).
const NOT_PHONE_WORDS = ['order', 'invoice', 'inv', 'sku', 'ref', 'reference', 'ticket', 'case', 'id', 'no', 'no.', 'account', 'acct', 'tracking', 'po', 'isbn', 'version', 'ver', 'build', 'port', 'pid', 'uid', 'gid', 'serial', 'part', 'item', 'batch', 'lot', 'transaction', 'txn', 'receipt', 'confirmation', 'booking', 'reservation', 'policy', 'claim', 'shipment', 'voucher', 'price', 'total', 'amount', 'cost', 'usd', 'eur', 'gbp', '$', '€', '£', '#'];
const isSpace = (c: number) => (charClass(c) & SPACE) !== 0;
// The words by their last code unit: only those can end `b` at `e`.
const NOT_PHONE_BY_LAST = byLastUnit(NOT_PHONE_WORDS);
function endsWithWord(b: string, e: number): boolean {
  const words = e > 0 ? NOT_PHONE_BY_LAST.get(b.charCodeAt(e - 1)) : undefined;
  if (words === undefined) return false;
  for (const w of words) if (e >= w.length && b.startsWith(w, e - w.length)) return true;
  return false;
}
/** `b` ends with a word `endsWith` accepts (at an end index), then only spaces and at most one of `:#=`. */
function labelled(b: string, endsWith: (b: string, e: number) => boolean): boolean {
  let e = b.length;
  while (e > 0 && isSpace(b.charCodeAt(e - 1))) e--;
  if (endsWith(b, e)) return true;
  const c = b.charCodeAt(e - 1);
  if (c !== 58 && c !== 35 && c !== 61) return false;
  let f = e - 1;
  while (f > 0 && isSpace(b.charCodeAt(f - 1))) f--;
  return endsWith(b, f);
}
/** `NOT_PHONE_CONTEXT.test(b)`, without trying the pattern at every position. */
export const notPhoneContext = (b: string): boolean => labelled(b, endsWithWord);
// The words of NOT_PHONE_WORDS that name an id outright. Right before the digits ("invoice #2997849") such a label
// outweighs a phone cue further back ("Contact June about invoice #2997849"); `no` and the symbols do not
// ("phone no. 5550123", "phone #: …").
const ID_LABELS = NOT_PHONE_WORDS.filter((w) => /^[a-z]{2,}$/.test(w) && w !== 'no');
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
// The labels by their last code unit: only those can end `b` at `e`.
const ID_LABELS_BY_LAST = byLastUnit(ID_LABELS);
function endsWithLabel(b: string, e: number): boolean {
  const words = e > 0 ? ID_LABELS_BY_LAST.get(b.charCodeAt(e - 1)) : undefined;
  if (words === undefined) return false;
  for (const w of words) if (e >= w.length && b.startsWith(w, e - w.length) && !isLetter(b.charCodeAt(e - w.length - 1))) return true;
  return false;
}
// What may stand between an id label and its digits: "order number is", "invoice no.:", "ticket #", "case id =".
const LABEL_NOUNS = ['number', 'no.', 'no', 'nr.', 'nr', 'num', 'id', 'code', '#'];
const LABEL_VERBS = ['is', 'was'];
/** `b` before `e` ends with `w` standing as a word (no letter right before it; `#` may be glued). */
const endsWithWordAt = (b: string, e: number, w: string) => e >= w.length && b.startsWith(w, e - w.length) && (w === '#' || !isLetter(b.charCodeAt(e - w.length - 1)));
const skipSpaces = (b: string, e: number) => {
  while (e > 0 && isSpace(b.charCodeAt(e - 1))) e--;
  return e;
};
/**
 * The text before the digits ends with an id label: a word of ID_LABELS, maybe a noun ("number", "no.", "#", "id"),
 * maybe "is"/"was", then spaces and at most one of `:#=`. "Your order number is 4155550172" is an order number:
 * the phone cue "number" is the label's own noun.
 */
export const idLabelBefore = (b: string): boolean => {
  if (labelled(b, endsWithLabel)) return true;
  let e = skipSpaces(b, b.length);
  const c = b.charCodeAt(e - 1);
  if (c === 58 || c === 35 || c === 61) e = skipSpaces(b, e - 1);
  for (const v of LABEL_VERBS) {
    if (endsWithWordAt(b, e, v)) {
      const f = skipSpaces(b, e - v.length);
      if (f < e - v.length) e = f; // "is" must stand after a space
      break;
    }
  }
  if (endsWithLabel(b, e)) return true;
  for (const n of LABEL_NOUNS) {
    if (endsWithWordAt(b, e, n)) return endsWithLabel(b, skipSpaces(b, e - n.length));
  }
  return false;
};
const LICENSE_CONTEXT = /(?:driver'?s?|driving)\s+licen[cs]e|\blicen[cs]e\s+(?:no|number|#)|\bdl\s*(?:no|#|number)?\s*:?/;
// Valid in any of these regions is valid. Tried in order of how many numbers each accepts (German numbering, with
// its variable lengths, accepts most), so a valid number is usually settled by the first parse.
const REGIONS: CountryCode[] = ['DE', 'FI', 'AT', 'SE', 'IE', 'PL', 'NZ', 'BR', 'IN', 'JP', 'HR', 'IS', 'GB', 'HU', 'NL', 'BE', 'DK', 'NO', 'SI', 'MX', 'UY', 'AR', 'GR', 'ZA', 'FR', 'CH', 'US', 'CA', 'IT', 'ES', 'PT', 'CZ', 'AU', 'RU'];

// Digits in groups of three after the first, joined by one kind of mark: a number written with thousands separators.
const THOUSANDS = /^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$/;
const DATE_SHAPE = /^(?:\d{4}[-\/.]\d{1,2}[-\/.]\d{1,2}|\d{1,2}[-\/.]\d{1,2}[-\/.]\d{2,4})$/;

// Phone verdicts are libphonenumber-js's (phone.ts answers as the library does, with its patterns compiled once). They
// are remembered per run of characters within one text (a pure function of the run, bounded) and forgotten when the
// text is done: a gateway should not keep the phone numbers it masked in memory after the call.
const VERDICTS_MAX = 4096;
const verdicts = new Map<string, number>();

function remember(key: string, v: number): number {
  if (verdicts.size >= VERDICTS_MAX) verdicts.clear();
  verdicts.set(key, v);
  return v;
}

/** `+…` numbers: VALID | POSSIBLE bits, international format. */
function internationalVerdict(run: string): number {
  const v = verdicts.get(run);
  if (v !== undefined) return v;
  return remember(run, phoneVerdict(run));
}

/** National numbers: VALID if valid in any of REGIONS. */
function nationalVerdict(run: string): number {
  const key = '#' + run; // never starts with '+', so it cannot collide with an international key
  const v = verdicts.get(key);
  if (v !== undefined) return v;
  for (const region of REGIONS) {
    if (validInRegion(run, region)) return remember(key, VALID);
  }
  return remember(key, 0);
}

/** A phone's confidence for `run` (`n` digits); `decimal`: the run is decimal numbers (see `decimalsOnly`). */
function phoneConfidence(run: string, n: number, ctxBefore: string, field: string | undefined, decimal: boolean): number {
  if (n < 7 || n > 15) return 0;
  const fieldPhone = !!field && /phone|mobile|tel|fax|cell/.test(field);
  // Measurements, coordinates, constants: a decimal point is not a phone separator unless a telephone is named.
  if (decimal && !fieldPhone && !STRONG_PHONE_CONTEXT.test(ctxBefore)) return 0;
  if (run[0] === '+') {
    const v = internationalVerdict(run);
    if (v & VALID) return 0.95;
    return v & POSSIBLE ? 0.8 : fieldPhone || PHONE_CONTEXT.test(ctxBefore) ? 0.6 : 0;
  }
  if (!fieldPhone && idLabelBefore(ctxBefore)) return 0;
  const context = fieldPhone || PHONE_CONTEXT.test(ctxBefore);
  if (!context && notPhoneContext(ctxBefore)) return 0;
  const grouped = /[ .()\/-]/.test(run.slice(1));
  if (context) return grouped || n >= 9 ? 0.85 : 0.6;
  if (!grouped) return 0; // a bare run of digits without context is an id, not a phone
  return nationalVerdict(run) & VALID ? 0.75 : 0;
}

function cardAt(digits: string): number {
  if (digits.length < 12 || digits.length > 19 || !luhn(digits)) return 0;
  return cardIssuer(digits) ? 0.95 : 0;
}

/**
 * One pass over digit runs: credit cards (Luhn + issuer), US SSNs (valid ranges), IPv4, phone numbers
 * (libphonenumber-js), driver licences in context. Dates, ISBNs, prices and ids are left alone.
 */
export const numbers: Detector = (text, out, ctx) => {
  // Runs only occur inside the word pass's stretches of number characters; each is searched on its own (a run
  // cannot cross the end of one), so the matches are those of one search over the whole text.
  const w = wordPass(text, ctx);
  const cu = codeUnits(text, ctx);
  if (verdicts.size) verdicts.clear();
  for (let r = 0; r < w.nNum; r++) {
    const end = w.numE[r];
    // The matches of RUN within [numS, numE), as its global search finds them (RUN's lookahead and the pieces of a
    // run read no further than the stretch, so neither does this).
    for (let p = w.numS[r]; p < end; ) {
      const q = runEnd(cu, p, end);
      if (q < 0) {
        p++;
        continue;
      }
      if (q - p >= 7) {
        const had = out.length;
        runAt(text, cu, out, ctx, text.slice(p, q), p); // shorter runs are dropped by runAt
        if (out.length === had) spacedColumns(text, cu, out, ctx, p, q);
      }
      p = q;
    }
  }
  verdicts.clear();
};

/**
 * A run in which nothing was found, with more digits than any one number holds (16+) and spaces in it: values side
 * by side in columns ("4155550123 536-22-8714" in a fixed-width table, where the run reader joins them). The parts
 * between spaces are looked at as they would be on their own.
 */
function spacedColumns(text: string, cu: Uint16Array, out: Parameters<Detector>[1], ctx: Parameters<Detector>[2], p: number, q: number): void {
  let digits = 0, spaced = false;
  for (let k = p; k < q; k++) {
    const c = cu[k];
    if (c >= 48 && c <= 57) digits++;
    else if (c === 32) spaced = true;
  }
  if (!spaced || digits < 16) return;
  // Each part alone (at most one look per 7 characters: linear), but a run that starts with `+` or `(` may start with
  // a number written with spaces ("+1 415 555 0172" before an SSN): the longest stretch of its first parts, up to 24
  // characters, that is one is taken first.
  let a = p;
  if (cu[p] === 43 || cu[p] === 40) {
    const found: Parameters<Detector>[1] = [];
    for (let e = Math.min(q - 1, p + 24); e >= p + 7; e--) {
      if (cu[e] !== 32) continue;
      runAt(text, cu, found, ctx, text.slice(p, e), p);
      if (found.length > 0) {
        for (const f of found) out.push(f);
        a = e + 1;
        break;
      }
    }
  }
  while (a < q) {
    let b = a;
    while (b < q && cu[b] !== 32) b++;
    if (b - a >= 7) runAt(text, cu, out, ctx, text.slice(a, b), a);
    a = b + 1;
  }
}

const isDigitCode = (c: number) => c >= 48 && c <= 57;
/** In RUN's lookahead class `[\d .\/()-]`. */
const isRunChar = (c: number) => isDigitCode(c) || c === 32 || c === 46 || c === 47 || c === 40 || c === 41 || c === 45;
/**
 * Where a match of RUN starting at `p` ends (reading no further than `end`), or -1 when none starts there. RUN:
 * a `+`, `(` or digit with 6 run characters after it; after `+` or `(` a digit; then, greedily, digits, each after
 * nothing, one of ` ./-` (then maybe `(`), or `)` (then maybe a space or `-`). Every piece ends in a digit and the
 * pieces start with distinct characters, so the longest extension is the match.
 */
export function runEnd(cu: Uint16Array, p: number, end: number): number {
  const c = cu[p];
  const digit = isDigitCode(c);
  if (!digit && c !== 43 && c !== 40) return -1;
  if (p + 6 >= end) return -1;
  for (let k = p + 1; k <= p + 6; k++) if (!isRunChar(cu[k])) return -1;
  let q = p + 1;
  if (!digit) {
    if (!isDigitCode(cu[q])) return -1;
    q++;
  }
  while (q < end) {
    const x = cu[q];
    if (isDigitCode(x)) q++;
    else if (x === 32 || x === 46 || x === 47 || x === 45) {
      if (q + 2 < end && cu[q + 1] === 40 && isDigitCode(cu[q + 2])) q += 3;
      else if (q + 1 < end && isDigitCode(cu[q + 1])) q += 2;
      else break;
    } else if (x === 41) {
      if (q + 2 < end && (cu[q + 1] === 32 || cu[q + 1] === 45) && isDigitCode(cu[q + 2])) q += 3;
      else if (q + 1 < end && isDigitCode(cu[q + 1])) q += 2;
      else break;
    } else break;
  }
  return q;
}

function runAt(text: string, cu: Uint16Array, out: Parameters<Detector>[1], ctx: Parameters<Detector>[2], match: string, at: number): void {
  {
    let run = match;
    let start = at;
    if (run.length < 7) return;
    // A run glued to letters (hex ids, SKUs like AB-1234567, v1.2.3) is part of a word, not a number.
    const prev = start > 0 ? text.charCodeAt(start - 1) : 32;
    const next = start + run.length < text.length ? text.charCodeAt(start + run.length) : 32;
    // A phone's extension glued on ("345-899-3560x4587", "+1-903-140-4508x769"): a phone only, masked with it.
    const ext = next === 120 || next === 88 ? extensionAt(cu, start + run.length) : 0;
    if (ext === 0 && (isAlnum(next) || next === 95)) return;
    const after2 = start + run.length + 1 < text.length ? text.charCodeAt(start + run.length + 1) : 32;
    // A dotted version glued by a hyphen or a dot to a lower-case word ("5.15.0-1051-aws", "2.4.1-beta"); a phone
    // glued to its label ("788-063-Office", Presidio synth) stays a phone.
    if ((next === 45 || next === 46) && after2 >= 97 && after2 <= 122 && run.includes('.')) return;
    // An amount grouped in thousands, with its decimals after ("12.345.678,90 EUR", "1,234,567.89").
    if ((next === 44 || next === 46) && after2 >= 48 && after2 <= 57 && THOUSANDS.test(run) && run.charCodeAt(run.length - 4) !== next) return;
    let end = start + run.length;
    const glued = isAlnum(prev) || prev === 95;
    if (glued && licenceLetters(text, cu, start, end, ctx.field, out)) return;
    if (glued) {
      // The first group belongs to the word ("IPv4 10.0.12.7"); after a space an IPv4 address may stand alone (and
      // only that: "x264 1920 1080" is no phone).
      let k = start;
      while (k < end && cu[k] !== 32) k++;
      if (k >= end - 1) return;
      start = k + 1;
    }
    // INV-2025-799569, SKU_12345678, build/20250101: a number hyphenated onto a word is an id.
    else if ((prev === 45 || prev === 47) && start > 1 && isAlnum(text.charCodeAt(start - 2)) && run[0] !== '+') return;
    // Timestamps: a date and a clock time are never a phone ("2026-03-14 10:22:33" reads "2026-03-14 10" as a run).
    start = afterClock(cu, start, end);
    if (start < 0) return;
    start = afterZone(cu, start, end);
    end = beforeClock(cu, start, end, text.length);
    start = afterDate(text, start, end);
    if (end - start < 7) return;
    // An access log's status and size after the request line: `"GET / HTTP/1.1" 200 1234`.
    if (start >= 2 && cu[start - 1] === 32 && cu[start - 2] === 34 && httpStatusAndSize(text, cu, start, end)) return;
    if (start !== at || end !== at + run.length) run = text.slice(start, end);
    if (run[0] === '(' && !run.includes(')')) {
      run = run.slice(1);
      start++;
    }
    // The digits are counted, and a dot and the other separators noted, by code unit; the digit string itself is
    // made only where a check reads it (ISBN, card, SSN).
    let nDigits = 0, dot = false, otherSep = false;
    for (let k = start; k < end; k++) {
      const c = cu[k];
      if (c >= 48 && c <= 57) nDigits++;
      else if (c === 46) dot = true;
      else if (c === 32 || c === 45 || c === 47 || c === 40 || c === 41) otherSep = true;
    }
    if (nDigits > 40) return;
    let digits: string | undefined; // the digit string, made on first use
    const field = ctx.field;

    if (dot && !otherSep) {
      const ip = ipv4Confidence(text, start, run);
      if (ip) {
        if (!ipv4Harmless(run)) out.push({ type: 'IP_ADDRESS', start, end, confidence: ip, detector: 'ipv4' });
        return;
      }
    }
    if (glued) return;
    // A card grouped with dots like spaces or dashes (4-4-4-4, Amex 4-6-5): not an IP (parts above 255), checked
    // with Luhn and the issuer ranges as the spaced forms are.
    if (dot && !otherSep && (nDigits === 16 || nDigits === 15) && DOTTED_CARD.test(run)) {
      const c = cardAt((digits ??= digitsIn(run)));
      if (c) {
        out.push({ type: 'CREDIT_CARD', start, end, confidence: c, detector: 'credit-card' });
        return;
      }
    }
    if (DATE_SHAPE.test(run)) return; // dates: only in birth context (see dates.ts)
    // The lower-cased text before the run, made only here (lower-casing a slice of a text with characters beyond
    // Latin-1 costs a few hundred nanoseconds): IP addresses, dates and runs glued to a word never need it.
    const b = lowerBefore(text, cu, start);
    if (b.includes('isbn') || (/^97[89]-/.test(run) && isbnValid((digits ??= digitsIn(run))))) return;

    const bl = b.slice(-32);
    // Every licence cue holds "licen" or "dl": the pattern is tried only then.
    const lic = ((bl.includes('licen') || bl.includes('dl')) && LICENSE_CONTEXT.test(bl)) || (!!field && /licen[cs]e/.test(field));
    if (lic) {
      out.push({ type: 'DRIVER_LICENSE', start, end, confidence: 0.8, detector: 'driver-license' });
      return;
    }
    // Cards: the whole run, or a window of its groups (a card followed by other numbers).
    const sepOk = /^[\d \-]+$/.test(run);
    if (sepOk) {
      const c = nDigits >= 12 && nDigits <= 19 ? cardAt((digits ??= digitsIn(run))) : 0;
      if (c) {
        out.push({ type: 'CREDIT_CARD', start, end, confidence: c, detector: 'credit-card' });
        return;
      }
      if (nDigits > 19 && /[ -]/.test(run)) {
        const found = cardInGroups(run, start, out);
        if (found) return;
      }
    }
    if (nDigits === 9) {
      const ssnShape = /^\d{3}([- ])\d{2}\1\d{4}$/.test(run);
      const ssnCtx = SSN_CONTEXT.test(b) || (!!field && /ssn|social/.test(field));
      digits ??= digitsIn(run);
      // Under an SSN cue or field, any number in an issued range is one (the well-known samples too: fixtures are
      // full of them); without one, only the SSN shape, and not the samples.
      if ((ssnShape || ssnCtx) && (ssnCtx ? ssnIssuable(digits) : ssnValid(digits))) {
        out.push({ type: 'US_SSN', start, end, confidence: ssnCtx ? 0.95 : 0.85, detector: 'us-ssn' });
        return;
      }
      if (ssnShape) return; // SSN-shaped but never issued, or a sample: not a person's number (nor a phone)
    }
    if (nDigits >= 12 && nDigits <= 19 && CARD_CONTEXT.test(b) && luhn((digits ??= digitsIn(run)))) {
      out.push({ type: 'CREDIT_CARD', start, end, confidence: 0.7, detector: 'credit-card' });
      return;
    }
    const phone = phoneConfidence(run, nDigits, b, field, dot && decimalsOnly(cu, start, end));
    if (phone) out.push({ type: 'PHONE', start, end: end === at + match.length ? end + ext : end, confidence: phone, detector: 'phone' });
  }
}

/**
 * A driver's licence number that starts with its letters (`F162823540116`, `D12-345-678`: many US states) after a
 * licence cue or under a licence field: the run at `start` glued to one or two letters that begin a word. Pushes it
 * and says so.
 */
function licenceLetters(text: string, cu: Uint16Array, start: number, end: number, field: string | undefined, out: Parameters<Detector>[1]): boolean {
  let s = start;
  while (s > 0 && start - s < 2 && isLetterCode(cu[s - 1])) s--;
  if (s === start || (s > 0 && (isAlnum(cu[s - 1]) || cu[s - 1] === 95))) return false;
  if (!(!!field && /licen[cs]e/.test(field))) {
    const bl = lowerBefore(text, cu, s).slice(-32);
    if (!((bl.includes('licen') || bl.includes('dl')) && LICENSE_CONTEXT.test(bl))) return false;
  }
  out.push({ type: 'DRIVER_LICENSE', start: s, end, confidence: 0.8, detector: 'driver-license' });
  return true;
}

/** The length of a phone extension `x123` at `i` (1 to 6 digits after an x, ending the word), else 0. */
function extensionAt(cu: Uint16Array, i: number): number {
  let k = i + 1;
  while (k < cu.length && k - i <= 6 && cu[k] >= 48 && cu[k] <= 57) k++;
  if (k === i + 1 || k - i > 7 || (k < cu.length && (isAlnum(cu[k]) || cu[k] === 95))) return 0;
  return k - i;
}

const isLetterCode = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

// ASCII code units in lower case.
const LOWER = new Uint8Array(128);
for (let c = 0; c < 128; c++) LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c;
/**
 * `before(text, start, 48)`, the window lower-cased. Lower-casing a slice of a two-byte text goes through the runtime
 * (about 300 ns); a window of ASCII is lowered by table and made by one `String.fromCharCode` of its 48 code units
 * instead (a third of that; a one-byte string, which the patterns read after it also match faster). Other windows,
 * and shorter ones, take `before`.
 */
function lowerBefore(text: string, cu: Uint16Array, start: number): string {
  const a = start - 48;
  if (a < 0) return before(text, start, 48);
  for (let k = a; k < start; k++) if (cu[k] >= 128) return before(text, start, 48);
  return String.fromCharCode(
    LOWER[cu[a]], LOWER[cu[a + 1]], LOWER[cu[a + 2]], LOWER[cu[a + 3]], LOWER[cu[a + 4]], LOWER[cu[a + 5]], LOWER[cu[a + 6]], LOWER[cu[a + 7]], LOWER[cu[a + 8]], LOWER[cu[a + 9]], LOWER[cu[a + 10]], LOWER[cu[a + 11]],
    LOWER[cu[a + 12]], LOWER[cu[a + 13]], LOWER[cu[a + 14]], LOWER[cu[a + 15]], LOWER[cu[a + 16]], LOWER[cu[a + 17]], LOWER[cu[a + 18]], LOWER[cu[a + 19]], LOWER[cu[a + 20]], LOWER[cu[a + 21]], LOWER[cu[a + 22]], LOWER[cu[a + 23]],
    LOWER[cu[a + 24]], LOWER[cu[a + 25]], LOWER[cu[a + 26]], LOWER[cu[a + 27]], LOWER[cu[a + 28]], LOWER[cu[a + 29]], LOWER[cu[a + 30]], LOWER[cu[a + 31]], LOWER[cu[a + 32]], LOWER[cu[a + 33]], LOWER[cu[a + 34]], LOWER[cu[a + 35]],
    LOWER[cu[a + 36]], LOWER[cu[a + 37]], LOWER[cu[a + 38]], LOWER[cu[a + 39]], LOWER[cu[a + 40]], LOWER[cu[a + 41]], LOWER[cu[a + 42]], LOWER[cu[a + 43]], LOWER[cu[a + 44]], LOWER[cu[a + 45]], LOWER[cu[a + 46]], LOWER[cu[a + 47]]
  );
}

const DOTTED_CARD = /^(?:\d{4}\.\d{4}\.\d{4}\.\d{4}|\d{4}\.\d{6}\.\d{5})$/;
/** `run.replace(/\D/g, '')`, by the runs of digits between separators (a regex replace costs several times more). */
function digitsIn(run: string): string {
  let out = '', a = 0;
  for (let k = 0; k < run.length; k++) {
    const c = run.charCodeAt(k);
    if (c < 48 || c > 57) {
      if (k > a) out += run.slice(a, k);
      a = k + 1;
    }
  }
  return a === 0 ? run : out + run.slice(a);
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function cardInGroups(run: string, start: number, out: Parameters<Detector>[1]): boolean {
  const groups: { s: number; e: number }[] = [];
  const re = /\d+/g;
  let g: RegExpExecArray | null;
  while ((g = re.exec(run))) groups.push({ s: g.index, e: g.index + g[0].length });
  for (let i = 0; i < groups.length; i++) {
    let digits = '';
    for (let j = i; j < groups.length && digits.length < 19; j++) {
      digits += run.slice(groups[j].s, groups[j].e);
      if (digits.length >= 13 && cardAt(digits)) {
        out.push({ type: 'CREDIT_CARD', start: start + groups[i].s, end: start + groups[j].e, confidence: 0.9, detector: 'credit-card' });
        return true;
      }
    }
  }
  return false;
}

const isDigitAt = (cu: Uint16Array, k: number) => cu[k] >= 48 && cu[k] <= 57;

/**
 * Where the run [start, end) goes on after the rest of a clock time it starts with, or -1 if that is all of it. A run
 * right after `<digit>:` starts with the minutes or seconds of a time ("10:22:33.123456", "10:22 415 555 0172"):
 * that group, a fraction after a dot, and the space after them are not part of a number.
 */
function afterClock(cu: Uint16Array, start: number, end: number): number {
  if (start < 2 || cu[start - 1] !== 58 || !isDigitAt(cu, start - 2)) return start;
  let k = start;
  while (k < end && isDigitAt(cu, k)) k++;
  if (k < end && cu[k] === 46) {
    k++;
    while (k < end && isDigitAt(cu, k)) k++;
  }
  return k < end && cu[k] === 32 ? k + 1 : -1;
}

/**
 * The end of the run [start, end) without the hour of a clock time it ends with: a last group of one or two digits
 * after a space, with `:` and two digits right after the run ("2026-03-14 10:22", "415 555 0172 10:30").
 */
function beforeClock(cu: Uint16Array, start: number, end: number, n: number): number {
  if (end + 2 >= n || cu[end] !== 58 || !isDigitAt(cu, end + 1) || !isDigitAt(cu, end + 2)) return end;
  if (end - 2 > start && cu[end - 2] === 32) return end - 2;
  if (end - 3 > start && cu[end - 3] === 32 && isDigitAt(cu, end - 2)) return end - 3;
  return end;
}

// A calendar date at the start of a run, then a space: 2026-03-14, 2026/03/14, 2026.03.14, 14/03/2026, 03-14-2026,
// 14.03.2026, 20260314 (a four-digit year 19xx/20xx, a month and a day in range, one separator style).
const DATE_PREFIX = /^(?:(?:19|20)\d\d([-\/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])([-\/.])(?:0?[1-9]|[12]\d|3[01])\2(?:19|20)\d\d|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])) /;

/** Where the run [start, end) goes on after a date it starts with ("2026-03-14 4155550172" holds a number after it). */
function afterDate(text: string, start: number, end: number): number {
  const c = text.charCodeAt(start);
  if (c !== 49 && c !== 50 && c !== 48 && c !== 51) return start; // every date prefix starts with 0-3
  const m = DATE_PREFIX.exec(text.slice(start, Math.min(end, start + 11)));
  if (m) return Math.min(end, start + m[0].length);
  // A compact date and time as one run: 20260314-102233, 20260314-1022.
  return COMPACT_STAMP.test(text.slice(start, end)) ? end : start;
}
const COMPACT_STAMP = /^(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?$/;

/**
 * Where the run [start, end) goes on after a time zone offset right after a clock time ("10:22:33 +0000 415 555
 * 0172"): `+` and four digits, then a space.
 */
function afterZone(cu: Uint16Array, start: number, end: number): number {
  if (cu[start] !== 43 || start < 4 || cu[start - 1] !== 32 || cu[start - 4] !== 58 || !isDigitAt(cu, start - 2) || !isDigitAt(cu, start - 3)) return start;
  for (let k = start + 1; k <= start + 4; k++) if (!isDigitAt(cu, k)) return start;
  return start + 5 < end && cu[start + 5] === 32 ? start + 6 : start + 5 >= end ? end : start;
}

/**
 * The run [start, end) is decimal numbers: each space-separated part is digits, one dot, digits ("3.14159265358979",
 * "51.5073509 0.1277583"). A phone is never written with a single dot and nothing else.
 */
function decimalsOnly(cu: Uint16Array, start: number, end: number): boolean {
  let dots = 0;
  for (let k = start; k < end; k++) {
    const c = cu[k];
    if (c === 46) {
      if (++dots > 1) return false;
    } else if (c === 32) {
      if (dots !== 1) return false;
      dots = 0;
    } else if (c < 48 || c > 57) return false;
  }
  return dots === 1;
}

/** [start, end) is `<status> <bytes>` (a status 100-599) after a quoted request line that names `HTTP/`. */
function httpStatusAndSize(text: string, cu: Uint16Array, start: number, end: number): boolean {
  if (cu[start] < 49 || cu[start] > 53 || !isDigitAt(cu, start + 1) || !isDigitAt(cu, start + 2) || cu[start + 3] !== 32) return false;
  for (let k = start + 4; k < end; k++) if (!isDigitAt(cu, k)) return false;
  return text.slice(Math.max(0, start - 24), start).includes('HTTP/');
}
