import type { Finding } from '../core/masking.js';
import { tableStart } from './structured.js';

export interface StreamOptions {
  /** Text scanned per step (UTF-16 units). */
  chunk?: number;
  /** Tail kept and scanned again with the next chunk; values up to this long are found across a boundary. */
  overlap?: number;
  /**
   * A stream that starts as JSON or as a table is cut only between whole values or rows; a single JSON value longer
   * than this (UTF-16 units) is masked as text from then on. Default 8 M.
   */
  maxUnit?: number;
}

/** A piece of the stream, with its findings (offsets in `text`). */
export interface Piece {
  text: string;
  findings: Finding[];
  /**
   * Set when the piece is whole JSON values or whole table rows: mask it as one text (structured), with `prefix`
   * (the table's header, repeated as context) before it, and drop what falls in the prefix.
   */
  unit?: { prefix: string };
}

// How far into a stream its kind is decided: JSON by its first character, a table by its first lines.
const PEEK = 64 * 1024;
const UNDECIDED = 0, TEXT = 1, JSON_VALUES = 2, TABLE = 3;
const MAX_OPEN = 512;

/**
 * Findings of `prefix + text` moved to offsets in `text`; what lies wholly in the prefix is dropped, and a finding
 * that runs from the prefix into the text covers the text's part.
 */
export function withoutPrefix<T extends { start: number; end: number }>(findings: T[], prefix: number): T[] {
  const out: T[] = [];
  for (const f of findings) if (f.end > prefix) out.push({ ...f, start: Math.max(f.start, prefix) - prefix, end: f.end - prefix });
  return out;
}

/** How much of the text already emitted is scanned again before the next piece (cue distances are far shorter). */
const CONTEXT = 1024;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * Where to cut near `cut` so that no word and no UTF-16 surrogate pair is split: after the last white space within
 * 1,024 characters before it, else (a line with no space: minified text, a long token) before a low surrogate's pair.
 */
export function wordCut(buf: string, cut: number): number {
  for (let i = cut - 1; i > 0 && i >= cut - CONTEXT; i--) if (isSpace(buf.charCodeAt(i))) return i + 1;
  const c = buf.charCodeAt(cut);
  return c >= 0xdc00 && c <= 0xdfff && cut > 0 ? cut - 1 : cut;
}

/** The last CONTEXT characters of `text`, from a word's start (after white space) when there is one near. */
function leftContext(text: string): string {
  if (text.length <= CONTEXT) return text;
  let s = text.length - CONTEXT;
  for (let i = s; i < s + 128 && i < text.length; i++) {
    if (isSpace(text.charCodeAt(i))) {
      s = i + 1;
      break;
    }
  }
  const c = text.charCodeAt(s);
  return text.slice(c >= 0xdc00 && c <= 0xdfff ? s + 1 : s);
}

/**
 * Cut a stream of text into pieces that can be masked on their own, without missing a value split across a chunk
 * boundary: each step scans the buffer, emits the text up to a cut point at least `overlap` characters before the
 * end (moved back to a line break, else to a word's start, and back before any finding that crosses it), and keeps
 * the rest for the next step, which is scanned after the last 1,024 characters emitted (left context: a cue before
 * the cut still names a value after it; what is found in that context alone was emitted already). No cut splits a
 * surrogate pair. Memory stays at about `chunk + overlap`. A PEM private key that is still open at a cut masks the next
 * piece up to its END line.
 *
 * A stream that starts (after whitespace) with `{` or `[` is cut only after a line break outside every JSON value,
 * and one that starts with a table (a header row, see structured.ts) only between rows: each piece is then whole
 * values or rows (`unit`), masked as structured text, rows with the header given again as context. A JSON value
 * longer than `maxUnit` is not waited for: from there the stream is cut as text (masked as any text, without the
 * keys' context). `scanUnits: false` leaves the findings of units empty (the caller masks them itself).
 *
 * @example
 * for await (const p of maskChunks(stdinStrings, (t) => engine.scanSync(t))) process.stdout.write(apply(p));
 */
