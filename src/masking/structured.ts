/**
 * Structured text: a text that is a JSON document (or JSON Lines), or a table with a header row (CSV, TSV, psql,
 * Markdown, MySQL), is cut into segments so each value can be scanned with its key or column name as field context,
 * as `maskValue` does for parsed JSON. Only the values are segments; everything else (punctuation, whitespace, rule
 * lines, padding) is kept byte for byte. Linear time; nothing is allocated per character.
 */

/** How a replacement is written back into a segment. */
export const Enc = {
  /** Plain text, or a pipe-table cell: the replacement goes in as it is. */
  Raw: 0,
  /** The inside of a JSON string (a value or a key): replacements are JSON-escaped; `esc` says the raw text has escapes. */
  JsonString: 1,
  /** A JSON number: a masked number becomes a JSON string (as `maskValue` does). */
  JsonNumber: 2,
  /** The inside of a quoted CSV field: `""` is one quote. */
  CsvQuoted: 3,
  /** An unquoted CSV field: a replacement with a delimiter, a quote or a line break quotes the whole field. */
  CsvBare: 4,
  /** The inside of a quoted SQL literal: a `'` in a replacement is written `''`. */
  SqlQuoted: 5,
  /** A bare SQL value (a number): a masked one becomes a quoted SQL string. */
  SqlBare: 6,
  /** A percent-encoded query value (`email=sam%40example.com`): read decoded; a replacement is percent-encoded. */
  Percent: 7,
  /** A base64 / base64url run that may decode to JSON: masked decoded, written back re-encoded as a whole. */
  Base64: 8,
} as const;
export type Enc = (typeof Enc)[keyof typeof Enc];

export interface Segment {
  /** Raw span in the text (for strings: inside the quotes). */
  start: number;
  end: number;
  enc: Enc;
  /** Field context: the nearest JSON key (arrays pass theirs on), the column name; undefined for keys and plain text. */
  field: string | undefined;
  /** The raw span holds escapes (JSON `\…`, CSV `""`): the value must be decoded, and offsets mapped back. */
  esc: boolean;
  /** Plain text between structured parts (scanned as text, never parsed again). */
  plain: boolean;
  /** For a JSON key: the start of its object, so two keys of one object masked alike can be told apart. */
  obj: number;
  /** The segment is an object key that may be a value (an `@` or a digit), or a spelling (below). */
  key: boolean;
  /**
   * A key that may be masked output already (`"[EMAIL]"`, `"[EMAIL]#"`), given only so that a key masked in its
   * object does not take its spelling: it is never scanned nor masked.
   */
  spelling: boolean;
}

/** Texts larger than this are scanned as plain text (the segments would take memory in proportion). */
export const MAX_STRUCTURED = 32 * 1024 * 1024;
/** JSON nested deeper than this is scanned as plain text from the value that goes too deep. */
export const MAX_DEPTH = 512;

const seg = (start: number, end: number, enc: Enc, field: string | undefined, esc = false, plain = false, obj = -1, key = false, spelling = false): Segment => ({
  start, end, enc, field, esc, plain, obj, key, spelling,
});

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** Index of the first character that is not JSON whitespace (or a BOM), from `i`. */
function skipWs(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!isWs(c) && c !== 0xfeff) break;
    i++;
  }
  return i;
}

/**
 * The segments of `text` when it is structured (JSON, JSON Lines or a table with a header row), else undefined:
 * the caller then scans it as plain text. Costs nothing for a text that does not start (after whitespace) with `{`
 * or `[` and has no line break with a delimiter in its first 1,024 characters.
 *
 * @example
 * structuredSegments('{"ssn":"123-45-6789"}', undefined) // [{ start: 8, end: 19, field: 'ssn', enc: Enc.JsonString, … }]
 */
export function structuredSegments(text: string, rootField: string | undefined): Segment[] | undefined {
  if (text.length < 2 || text.length > MAX_STRUCTURED) return undefined;
  const i = skipWs(text, 0);
  const c = text.charCodeAt(i);
  if (c === 123 || c === 91) {
    const json = jsonSegments(text, i, rootField);
    if (json) return json;
  }
  return tableSegments(text) ?? embeddedSegments(text);
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

const TRUNCATED = -2;
const FAILED = -1;

// Parser states.
const S_VALUE = 0, S_AFTER = 1, S_KEY_FIRST = 2, S_KEY = 3, S_COLON = 4, S_VALUE_FIRST = 5;

/**
 * JSON values one after another (a document, JSON Lines, or pretty-printed values one after another as `jq` prints
 * them), each followed by a line break or the end. A value that is not JSON is plain text up to the next line that
 * starts with `{` or `[`; a text cut off inside a value (truncated output) keeps the segments found so far and scans
 * the open token as text. Undefined when no value parses.
 */
function jsonSegments(text: string, first: number, rootField: string | undefined): Segment[] | undefined {
  const n = text.length;
  const out: Segment[] = [];
  const p = new JsonParser(text, rootField, out);
  let plainStart = -1;
  let parsed = 0;
  let i = first;
  while (i < n) {
    const mark = out.length;
    const r = p.value(i);
    if (r === TRUNCATED) {
      if (plainStart >= 0) out.splice(mark, 0, seg(plainStart, i, Enc.Raw, undefined, false, true));
      plainStart = -1;
      parsed++;
      i = n;
      break;
    }
    let end = r;
    if (end >= 0) {
      // The value must end its line: `[1] more words` is not JSON Lines.
      while (end < n && (text.charCodeAt(end) === 32 || text.charCodeAt(end) === 9 || text.charCodeAt(end) === 13)) end++;
      if (end < n && text.charCodeAt(end) !== 10) {
        p.errorAt = end;
        end = FAILED;
      }
    }
    if (end >= 0) {
      if (plainStart >= 0) out.splice(mark, 0, seg(plainStart, i, Enc.Raw, undefined, false, true));
      plainStart = -1;
      parsed++;
      i = skipWs(text, end);
      continue;
    }
    // Not JSON: plain text from here to the next line that starts with `{` or `[`.
    out.length = mark;
    if (plainStart < 0) plainStart = i;
    i = nextJsonLine(text, Math.max(p.errorAt, i));
  }
  if (parsed === 0) return undefined;
  if (plainStart >= 0) out.push(seg(plainStart, n, Enc.Raw, undefined, false, true));
  return out;
}

/** Start of the next line (after `from`) whose first non-blank character is `{` or `[`, or the end of the text. */
function nextJsonLine(text: string, from: number): number {
  const n = text.length;
  let at = from;
  for (;;) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return n;
    let j = nl + 1;
    while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
    const c = text.charCodeAt(j);
    if (c === 123 || c === 91) return j;
    at = j;
  }
}

