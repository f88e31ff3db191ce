/**
 * Character classes by UTF-16 code unit, in one table, so the detectors' scans cost an array read per character
 * instead of a Unicode regex test. ASCII and Latin-1 are filled at load; any other code unit is classified with
 * the Unicode regexes the first time it is seen and remembered (so the table never disagrees with the regexes).
 *
 * @example
 * charClass('É'.charCodeAt(0)) & WORD_LETTER // != 0
 */

/** Set once the code unit has been classified. */
const KNOWN = 0x80;
/** A letter or mark (`[\p{L}\p{M}]`) at U+00C0 or above, or an ASCII letter: what a word is made of. */
export const WORD_LETTER = 0x01;
/** Upper case (`\p{Lu}`). */
export const UPPER = 0x02;
/** In the address patterns' letter class `[A-Za-z\u00C0-\u024F]`. */
export const ADDR_LETTER = 0x04;
/** An ASCII digit. */
export const DIGIT = 0x08;
/** Matches `\s`. */
export const SPACE = 0x10;
/** Matches `[\p{L}\p{M}]` (any code unit, including ª µ º below U+00C0). */
export const ANY_LETTER = 0x20;
/** Matches `\p{L}` (a letter, without the marks). */
export const LETTER = 0x40;

const table = new Uint8Array(65536);
const LETTER_RE = /[\p{L}\p{M}]/u;
const LETTER_ONLY_RE = /\p{L}/u;
const UPPER_RE = /\p{Lu}/u;
const SPACE_RE = /\s/;

function classify(c: number): number {
  const ch = String.fromCharCode(c);
  let v = KNOWN;
  if (LETTER_RE.test(ch)) v |= ANY_LETTER;
  if (LETTER_ONLY_RE.test(ch)) v |= LETTER;
  if (c < 128) {
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) v |= WORD_LETTER | ADDR_LETTER;
    if (c >= 65 && c <= 90) v |= UPPER;
    if (c >= 48 && c <= 57) v |= DIGIT;
  } else {
    // Code units below U+00C0 (º, µ, ª …) are not word letters; lone surrogates match no Unicode class.
    if (c >= 0xc0 && LETTER_RE.test(ch)) v |= WORD_LETTER;
    if (UPPER_RE.test(ch)) v |= UPPER;
    if (c >= 0xc0 && c <= 0x24f) v |= ADDR_LETTER;
  }
  if (SPACE_RE.test(ch)) v |= SPACE;
  table[c] = v;
  return v;
}
for (let c = 0; c < 0x250; c++) classify(c);

/** The class bits of a UTF-16 code unit (NaN, past the end of a string, has none). */
export function charClass(c: number): number {
  if (!(c >= 0)) return 0; // NaN from charCodeAt past the end
  const v = table[c];
  return v !== 0 ? v : classify(c);
}

// One buffer for the code units of the text being scanned, reused from scan to scan (a fresh 512 KB buffer per
// 256 KB piece would be garbage for the old generation to collect); `unitsGen` tells a stale view from a live one.
let units = Buffer.allocUnsafe(1 << 16);
let unitsGen = 0;

/**
 * The UTF-16 code units of `text` as a typed array, made once per scan and kept on the context: loops over it run
 * markedly faster than `charCodeAt` on long sliced strings. The array is valid until the next scan.
 */
export function codeUnits(text: string, ctx: { codes?: Uint16Array; codesOf?: string; codesGen?: number }): Uint16Array {
  if (ctx.codes && ctx.codesOf === text && ctx.codesGen === unitsGen) return ctx.codes;
  const bytes = text.length * 2;
  // Grow to fit (and one code unit more: see `withEnd`); after a very large text, go back to a modest buffer rather
  // than keep it.
  if (units.length < bytes + 2 || (units.length > 1 << 22 && units.length > bytes * 4)) units = Buffer.allocUnsafe(Math.max(bytes + 2, 1 << 16));
  units.write(text, 0, 'utf16le');
  units[bytes] = units[bytes + 1] = 0;
  const a = new Uint16Array(units.buffer, units.byteOffset, text.length);
  ctx.codes = a;
  ctx.codesOf = text;
  ctx.codesGen = ++unitsGen;
  return a;
}

/**
 * The code units `codeUnits` returned, and one more after them, a 0 (in the buffer, past the text): a loop can read
 * up to and including index `text.length` and meet a character that is neither a letter, a digit nor a separator.
 */
export function withEnd(a: Uint16Array): Uint16Array {
  return new Uint16Array(a.buffer, a.byteOffset, a.length + 1);
}

/** Wipe the code units a scan left in the shared buffer (the scanned text is not kept in memory after the scan). */
export function releaseCodeUnits(ctx: { codes?: Uint16Array; codesGen?: number }): void {
  if (ctx.codes && ctx.codesGen === unitsGen) ctx.codes.fill(0);
  ctx.codes = undefined;
}

/** `words` grouped by their last code unit, each group in list order: only a group can end a text at a given place. */
export function byLastUnit(words: readonly string[]): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const w of words) {
    const k = w.charCodeAt(w.length - 1);
    const list = m.get(k);
    if (list) list.push(w);
    else m.set(k, [w]);
  }
  return m;
}

const isHexUnit = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/** `n`, `t` or `r`: the letter of a `\n`, `\t` or `\r` escape. */
const isEscapeLetter = (c: number) => c === 110 || c === 116 || c === 114;

/**
 * Does a literal escape end right before `s` in the code units `a`: a backslash escape `\n`, `\t`, `\r` (a JSON or
 * C string's line break or tab, seen as text: a log line holding `"msg":"…\n…"`) or a percent escape `%XX` (an
 * encoded URL)? Then what starts at `s` starts a word, though a letter or a digit is right before it.
 *
 * @example
 * escapeBefore(codeUnits('a\\nghp_x', {}), 3) // true: `\n` before `ghp_`
 */
export function escapeBefore(a: Uint16Array, s: number): boolean {
  if (s >= 2 && a[s - 2] === 92 && isEscapeLetter(a[s - 1])) return true;
  return s >= 3 && a[s - 3] === 37 && isHexUnit(a[s - 2]) && isHexUnit(a[s - 1]);
}

/**
 * Where the rest of an ASCII letter run starting at `s` begins when the run starts inside a literal escape: after the
 * letter of a `\n`, `\t`, `\r` escape (`\nghp_…`: the run `nghp` goes on at `g`), or after the letter digits of a
 * percent escape (`%3Dghp_`, `%ADx`); -1 when it does not. Only what a run holds past the escape is the word.
 */
export function escapedRunRest(a: Uint16Array, s: number): number {
  const c = a[s];
  if (s >= 1 && a[s - 1] === 92 && isEscapeLetter(c)) return s + 1;
  if (!isHexUnit(c)) return -1;
  if (s >= 2 && a[s - 2] === 37 && isHexUnit(a[s - 1])) return s + 1; // %3D…: the run starts at its second digit
  if (s >= 1 && a[s - 1] === 37 && isHexUnit(a[s + 1])) return s + 2; // %AD…: both digits are letters
  return -1;
}