export async function* maskChunks(
  chunks: AsyncIterable<string>,
  scan: (text: string) => Finding[],
  opts: StreamOptions = {},
  scanUnits = true,
): AsyncGenerator<Piece> {
  const CHUNK = opts.chunk ?? 256 * 1024;
  const OVERLAP = opts.overlap ?? 8 * 1024;
  const MAX_UNIT = Math.max(opts.maxUnit ?? 8 * 1024 * 1024, CHUNK);
  let buf = '';
  let openKey = false;
  // The end of the text emitted last, scanned again before the buffer as left context: a cue just before a cut
  // (`password:`, `DOB`, `Bearer`, `SSN`) still names the value just after it.
  let context = '';

  const step = (final: boolean): Piece => {
    let findings = context ? withoutPrefix(scan(context + buf), context.length) : scan(buf);
    if (openKey) {
      // The previous piece ended inside a private key: everything up to its END line is key material.
      const endMark = buf.indexOf('-----END ');
      const close = endMark >= 0 ? buf.indexOf('-----', endMark + 9) : -1;
      const end = close >= 0 ? close + 5 : buf.length;
      findings = [{ type: 'PRIVATE_KEY', start: 0, end, confidence: 0.99, detector: 'pem' }, ...findings.filter((f) => f.start >= end)];
      openKey = close < 0;
    }
    let cut = buf.length;
    if (!final) {
      cut = buf.length - OVERLAP;
      const nl = buf.lastIndexOf('\n', cut);
      if (nl > cut - OVERLAP / 2) cut = nl + 1;
      else cut = wordCut(buf, cut);
      for (const f of findings) if (f.start < cut && f.end > cut) cut = f.start;
      if (cut <= 0) {
        // One finding spans the whole buffer (a huge key or token): emit it all, carry an open key over.
        cut = buf.length;
        const last = findings[findings.length - 1];
        if (last && last.end === buf.length && last.type === 'PRIVATE_KEY') openKey = true;
      }
    } else if (openKey) openKey = false;
    const piece = { text: buf.slice(0, cut), findings: findings.filter((f) => f.end <= cut) };
    buf = buf.slice(cut);
    context = leftContext(context + piece.text);
    return piece;
  };

  // JSON and tables: where the buffer may be cut (after the last line break outside every value or quoted field).
  let mode = UNDECIDED;
  let header = ''; // a table's header, given again with every later piece
  let quoted = false; // CSV quoting applies to the table
  let carry = ''; // what goes before the next unit as context: the table's header, or the JSON containers still open
  let tracked = 0; // buf is tracked up to here
  let depth = 0, inString = false, escaped = false;
  let boundary = 0; // the last line break outside every JSON value (0: none)
  // A JSON value too long for one piece is cut after a comma past CHUNK; the containers open there (with the key
  // each object is in) are given again before the next piece, so its values keep their keys as context.
  const isObj = new Uint8Array(MAX_OPEN);
  const keys: string[] = new Array<string>(MAX_OPEN).fill('');
  let expectKey = false, keyStart = -1;
  let commaCut = 0, cutPrefix = '';
  const openPrefix = () => {
    let p = '';
    for (let d = 0; d < depth; d++) p += isObj[d] ? (d < depth - 1 ? `{${keys[d]}:` : '{') : '[';
    return p;
  };
  const track = () => {
    for (; tracked < buf.length; tracked++) {
      const c = buf.charCodeAt(tracked);
      if (c === 10) {
        // A JSON string cannot hold a line break: a stray quote in a line that is not JSON does not carry over.
        if (mode === JSON_VALUES) (inString = false), (keyStart = -1);
        if (depth === 0 && !inString) boundary = tracked + 1;
      } else if (mode === TABLE) {
        if (c === 34 && quoted) inString = !inString; // "" toggles twice
      } else if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) {
          inString = false;
          if (keyStart >= 0) keys[depth - 1] = buf.slice(keyStart, tracked + 1);
          keyStart = -1;
        }
      } else if (c === 34) {
        inString = true;
        if (expectKey && depth > 0 && depth <= MAX_OPEN) keyStart = tracked;
      } else if (c === 123 || c === 91) {
        if (depth < MAX_OPEN) (isObj[depth] = c === 123 ? 1 : 0), (keys[depth] = '');
        depth++;
        expectKey = c === 123;
      } else if (c === 125 || c === 93) {
        if (depth > 0) depth--;
        expectKey = false;
      } else if (c === 58) expectKey = false;
      else if (c === 44 && depth > 0) {
        expectKey = depth <= MAX_OPEN && isObj[depth - 1] === 1;
        if (boundary === 0 && tracked + 1 >= CHUNK && depth <= MAX_OPEN) {
          commaCut = tracked + 1;
          cutPrefix = openPrefix();
          tracked++;
          return;
        }
      }
    }
  };
  const unit = (end: number, next: string): Piece => {
    const text = buf.slice(0, end);
    buf = buf.slice(end);
    tracked -= end;
    if (keyStart >= 0) keyStart -= end;
    boundary = 0;
    commaCut = 0;
    const prefix = carry;
    carry = next;
    let findings: Finding[] = [];
    if (scanUnits) {
      findings = scan(prefix + text);
      if (prefix) findings = withoutPrefix(findings, prefix.length);
    }
    return { text, findings, unit: { prefix } };
  };
  let peeked = 0; // buf is looked at up to here for the decision
  let first = -1; // the first character that is not whitespace
  let lines = 0;
  const decide = (final: boolean) => {
    for (; peeked < buf.length && (first < 0 || lines < 4); peeked++) {
      const c = buf.charCodeAt(peeked);
      if (c === 10) lines++;
      if (first < 0 && c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) first = peeked;
    }
    if (first < 0) {
      if (final || buf.length >= PEEK) mode = TEXT;
      return;
    }
    const c = buf.charCodeAt(first);
    if (c === 123 || c === 91) {
      mode = JSON_VALUES;
      return;
    }
    // A table needs its header and first rows (a MySQL table: rule, header, rule, row).
    if (lines < 4 && !final && buf.length < PEEK) return;
    const t = tableStart(buf.length > PEEK ? buf.slice(0, buf.lastIndexOf('\n', PEEK) + 1 || PEEK) : buf);
    if (!t) {
      mode = TEXT;
      return;
    }
    mode = TABLE;
    header = buf.slice(0, t.headerEnd);
    quoted = t.quoted;
  };

  function* drain(final: boolean): Generator<Piece> {
    if (mode === JSON_VALUES || mode === TABLE) {
      track();
      while (buf.length >= CHUNK) {
        if (boundary > 0) {
          yield unit(boundary, mode === TABLE ? header : '');
          track();
        } else if (commaCut > 0) {
          yield unit(commaCut, cutPrefix);
          track();
        } else if (buf.length >= MAX_UNIT) {
          mode = TEXT; // one value longer than a unit: masked as text from here
          break;
        } else break;
      }
      if (mode !== TEXT) {
        if (final && buf.length) yield unit(buf.length, '');
        return;
      }
    }
    while (buf.length >= CHUNK + OVERLAP) yield step(false);
    if (final && (buf.length || openKey)) yield step(true);
  }

  for await (const chunk of chunks) {
    buf += chunk;
    if (mode === UNDECIDED) decide(false);
    if (mode !== UNDECIDED) yield* drain(false);
  }
  if (mode === UNDECIDED) decide(true);
  yield* drain(true);
}