class JsonParser {
  /** Where the last value failed. */
  errorAt = 0;
  // The open containers: object (1) or array (0), the field their values take, and the object's start.
  private readonly isObj = new Uint8Array(MAX_DEPTH);
  private readonly fields: (string | undefined)[] = new Array(MAX_DEPTH);
  private readonly starts = new Int32Array(MAX_DEPTH);

  constructor(
    private readonly text: string,
    private readonly rootField: string | undefined,
    private readonly out: Segment[],
  ) {}

  /** Parse one value at `i` (not whitespace); its end, FAILED (see errorAt) or TRUNCATED. */
  value(i: number): number {
    const { text, out } = this;
    const n = text.length;
    let depth = 0;
    let state = S_VALUE;
    while (true) {
      // Skip whitespace.
      while (i < n && isWs(text.charCodeAt(i))) i++;
      if (i >= n) return TRUNCATED;
      const c = text.charCodeAt(i);
      const field = depth === 0 ? this.rootField : this.fields[depth - 1];
      switch (state) {
        case S_VALUE:
        case S_VALUE_FIRST:
          if (c === 93 && state === S_VALUE_FIRST) {
            depth--;
            i++;
            if (depth === 0) return i;
            state = S_AFTER;
            break;
          }
          if (c === 123 || c === 91) {
            if (depth === MAX_DEPTH) return this.fail(i);
            this.isObj[depth] = c === 123 ? 1 : 0;
            this.fields[depth] = field;
            this.starts[depth] = i;
            depth++;
            i++;
            state = c === 123 ? S_KEY_FIRST : S_VALUE_FIRST;
          } else if (c === 34) {
            const e = this.string(i);
            if (e === FAILED) return FAILED;
            if (e === TRUNCATED) {
              out.push(seg(i + 1, n, Enc.Raw, field, false, true));
              return TRUNCATED;
            }
            if (e - 1 > i + 1) out.push(seg(i + 1, e - 1, Enc.JsonString, field, this.sawEscape));
            i = e;
            if (depth === 0) return i;
            state = S_AFTER;
          } else if (c === 45 || (c >= 48 && c <= 57)) {
            const e = this.number(i);
            if (e === FAILED) return this.fail(i);
            if (e === TRUNCATED) {
              out.push(seg(i, n, Enc.Raw, field, false, true));
              return TRUNCATED;
            }
            // As maskValue: numbers of 7+ digits, or of 3+ under a key, may be an identifier of a person.
            if (this.digitRun >= 7 || (field !== undefined && this.digitRun >= 3)) out.push(seg(i, e, Enc.JsonNumber, field));
            i = e;
            if (depth === 0) return i;
            state = S_AFTER;
          } else {
            const lit = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : '';
            if (lit === '') return this.fail(i);
            if (!text.startsWith(lit, i)) return i + lit.length > n && lit.startsWith(text.slice(i)) ? TRUNCATED : this.fail(i);
            i += lit.length;
            if (depth === 0) return i;
            state = S_AFTER;
          }
          break;
        case S_AFTER:
          if (c === 44) {
            i++;
            state = this.isObj[depth - 1] ? S_KEY : S_VALUE;
          } else if (c === (this.isObj[depth - 1] ? 125 : 93)) {
            depth--;
            i++;
            if (depth === 0) return i;
          } else return this.fail(i);
          break;
        case S_KEY_FIRST:
        case S_KEY: {
          if (c === 125 && state === S_KEY_FIRST) {
            depth--;
            i++;
            if (depth === 0) return i;
            state = S_AFTER;
            break;
          }
          if (c !== 34) return this.fail(i);
          const e = this.string(i);
          if (e === FAILED) return FAILED;
          if (e === TRUNCATED) {
            out.push(seg(i + 1, n, Enc.Raw, undefined, false, true));
            return TRUNCATED;
          }
          const raw = text.slice(i + 1, e - 1);
          const key = this.sawEscape ? (JSON.parse(text.slice(i, e)) as string) : raw;
          // A key that holds an `@` or a digit may itself be a value (maskValue masks those keys too). One that may be
          // masked output (a `[` or `*`: `"[EMAIL]"`, `"[EMAIL]#"`) is given as a spelling only, never masked: a key
          // masked in this object must not take it.
          if (this.sawKeyValueSign) out.push(seg(i + 1, e - 1, Enc.JsonString, undefined, this.sawEscape, false, this.starts[depth - 1], true));
          else if (key.includes('[') || key.includes('*')) out.push(seg(i + 1, e - 1, Enc.JsonString, undefined, this.sawEscape, false, this.starts[depth - 1], true, true));
          this.fields[depth - 1] = key;
          i = e;
          state = S_COLON;
          break;
        }
        case S_COLON:
          if (c !== 58) return this.fail(i);
          i++;
          state = S_VALUE;
          break;
      }
    }
  }

  private fail(at: number): number {
    this.errorAt = at;
    return FAILED;
  }

  private sawEscape = false;
  private sawKeyValueSign = false;
  private digitRun = 0;

  /** A string starting at the quote `i`: the index after its closing quote, FAILED or TRUNCATED. */
  private string(i: number): number {
    const text = this.text;
    const n = text.length;
    let esc = false;
    let sign = false;
    let j = i + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 34) {
        this.sawEscape = esc;
        this.sawKeyValueSign = sign;
        return j + 1;
      }
      if (c === 92) {
        esc = true;
        if (j + 1 >= n) return TRUNCATED;
        const e = text.charCodeAt(j + 1);
        if (e === 117) {
          if (j + 6 > n) return TRUNCATED;
          for (let k = j + 2; k < j + 6; k++) {
            const h = text.charCodeAt(k);
            if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) {
              this.errorAt = k;
              return FAILED;
            }
          }
          // An escaped @ or digit in a key counts too.
          const u = parseInt(text.slice(j + 2, j + 6), 16);
          if (u === 64 || (u >= 48 && u <= 57)) sign = true;
          j += 6;
          continue;
        }
        // " \ / b f n r t
        if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) {
          this.errorAt = j;
          return FAILED;
        }
        j += 2;
        continue;
      }
      if (c < 32) {
        this.errorAt = j;
        return FAILED;
      }
      if (c === 64 || (c >= 48 && c <= 57)) sign = true;
      j++;
    }
    return TRUNCATED;
  }

  /** A number starting at `i` (JSON grammar): its end, FAILED or TRUNCATED; `digitRun` is its longest digit run. */
  private number(i: number): number {
    const text = this.text;
    const n = text.length;
    let j = i;
    let best = 0;
    if (text.charCodeAt(j) === 45) j++;
    if (j >= n) return TRUNCATED;
    // Integer part (0, or digits not starting with 0), fraction, exponent.
    for (let part = 0; part < 3; part++) {
      if (part === 1) {
        if (j >= n || text.charCodeAt(j) !== 46) continue;
        j++;
      } else if (part === 2) {
        if (j >= n || (text.charCodeAt(j) !== 101 && text.charCodeAt(j) !== 69)) continue;
        j++;
        if (j < n && (text.charCodeAt(j) === 43 || text.charCodeAt(j) === 45)) j++;
      }
      const s = j;
      if (part === 0 && j < n && text.charCodeAt(j) === 48) j++;
      else {
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c < 48 || c > 57) break;
          j++;
        }
      }
      if (j === s) return j >= n ? TRUNCATED : FAILED;
      if (j - s > best) best = j - s;
    }
    if (j >= n) return TRUNCATED; // a number at the very end may go on (a cut-off stream)
    this.digitRun = best;
    return j;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

const HEADER_MAX = 1024;
const MAX_COLUMNS = 256;
// A column name: a letter or `_` first, then letters, digits and a few signs; short.
const COLUMN = /^[\p{L}_?][\p{L}\p{N}_ .#/()%?$-]{0,63}$/u;

/**
 * A table with a header row: CSV / TSV / `;` / `|`-delimited (RFC 4180 quoting), or a pipe table with a rule line
 * under the header (psql, Markdown, MySQL). Each cell is a segment with its column name; the header, rule lines and
 * rows with another number of cells are plain text. Undefined unless the first data row has the header's cells.
 */
function tableSegments(text: string): Segment[] | undefined {
  // The first line, with its delimiters counted: nothing more unless it has a line break and a delimiter.
  const n = text.length;
  // A byte-order mark (Excel's CSV exports start with one) is not part of the first column's name.
  const s0 = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // One line is not a table: most values end here (a native search, cheaper than reading them).
  const nl = (n > HEADER_MAX ? text.slice(0, HEADER_MAX) : text).indexOf('\n');
  if (nl < 0) return undefined;
  let tabs = 0, commas = 0, semis = 0, pipes = 0;
  for (let i = s0; i < nl; i++) {
    const c = text.charCodeAt(i);
    if (c === 9) tabs++;
    else if (c === 44) commas++;
    else if (c === 59) semis++;
    else if (c === 124) pipes++;
  }
  if (nl < 0 || tabs + commas + semis + pipes === 0) {
    // MySQL tables start with a rule line: +----+-----+
    if (nl > s0 && isRule(text, s0, lineEnd(text, s0, nl))) return pipeTable(text, nl + 1, 0);
    // pandas / Jupyter text, `column -t`, `kubectl get`: a header of identifiers padded with spaces.
    if (text.slice(s0, nl).indexOf('  ') >= 0) return alignedTable(text, s0, lineEnd(text, s0, nl), nl);
    return undefined;
  }
  if (pipes > 0) {
    const second = nl + 1;
    const e2 = text.indexOf('\n', second);
    if (isRule(text, second, lineEnd(text, second, e2 < 0 ? n : e2))) return pipeTable(text, s0, -1);
  }
  const delim = tabs >= commas && tabs >= semis && tabs >= pipes && tabs > 0 ? 9 : commas >= semis && commas >= pipes ? 44 : semis >= pipes ? 59 : 124;
  return delimitedTable(text, delim, nl, s0);
}

// A column name in a space-aligned header: one word.
const WORD_COLUMN = /^[\p{L}_][\p{L}\p{N}_.#/%$-]{0,63}$/u;

/**
 * A space-aligned table: a header line of distinct identifiers with a run of 2+ spaces somewhere (a padded header,
 * or pandas' blank index header), then rows whose cells sit under the names, all right-aligned (pandas) or all
 * left-aligned (`column -t`) with their column; pandas' index (a first cell before the first name) is plain text.
 * A cell may hold single spaces ("Olga Petrova"). The first data row must fit, or it is no table (prose).
 */
function alignedTable(text: string, s0: number, he: number, nl: number): Segment[] | undefined {
  const n = text.length;
  const starts: number[] = [];
  const ends: number[] = [];
  const cols: string[] = [];
  for (let i = s0; i < he; ) {
    while (i < he && text.charCodeAt(i) === 32) i++;
    if (i >= he) break;
    let j = i;
    while (j < he && text.charCodeAt(j) !== 32) j++;
    const name = text.slice(i, j);
    if (!WORD_COLUMN.test(name) || cols.includes(name) || cols.length >= MAX_COLUMNS) return undefined;
    cols.push(name);
    starts.push(i - s0);
    ends.push(j - s0);
    i = j;
  }
  // Capitalised words only ("Martin  Karlsen", "Name  Value") are more likely prose or an address block than a header.
  if (cols.length < 2 || cols.every((c) => /^\p{Lu}\p{Ll}+$/u.test(c))) return undefined;
  const out: Segment[] = [seg(0, nl + 1, Enc.Raw, undefined, false, true)];
  const cells: number[] = [];
  let i = nl + 1;
  let rows = 0;
  while (i < n) {
    const rn = text.indexOf('\n', i);
    const next = rn < 0 ? n : rn + 1;
    const e = lineEnd(text, i, rn < 0 ? n : rn);
    if (alignedRow(text, i, e, starts, ends, cells)) {
      rows++;
      for (let k = 0; k < cols.length; k++) out.push(seg(cells[2 * k], cells[2 * k + 1], Enc.Raw, cols[k]));
    } else {
      const blank = text.slice(i, e).trim() === '';
      if (rows === 0 && !blank) return undefined;
      pushPlain(out, i, next);
    }
    i = next;
  }
  if (rows === 0) return undefined;
  fillPlain(out, n);
  return out;
}

/** The cells (start, end pairs into `cells`) of the line [s, e) under the header columns, or false. */
function alignedRow(text: string, s: number, e: number, starts: number[], ends: number[], cells: number[]): boolean {
  const k = starts.length;
  const sp = (x: number) => x < s || x >= e || text.charCodeAt(x) === 32;
  const trim = (a: number, b: number): boolean => {
    while (a < b && text.charCodeAt(a) === 32) a++;
    while (b > a && text.charCodeAt(b - 1) === 32) b--;
    if (b <= a) return false;
    cells.push(a, b);
    return true;
  };
  // Right-aligned: cell c ends at the end of its name, and starts after the end of the previous name.
  cells.length = 0;
  let ok = true;
  for (let c = 0; ok && c < k; c++) {
    let b = s + ends[c];
    if (c === k - 1 && c > 0) {
      // The last cell may run past its name (a ragged last column), but not start after it ends.
      b = e;
      while (b > s && text.charCodeAt(b - 1) === 32) b--;
      if (b <= s + starts[c]) ok = false;
      else ok = sp(s + ends[c - 1]) && trim(s + ends[c - 1], b) && cells[2 * c] < s + ends[c];
      continue;
    }
    if (b > e || sp(b - 1) || !sp(b)) ok = false;
    else if (c === 0) {
      // pandas' index: a first token before the first name, then the cell.
      let a = s;
      if (starts[0] > 0 && !sp(s)) {
        while (a < b && !sp(a)) a++;
        if (a >= s + starts[0]) a = s; // no index: the cell starts the line
      }
      ok = trim(a, b) && !(a > s && cells[0] === s);
    } else ok = !sp(s + ends[c - 1]) ? false : trim(s + ends[c - 1], b);
  }
  if (ok) return true;
  // Words (no cell with a space), one per column and each overlapping its name; pandas' index first: hand-aligned text.
  cells.length = 0;
  let c = starts[0] > 0 ? -1 : 0;
  for (let x = s; x < e; ) {
    while (x < e && text.charCodeAt(x) === 32) x++;
    if (x >= e) break;
    let y = x;
    while (y < e && text.charCodeAt(y) !== 32) y++;
    if (c === -1 && y - s <= starts[0]) c = 0;
    else if (c < 0 || c >= k || x - s >= ends[c] || y - s <= starts[c]) {
      c = k + 1;
      break;
    } else cells.push(x, y), c++;
    x = y;
  }
  if (c === k) return true;
  // Left-aligned: cell c starts at the start of its name and ends before the next name.
  cells.length = 0;
  if (text.slice(s, s + starts[0]).trim() !== '') return false;
  for (let c = 0; c < k; c++) {
    const a = s + starts[c];
    const b = c + 1 < k ? s + starts[c + 1] : e;
    if (a >= e || sp(a) || !sp(a - 1) || (c + 1 < k && !sp(b - 1)) || !trim(a, b)) return false;
  }
  return true;
}

/** End of the line starting at `s` whose `\n` is at `nl` (a `\r` before it is not part of the line). */
function lineEnd(text: string, s: number, nl: number): number {
  return nl > s && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
}

/** A rule line: only `-`, `+`, `|`, `:`, `=` and spaces, with at least three `-` or `=`. */
function isRule(text: string, s: number, e: number): boolean {
  let dashes = 0;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 45 || c === 61) dashes++;
    else if (c !== 43 && c !== 124 && c !== 58 && c !== 32 && c !== 9) return false;
  }
  return dashes >= 3;
}

function columnName(s: string): string | undefined {
  const t = s.trim();
  return COLUMN.test(t) ? t : undefined;
}

/** Plain-text segments next to each other become one. */
function pushPlain(out: Segment[], s: number, e: number): void {
  if (e <= s) return;
  const last = out[out.length - 1];
  if (last && last.plain && last.end === s && last.field === undefined) last.end = e;
  else out.push(seg(s, e, Enc.Raw, undefined, false, true));
}

function delimitedTable(text: string, delim: number, headerNl: number, s0: number): Segment[] | undefined {
  const n = text.length;
  // Header: column names, distinct, not blank, no space next to a `,` or `;` (prose has them: "Smith, John").
  const cols: string[] = [];
  const hs = parseRecord(text, s0, delim);
  if (!hs || hs.next !== headerNl + 1 || hs.cells.length < 2 || hs.cells.length > MAX_COLUMNS) return undefined;
  for (let k = 0; k < hs.cells.length; k += 3) {
    const s = hs.cells[k], e = hs.cells[k + 1];
    const raw = hs.cells[k + 2] ? text.slice(s, e).replace(/""/g, '"') : text.slice(s, e);
    if (delim !== 9 && raw !== raw.trim()) return undefined;
    const name = columnName(raw);
    if (name === undefined || cols.includes(name)) return undefined;
    cols.push(name);
  }
  const width = cols.length;
  const out: Segment[] = [seg(0, headerNl + 1, Enc.Raw, undefined, false, true)];
  let i = headerNl + 1;
  let rows = 0;
  while (i < n) {
    const r = parseRecord(text, i, delim);
    const next = r ? r.next : nextLine(text, i);
    if (r && r.cells.length === width * 3) {
      rows++;
      for (let k = 0; k < r.cells.length; k += 3) {
        const s = r.cells[k], e = r.cells[k + 1], quoted = r.cells[k + 2] === 1;
        if (e > s) out.push(seg(s, e, quoted ? Enc.CsvQuoted : Enc.CsvBare, cols[k / 3], quoted && r.escapes[k / 3] === 1));
      }
    } else {
      if (rows === 0 && !(r && r.blank)) return undefined; // the first data row decides
      if (!(r && r.blank)) pushPlain(out, i, next);
    }
    i = next;
  }
  return rows > 0 ? out : undefined;
}

function nextLine(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl + 1;
}

interface Record_ {
  /** start, end, quoted (1/0) per cell; for a quoted cell the span is inside the quotes. */
  cells: number[];
  escapes: number[];
  next: number;
  blank: boolean;
}

/** One RFC 4180 record from `i`; undefined when a quoted field is malformed or never closed. */
function parseRecord(text: string, i: number, delim: number): Record_ | undefined {
  const n = text.length;
  const cells: number[] = [];
  const escapes: number[] = [];
  const start = i;
  for (;;) {
    if (cells.length > MAX_COLUMNS * 3) return undefined;
    if (i < n && text.charCodeAt(i) === 34) {
      let j = i + 1;
      let esc = 0;
      for (;;) {
        if (j >= n) return undefined;
        if (text.charCodeAt(j) === 34) {
          if (j + 1 < n && text.charCodeAt(j + 1) === 34) {
            esc = 1;
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      cells.push(i + 1, j, 1);
      escapes.push(esc);
      i = j + 1;
      const c = i < n ? text.charCodeAt(i) : 10;
      if (c === 13 && (i + 1 >= n || text.charCodeAt(i + 1) === 10)) i++;
      const d = i < n ? text.charCodeAt(i) : 10;
      if (d === delim) {
        i++;
        continue;
      }
      if (d !== 10) return undefined;
      return { cells, escapes, next: Math.min(n, i + 1), blank: false };
    }
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === delim || c === 10) break;
      j++;
    }
    const e = j > i && text.charCodeAt(j - 1) === 13 && (j >= n || text.charCodeAt(j) === 10) ? j - 1 : j;
    cells.push(i, e, 0);
    escapes.push(0);
    if (j < n && text.charCodeAt(j) === delim) {
      i = j + 1;
      continue;
    }
    const blank = cells.length === 3 && text.slice(start, e).trim() === '';
    return { cells, escapes, next: Math.min(n, j + 1), blank };
  }
}

/** psql, Markdown or MySQL: header at `hs` (or after the rule line at `ruleFirst`), then a rule line, then rows. */
function pipeTable(text: string, hs: number, ruleFirst: number): Segment[] | undefined {
  const n = text.length;
  const out: Segment[] = [];
  if (ruleFirst === 0 || hs > 0) out.push(seg(0, hs, Enc.Raw, undefined, false, true));
  const hnl = text.indexOf('\n', hs);
  if (hnl < 0) return undefined;
  const he = lineEnd(text, hs, hnl);
  const parts = pipeCells(text, hs, he);
  if (parts.length < 4 || parts.length > MAX_COLUMNS * 2) return undefined;
  const cols: string[] = [];
  for (let k = 0; k < parts.length; k += 2) {
    const name = columnName(text.slice(parts[k], parts[k + 1]));
    if (name === undefined || cols.includes(name)) return undefined;
    cols.push(name);
  }
  const rnl = text.indexOf('\n', hnl + 1);
  const re = rnl < 0 ? n : rnl;
  if (!isRule(text, hnl + 1, lineEnd(text, hnl + 1, re))) return undefined;
  pushPlain(out, hs, re < n ? re + 1 : n);
  let i = re < n ? re + 1 : n;
  let rows = 0;
  while (i < n) {
    const nl = text.indexOf('\n', i);
    const next = nl < 0 ? n : nl + 1;
    const e = lineEnd(text, i, nl < 0 ? n : nl);
    if (isRule(text, i, e)) {
      pushPlain(out, i, next); // nothing to find in a rule line; kept with the plain text around it
    } else {
      const cells = pipeCells(text, i, e);
      if (cells.length === cols.length * 2) {
        rows++;
        for (let k = 0; k < cells.length; k += 2) if (cells[k + 1] > cells[k]) out.push(seg(cells[k], cells[k + 1], Enc.Raw, cols[k / 2]));
      } else pushPlain(out, i, next);
    }
    i = next;
  }
  return rows > 0 ? out : undefined;
}

/** The trimmed spans (start, end pairs) of the cells of a pipe-table line; outer pipes (`| a | b |`) are not cells. */
function pipeCells(text: string, s: number, e: number): number[] {
  while (s < e && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  while (e > s && (text.charCodeAt(e - 1) === 32 || text.charCodeAt(e - 1) === 9)) e--;
  if (s < e && text.charCodeAt(s) === 124) s++;
  if (e > s && text.charCodeAt(e - 1) === 124) e--;
  const out: number[] = [];
  let cs = s;
  for (let i = s; i <= e; i++) {
    if (i === e || text.charCodeAt(i) === 124) {
      let a = cs, b = i;
      while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
      while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
      out.push(a, b);
      cs = i + 1;
    }
  }
  return out;
}

/**
 * Where a stream that starts with a table has its header (with rule lines): the header is given again, as context,
 * with each later piece of rows. `quoted`: CSV quoting applies (a line break inside quotes does not end a row).
 * Undefined when `text` does not start with a table.
 */
export function tableStart(text: string): { headerEnd: number; quoted: boolean } | undefined {
  const segs = tableSegments(text);
  const first = segs?.[0];
  if (!segs || !first || !first.plain || first.start !== 0) return undefined;
  // The header of a pipe table ends at its rule line; of a delimited table at its first line break.
  const quoted = segs.some((s) => s.enc === Enc.CsvBare || s.enc === Enc.CsvQuoted);
  const headerEnd = quoted ? text.indexOf('\n') + 1 : first.end;
  return headerEnd > 0 ? { headerEnd, quoted } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Structure inside other text: SQL dumps (INSERT … VALUES, COPY … FROM stdin) and unified-diff hunks (a table in a
// diff). Each is found by a native search first; a text with none of them pays those searches only. Everything that
// is not a value is a plain segment, so the whole text is still scanned.

/**
 * Segments for a text holding SQL `INSERT INTO t (cols) VALUES (…), …` / `COPY t (cols) FROM stdin;` blocks or
 * unified-diff hunks whose lines form a table: each value gets its column name; the rest is plain text. Undefined
 * when there is none.
 */
/** A line that starts with `@@ ` (a diff hunk), searched by `@@ ` (a rare first character), the line start checked. */
function hasHunkLine(text: string): boolean {
  for (let i = text.indexOf('@@ '); i >= 0; i = text.indexOf('@@ ', i + 1)) if (i === 0 || text.charCodeAt(i - 1) === 10) return true;
  return false;
}

/**
 * Does `text` hold `word` (7+ characters), searched by `key`, the part of it that starts at `at` (5 characters at
 * most, starting with a rare character)? A native search for a pattern of 7 or more characters costs about four
 * times one for a short pattern whose first character is rare: the short one is searched, the whole word checked
 * where it is found.
 */
function holdsBy(text: string, word: string, key: string, at: number): boolean {
  for (let i = text.indexOf(key, at); i >= 0; i = text.indexOf(key, i + 1)) if (text.startsWith(word, i - at)) return true;
  return false;
}

function embeddedSegments(text: string): Segment[] | undefined {
  const ins = holdsBy(text, 'INSERT INTO', 'NSERT', 1) || text.indexOf('insert into') >= 0;
  const copy = holdsBy(text, ' FROM stdin;', 'M std', 4);
  const diff = hasHunkLine(text);
  const pct = text.indexOf('%') >= 0;
  const regions: Segment[][] = [];
  if (ins) sqlInserts(text, 'INSERT INTO', regions), sqlInserts(text, 'insert into', regions);
  if (copy) sqlCopies(text, regions);
  if (diff) diffHunks(text, regions);
  if (pct) percentValues(text, regions);
  base64Runs(text, regions); // its own searches are the test (once each, not a test and then a search)
  if (regions.length === 0) return undefined;
  regions.sort((a, b) => a[0].start - b[0].start);
  const out: Segment[] = [];
  let last = 0;
  for (const r of regions) {
    if (r[0].start < last) continue; // overlapping regions: the first one wins
    pushPlain(out, last, r[0].start);
    for (const s of r) if (s.plain) pushPlain(out, s.start, s.end);
    else out.push(s);
    last = r[r.length - 1].end;
  }
  pushPlain(out, last, text.length);
  return out;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** A table name (`public.users`, `"Users"`, `` `users` ``), from `i`: its end, or -1. */
function sqlName(text: string, i: number): number {
  const s = i;
  while (i < text.length && i - s < 256) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 96) {
      const e = text.indexOf(String.fromCharCode(c), i + 1);
      if (e < 0 || e - i > 128) return -1;
      i = e + 1;
    } else if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 36 || c > 127) i++;
    else break;
  }
  return i > s ? i : -1;
}

/** A parenthesised column list at `i` (`(id, "first_name", `email`)`): the names and the index after `)`. */
function sqlColumns(text: string, i: number): { cols: string[]; next: number } | undefined {
  if (text.charCodeAt(i) !== 40) return undefined;
  const rel = text.slice(i, i + HEADER_MAX * 4).indexOf(')');
  if (rel < 0) return undefined;
  const close = i + rel;
  const cols: string[] = [];
  for (const part of text.slice(i + 1, close).split(',')) {
    let t = part.trim();
    const q = t.charCodeAt(0);
    if ((q === 34 || q === 96 || q === 91) && t.length > 2) t = t.slice(1, -1);
    const name = columnName(t);
    if (name === undefined || cols.includes(name) || cols.length >= MAX_COLUMNS) return undefined;
    cols.push(name);
  }
  return cols.length > 0 ? { cols, next: close + 1 } : undefined;
}

/** `INSERT INTO t (cols) VALUES (…), (…);`: each value with its column; a row of another width ends the region. */
function sqlInserts(text: string, word: string, regions: Segment[][]): void {
  const n = text.length;
  let tables: Map<string, string[]> | undefined;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
    const ns = skipSpace(text, at + word.length);
    let i = sqlName(text, ns);
    if (i < 0) continue;
    let head = sqlColumns(text, skipSpace(text, i));
    if (!head) {
      // `INSERT INTO t VALUES` (mysqldump, pg_dump --inserts): the columns of `CREATE TABLE t (…)` in the same text.
      const cols = (tables ??= createTables(text)).get(tableKey(text.slice(ns, i)));
      if (!cols) continue;
      head = { cols, next: i };
    }
    i = skipSpace(text, head.next);
    if (text.slice(i, i + 6).toUpperCase() !== 'VALUES') continue;
    i += 6;
    const segs: Segment[] = [seg(at, i, Enc.Raw, undefined, false, true)];
    let end = i;
    for (;;) {
      let j = skipSpace(text, i);
      if (text.charCodeAt(j) !== 40) break;
      j++;
      const row: Segment[] = [];
      let col = 0;
      let ok = false;
      for (;;) {
        j = skipSpace(text, j);
        if (j >= n) break;
        const c = text.charCodeAt(j);
        if (c === 39) {
          // 'text' with '' (and MySQL \') inside.
          let k = j + 1;
          let closed = false;
          while (k < n) {
            const d = text.charCodeAt(k);
            if (d === 92) k += 2;
            else if (d === 39) {
              if (text.charCodeAt(k + 1) === 39) k += 2;
              else {
                closed = true;
                break;
              }
            } else k++;
          }
          if (!closed) break;
          if (k > j + 1) row.push(seg(j + 1, k, Enc.SqlQuoted, head.cols[col]));
          j = k + 1;
        } else {
          let k = j;
          while (k < n) {
            const d = text.charCodeAt(k);
            if (d === 44 || d === 41 || d === 10) break;
            k++;
          }
          let e = k;
          while (e > j && isSpace(text.charCodeAt(e - 1))) e--;
          if (e > j) row.push(seg(j, e, Enc.SqlBare, head.cols[col]));
          j = k;
        }
        col++;
        j = skipSpace(text, j);
        const d = text.charCodeAt(j);
        if (d === 44) {
          j++;
          continue;
        }
        if (d === 41) ok = true;
        break;
      }
      if (!ok || col !== head.cols.length) break;
      for (const s of row) {
        // A NULL, true or false is no value.
        const v = text.slice(s.start, s.end);
        if (s.enc === Enc.SqlBare && /^(?:null|true|false|default)$/i.test(v)) continue;
        segs.push(s);
      }
      end = j + 1;
      i = end;
      const sep = skipSpace(text, i);
      if (text.charCodeAt(sep) !== 44) break;
      i = sep + 1;
    }
    if (segs.length === 1) continue;
    fillPlain(segs, end);
    regions.push(segs);
    at = end - word.length;
  }
}

/** A table name without quotes and schema, lower case: `public."Users"` → `users`. */
function tableKey(name: string): string {
  const t = name.replace(/["`]/g, '');
  return t.slice(t.lastIndexOf('.') + 1).toLowerCase();
}

const NOT_COLUMN = /^(?:primary|key|unique|constraint|index|foreign|check|fulltext|spatial|exclude|like)$/i;

/** The column names of each `CREATE TABLE name (…)` in the text (by tableKey); a definition that is no column is skipped. */
function createTables(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const word of ['CREATE TABLE', 'create table']) {
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
      let ns = skipSpace(text, at + word.length);
      if (/^if not exists\b/i.test(text.slice(ns, ns + 14))) ns = skipSpace(text, ns + 13);
      const ne = sqlName(text, ns);
      if (ne < 0) continue;
      let i = skipSpace(text, ne);
      if (text.charCodeAt(i) !== 40) continue;
      const cols: string[] = [];
      let depth = 0;
      let ds = i + 1;
      const end = Math.min(text.length, i + 64 * 1024);
      for (; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === 40) depth++;
        else if (c === 41 || (c === 44 && depth === 1)) {
          if (c === 41) depth--;
          if (depth <= 1 && (c === 44 || depth === 0)) {
            const def = text.slice(ds, i).trim();
            const m = /^(["`]?)([\p{L}_][\p{L}\p{N}_$]*)\1\s/u.exec(def + ' ');
            if (m && !NOT_COLUMN.test(m[2]) && !cols.includes(m[2])) cols.push(m[2]);
            ds = i + 1;
          }
          if (depth === 0) break;
        } else if (c === 39) {
          const q = text.indexOf("'", i + 1);
          if (q < 0) break;
          i = q;
        }
      }
      if (depth === 0 && cols.length > 0 && cols.length <= MAX_COLUMNS) out.set(tableKey(text.slice(ns, ne)), cols);
    }
  }
  return out;
}

/** `COPY t (cols) FROM stdin;` then tab-separated rows up to `\.`: each value with its column. */
function sqlCopies(text: string, regions: Segment[][]): void {
  const n = text.length;
  for (let f = text.indexOf(' FROM stdin;'); f >= 0; f = text.indexOf(' FROM stdin;', f + 12)) {
    // The statement starts at `COPY` on the same line.
    const ls = text.lastIndexOf('\n', f) + 1;
    const at = text.indexOf('COPY ', ls);
    if (at < 0 || at > f) continue;
    const i = sqlName(text, skipSpace(text, at + 5));
    if (i < 0) continue;
    const head = sqlColumns(text, skipSpace(text, i));
    if (!head || skipSpace(text, head.next) !== f + 1) continue;
    const nl = text.indexOf('\n', f);
    if (nl < 0) continue;
    const segs: Segment[] = [seg(at, nl + 1, Enc.Raw, undefined, false, true)];
    let r = nl + 1;
    while (r < n) {
      const rn = text.indexOf('\n', r);
      const next = rn < 0 ? n : rn + 1;
      const e = lineEnd(text, r, rn < 0 ? n : rn);
      if (e - r === 2 && text.charCodeAt(r) === 92 && text.charCodeAt(r + 1) === 46) {
        r = next;
        break; // \.
      }
      const row: Segment[] = [];
      let cs = r;
      let col = 0;
      for (let k = r; k <= e; k++) {
        if (k === e || text.charCodeAt(k) === 9) {
          // \N is NULL.
          if (k > cs && !(k - cs === 2 && text.charCodeAt(cs) === 92 && text.charCodeAt(cs + 1) === 78)) row.push(seg(cs, k, Enc.Raw, head.cols[col]));
          col++;
          cs = k + 1;
        }
      }
      if (col === head.cols.length && e > r) for (const x of row) segs.push(x);
      else pushPlainSeg(segs, r, next);
      r = next;
    }
    fillPlain(segs, r);
    regions.push(segs);
    f = r;
  }
}

function pushPlainSeg(segs: Segment[], s: number, e: number): void {
  if (e > s) segs.push(seg(s, e, Enc.Raw, undefined, false, true));
}

/** Between and after the values of a region, plain segments up to `end`, so the region covers [start, end). */
function fillPlain(segs: Segment[], end: number): void {
  const out: Segment[] = [];
  let last = segs[0].start;
  for (const s of segs) {
    if (s.start > last) out.push(seg(last, s.start, Enc.Raw, undefined, false, true));
    out.push(s);
    last = Math.max(last, s.end);
  }
  if (end > last) out.push(seg(last, end, Enc.Raw, undefined, false, true));
  segs.length = 0;
  for (const x of out) segs.push(x);
}

/**
 * Unified-diff hunks (`@@ -a,b +c,d @@`, then ` `/`-`/`+` lines as counted): the lines without their prefix column are
 * read as a table (a CSV or TSV in a `git diff`); the prefixes stay as they are. A hunk that is no table is skipped.
 */
function diffHunks(text: string, regions: Segment[][]): void {
  const n = text.length;
  for (let h = text.startsWith('@@ ') ? 0 : text.indexOf('\n@@ ') + 1; h > 0 || (h === 0 && text.startsWith('@@ ')); ) {
    const hl = text.indexOf('\n', h);
    if (hl < 0) return;
    const m = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(text.slice(h, Math.min(hl, h + 200)));
    let i = hl + 1;
    if (m) {
      let old = m[1] === undefined ? 1 : Number(m[1]);
      let neu = m[2] === undefined ? 1 : Number(m[2]);
      // The hunk's lines without their first character, and where each starts in the view and in the text.
      const viewStarts: number[] = [];
      const rawStarts: number[] = [];
      let view = '';
      while (i < n && (old > 0 || neu > 0 || text.charCodeAt(i) === 92)) {
        const c = text.charCodeAt(i);
        if (c === 32) old--, neu--;
        else if (c === 45) old--;
        else if (c === 43) neu--;
        else if (c !== 92) break;
        const nl = text.indexOf('\n', i);
        const next = nl < 0 ? n : nl + 1;
        if (c !== 92) {
          viewStarts.push(view.length);
          rawStarts.push(i + 1);
          view += text.slice(i + 1, next);
        }
        i = next;
      }
      const segs = viewStarts.length > 1 ? tableSegments(view) : undefined;
      if (segs) {
        const out: Segment[] = [];
        let li = 0;
        const map = (p: number) => {
          while (li + 1 < viewStarts.length && viewStarts[li + 1] <= p) li++;
          return rawStarts[li] + p - viewStarts[li];
        };
        for (const s of segs) {
          if (s.plain) continue;
          const a = map(s.start);
          const lineOf = li;
          const b = map(s.end);
          // A value across a line break (a quoted CSV cell) has prefixes inside: read as plain text.
          out.push(li === lineOf ? { ...s, start: a, end: b } : seg(a, b, Enc.Raw, undefined, false, true));
        }
        if (out.length > 0) {
          out.unshift(seg(hl + 1, hl + 1, Enc.Raw, undefined, false, true));
          fillPlain(out, i);
          regions.push(out);
        }
      }
    }
    const nx = text.indexOf('\n@@ ', Math.max(i, h + 1) - 1);
    if (nx < 0) return;
    h = nx + 1;
  }
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/** Characters that end a query value (or a parameter name) in a URL, a log line or markup. */
const QUERY_END = new Uint8Array(128);
for (const ch of '&?=#;,()<>[]{}"\'`| \t\r\n\\') QUERY_END[ch.charCodeAt(0)] = 1;
const MAX_QUERY_VALUE = 4096;
const NAME_CHAR = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Query values with percent escapes (`?email=sam.lee%40example.com&phone=%2B14155550172`, an encoded
 * redirect_uri): one segment each, with the parameter name as field, read decoded (a value that does not decode as
 * UTF-8 is left to the plain scan). Found from the `%` signs (a native search).
 */
export function percentValues(text: string, regions: Segment[][]): void {
  const n = text.length;
  let p = text.indexOf('%');
  let floor = 0;
  while (p >= 0) {
    if (p + 2 >= n || !isHex(text.charCodeAt(p + 1)) || !isHex(text.charCodeAt(p + 2))) {
      p = text.indexOf('%', p + 1);
      continue;
    }
    // The value around the escape, then `name=` before it.
    // Each run of value characters is walked once: back to its start (after the last run), then to its end.
    let vs = p;
    while (vs > floor) {
      const c = text.charCodeAt(vs - 1);
      if (c < 128 && QUERY_END[c]) break;
      vs--;
    }
    let ve = p;
    while (ve < n) {
      const c = text.charCodeAt(ve);
      if (c < 128 && QUERY_END[c]) break;
      ve++;
    }
    floor = ve;
    let ks = vs - 1;
    if (vs > 0 && ve - vs <= MAX_QUERY_VALUE && text.charCodeAt(vs - 1) === 61) {
      while (ks > 0 && vs - 1 - ks < 64) {
        const c = text.charCodeAt(ks - 1);
        if (c < 128 && QUERY_END[c]) break;
        ks--;
      }
      const name = text.slice(ks, vs - 1);
      if (NAME_CHAR.test(name)) {
        let ok = true;
        try {
          decodeURIComponent(text.slice(vs, ve));
        } catch {
          ok = false;
        }
        // A shared access signature's `sig`, read alone, has lost the `sv=` that says what it is: its field says so.
        if (ok) regions.push([seg(vs, ve, Enc.Percent, name === 'sig' && sasQuery(text, vs, ve) ? 'shared_access_signature' : name, true)]);
      }
    } else if (ve - vs <= MAX_QUERY_VALUE && holdsEncodedSign(text, p, ve)) {
      // No `name=` before the run, but an encoded `=` in it: a whole query or URL percent-encoded (`/cb%3Ftoken%3D…`,
      // a logged `https%3A%2F%2F…%3Ftoken%3D…`). Read decoded, without a field; its parameters are found in it.
      let ok = true;
      try {
        decodeURIComponent(text.slice(vs, ve));
      } catch {
        ok = false;
      }
      if (ok) regions.push([seg(vs, ve, Enc.Percent, undefined, true)]);
    }
    p = text.indexOf('%', Math.max(ve, p + 1));
  }
}

/** Is there a `%3D` or `%3d` (an encoded `=`) in [p, ve), `p` being the run's first `%`? */
function holdsEncodedSign(text: string, p: number, ve: number): boolean {
  for (let i = p; i >= 0 && i + 2 < ve; i = text.indexOf('%', i + 1)) {
    if (text.charCodeAt(i + 1) === 51 && (text.charCodeAt(i + 2) | 32) === 100) return true;
  }
  return false;
}

/**
 * Does the query around [vs, ve) (no white space or quote, 1,000 characters either way) hold the SAS version `sv=`, or
 * a resource `sr=` and an expiry `se=` (a Service Bus, Event Hubs or IoT Hub token)?
 */
function sasQuery(text: string, vs: number, ve: number): boolean {
  const stop = (c: number) => c <= 32 || c === 34 || c === 39;
  let a = vs, b = ve;
  while (a > 0 && vs - a < 1000 && !stop(text.charCodeAt(a - 1))) a--;
  while (b < text.length && b - ve < 1000 && !stop(text.charCodeAt(b))) b++;
  const q = text.slice(a, b);
  return /(?:^|[?&;='"])sv=/.test(q) || (/(?:^|[?&;='"])sr=[^&;]/.test(q) && /[?&;]se=\d/.test(q));
}

/** How base64 of a JSON object or array starts: `{"`, `{ "`, `{\n`, `[{"`, `[{\n` (standard and url alphabets alike). */
export const B64_JSON_STARTS = ['eyJ', 'eyAi', 'ewog', 'ewoi', 'W3si', 'W3sK'];
const B64_SEARCH = ['J', 'Ai', 'wo', 'W3s'];
const B64_BACK = [2, 2, 1, 0]; // how far a start is before its search key
const B64_MIN = 16;
const B64_MAX = 64 * 1024;
const isB64 = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 45 || c === 95;

/**
 * Base64 / base64url runs that start like encoded JSON (`eyJ…`, a payload= value, an X-User-Context header), of
 * 16 characters to 64 KB, standing alone (not a JWT's dotted parts): one segment each. Whether the run decodes to
 * printable UTF-8 JSON is checked by the engine, only when the plain scan found nothing in it.
 */
function base64Runs(text: string, regions: Segment[][]): void {
  const n = text.length;
  const seen = new Set<number>();
  // Searched by a part after the common letters of a start (J of eyJ, Ai of eyAi, wo of ewog and ewoi, W3s): the
  // search looks for a pattern's first character first, and `e` or `y`, common letters, made it slower. The whole
  // start is checked where one is found.
  for (let k = 0; k < B64_SEARCH.length; k++) {
    const key = B64_SEARCH[k], back = B64_BACK[k];
    for (let q = text.indexOf(key, back); q >= 0; q = text.indexOf(key, q + 1)) {
      const p = q - back;
      if (!B64_JSON_STARTS.some((x) => text.startsWith(x, p))) continue;
      if (seen.has(p) || (p > 0 && (isB64(text.charCodeAt(p - 1)) || text.charCodeAt(p - 1) === 46))) continue;
      let e = p;
      let std = false, url = false;
      while (e < n && e - p <= B64_MAX) {
        const c = text.charCodeAt(e);
        if (!isB64(c)) break;
        if (c === 43 || c === 47) std = true;
        else if (c === 45 || c === 95) url = true;
        e++;
      }
      let pad = 0;
      while (pad < 2 && e + pad < n && text.charCodeAt(e + pad) === 61) pad++;
      const len = e - p;
      seen.add(p);
      if (len < B64_MIN || len > B64_MAX || (std && url) || (pad > 0 && (len + pad) % 4 !== 0) || len % 4 === 1) continue;
      // A JWT (header.payload.signature) is a token, left to the secret detectors.
      if (text.charCodeAt(e + pad) === 46 || (e + pad < n && isB64(text.charCodeAt(e + pad)))) continue;
      regions.push([seg(p, e + pad, Enc.Base64, undefined)]);
      q = e;
    }
  }
}
