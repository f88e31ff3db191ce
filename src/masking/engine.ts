import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { CountersignError, isCountersignError } from '../core/errors.js';
import type { Finding, MaskContext, Masker } from '../core/masking.js';
import type { TokenStore } from '../store/types.js';
import { DEFAULT_PROFILE, DEFAULT_TRANSFORMS, maskingConfigSchema, type MaskingConfig, type MaskingProfile, type TransformName } from './config.js';
import { pathOf, walkValue } from './json.js';
import { fieldRole, ID_VALUE_MIN, scan } from './scan.js';
import { maskChunks, withoutPrefix, type StreamOptions } from './stream.js';
import { Enc, structuredSegments, type Segment } from './structured.js';
import { partial, redact, transformFor } from './transforms.js';
import { deriveKeys, keyedHash, open, parseKey, seal, tokenFor, type MaskingKeys } from './vault.js';
import { FINDING_TYPES } from './types.js';

/** The masking engine: the async `Masker` the pipeline uses, plus sync methods for the CLI and benchmarks. */
export interface MaskingEngine extends Masker {
  /** Findings (type, span, confidence, detector) without masking. Never carries the values. */
  scanSync(text: string, ctx?: MaskContext): Finding[];
  /** Mask without I/O; throws MASKING_FAILED if the profile needs the token store (use maskText then). */
  maskTextSync(text: string, ctx?: MaskContext): { text: string; findings: Finding[] };
  maskValueSync<T>(value: T, ctx?: MaskContext): { value: T; findings: Finding[] };
  /** Mask a long stream chunk by chunk; a value split across chunks is still found. Memory stays bounded. */
  maskStream(chunks: AsyncIterable<string>, ctx?: MaskContext, opts?: StreamOptions): AsyncGenerator<string>;
  /** Decrypt a reversible token (`tok_…` or `[TYPE:tok_…]`) issued in `scope`. Throws TOKEN_UNKNOWN. */
  reveal(scope: string, token: string): Promise<string>;
  /**
   * The type a reversible token was issued for (EMAIL, CREDIT_CARD, …), worked out by the gateway, never taken from
   * the caller's `[TYPE:…]`: what an approver of its unmask is told. Undefined for a type no built-in detector emits.
   * Throws TOKEN_UNKNOWN like `reveal`; the value never leaves.
   */
  tokenType(scope: string, token: string): Promise<string | undefined>;
  /** Profile names this engine knows. */
  profiles(): string[];
}

export interface MaskerDeps {
  /** Masking key; default: the environment variable named by `key_env`. */
  key?: Buffer;
  tokens?: TokenStore;
  clock?: Clock;
}

type Pending = { scope: string; token: string; sealed: string };
/** A replacement of `text.slice(start, end)` by `rep` (an empty span inserts). */
interface Edit {
  start: number;
  end: number;
  rep: string;
}
interface Parts {
  edits: Edit[];
  findings: Finding[];
}
/** JSON inside a JSON string inside …: this many levels are read as structure, deeper ones as text. */
const MAX_NESTED = 4;
const MEMO_MAX = 64;
const MEMO_SIZE = 1024;
const NONE: Finding[] = [];
const JSON_SPECIAL = /["\\\u0000-\u001f]/;
const CSV_SPECIAL = /[",;\t|\r\n]/;
/** A replacement written inside a JSON string. */
const jsonEscape = (rep: string) => (JSON_SPECIAL.test(rep) ? JSON.stringify(rep).slice(1, -1) : rep);
/** A replacement written into a percent-encoded value: a label stays readable (`[EMAIL]`), the rest is encoded. */
const percentEscape = (rep: string) => encodeURIComponent(rep).replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%3A/g, ':');
/** `text` with the edits (in order, not overlapping) made. */
function applyEdits(text: string, edits: Edit[]): string {
  let out = '';
  let last = 0;
  for (const e of edits) {
    out += text.slice(last, e.start) + e.rep;
    last = e.end;
  }
  return out + text.slice(last);
}
/**
 * Maps offsets in the decoded value of an escaped segment to offsets in its raw text (from the segment start), for
 * offsets asked in order (it walks the raw text once): each escape (`\n`, `\"`, `\uXXXX`; CSV `""`) is one code
 * unit of the value.
 */
class RawCursor {
  private r = 0;
  private k = 0;
  constructor(
    private readonly raw: string,
    private readonly enc: Enc,
  ) {}
  /** Raw offset of decoded offset `x` (not below the last one asked; restart() goes back to 0). */
  at(x: number): number {
    const raw = this.raw;
    while (this.k < x) {
      if (this.enc === Enc.CsvQuoted) this.r += raw.charCodeAt(this.r) === 34 ? 2 : 1; // "" is one quote
      else if (this.enc === Enc.Percent) {
        if (raw.charCodeAt(this.r) !== 37) this.r++;
        else {
          // One UTF-8 sequence (%XX per byte) is one code unit, or two for a 4-byte one.
          const b = parseInt(raw.slice(this.r + 1, this.r + 3), 16);
          const bytes = b < 0xc0 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
          this.r += 3 * bytes;
          if (bytes === 4) this.k++;
        }
      } else if (raw.charCodeAt(this.r) === 92) this.r += raw.charCodeAt(this.r + 1) === 117 ? 6 : 2; // \uXXXX or \n, \", …
      else this.r++;
      this.k++;
    }
    return this.r;
  }
  restart(): void {
    this.r = 0;
    this.k = 0;
  }
}

/**
 * The spelling (decoded) of every JSON key segment of `segs`, by object start: the keys that may be values and those
 * that may be masked output already. A key masked in that object takes none of them.
 */
function keySpellings(text: string, segs: Segment[]): Map<number, Set<string>> {
  const byObj = new Map<number, Set<string>>();
  for (const s of segs) {
    if (!s.key) continue;
    const raw = text.slice(s.start, s.end);
    const spelled = s.esc ? (JSON.parse('"' + raw + '"') as string) : raw;
    let set = byObj.get(s.obj);
    if (set === undefined) byObj.set(s.obj, (set = new Set()));
    set.add(spelled);
  }
  return byObj;
}

/**
 * Build the masking engine from the `masking:` config section.
 *
 * @example
 * const m = createMasker(maskingConfigSchema.parse({}));
 * m.maskTextSync('mail bob@example.com').text // 'mail [EMAIL]'
 */
export function createMasker(config: MaskingConfig = maskingConfigSchema.parse({}), deps: MaskerDeps = {}): MaskingEngine {
  const clock = deps.clock ?? systemClock;
  const envKey = process.env[config.key_env];
  let keys: MaskingKeys | undefined;
  let keyError: CountersignError | undefined;
  try {
    if (deps.key) keys = deriveKeys(deps.key.length >= 32 ? deps.key : parseKey('', 'the masking key'));
    else if (envKey) keys = deriveKeys(parseKey(envKey, config.key_env));
  } catch (e) {
    keyError = isCountersignError(e) ? e : new CountersignError('SECRET_MISSING', 'the masking key is invalid');
  }
  const needKeys = (): MaskingKeys => {
    if (keys) return keys;
    throw keyError ?? new CountersignError('SECRET_MISSING', `hash and token transforms need a masking key: set ${config.key_env} (32+ bytes, hex or base64)`);
  };
  // Refuse at load a profile that needs a key when there is none (redact and partial still work without).
  for (const [name, p] of Object.entries(config.profiles)) {
    if (Object.values(p.transforms).some((t) => t === 'hash' || t === 'token') && !keys) {
      throw keyError ?? new CountersignError('SECRET_MISSING', `masking profile "${name}" uses hash or token transforms: set ${config.key_env} (32+ bytes, hex or base64)`);
    }
  }

  const profileOf = (ctx?: MaskContext): MaskingProfile => {
    const name = ctx?.profile ?? config.default_profile;
    const p = config.profiles[name];
    if (p) return p;
    if (name === config.default_profile || name === 'default') return DEFAULT_PROFILE;
    throw new CountersignError('MASKING_FAILED', `unknown masking profile "${name}"; the data was withheld`);
  };
  const disabledCache = new WeakMap<MaskingProfile, Set<string>>();
  const disabled = (p: MaskingProfile) => {
    let s = disabledCache.get(p);
    if (!s) disabledCache.set(p, (s = new Set(p.disabled_detectors)));
    return s;
  };

  const scanText = (text: string, ctx: MaskContext | undefined, field: string | undefined): Finding[] => {
    const p = profileOf(ctx);
    return scan(text, { field }, { minConfidence: p.min_confidence, disabled: disabled(p) });
  };

  // Transform per finding type, per profile, worked out once.
  const transformCache = new WeakMap<MaskingProfile, Map<string, TransformName>>();
  /** The profile's transforms by finding type (filled as types come up): looked up once per text, not per finding. */
  const transformsOf = (p: MaskingProfile): Map<string, TransformName> => {
    let m = transformCache.get(p);
    if (!m) transformCache.set(p, (m = new Map()));
    return m;
  };

  /**
   * The replacement of one finding of `text`, or undefined when its transform is `keep`; `tm` is transformsOf(p).
   * The value is sliced only for a transform that reads it (a redaction does not).
   */
  const replacement = (p: MaskingProfile, tm: Map<string, TransformName>, f: Finding, text: string, ctx: MaskContext | undefined, pending: Pending[] | null): string | undefined => {
    let t = tm.get(f.type);
    if (t === undefined) tm.set(f.type, (t = transformFor(p.transforms, DEFAULT_TRANSFORMS, f.type)));
    if (t === 'keep') return undefined;
    if (t === 'redact') return redact(f.type);
    if (t === 'partial') return partial(f.type, text.slice(f.start, f.end));
    if (t === 'hash') return `[${f.type}:${keyedHash(needKeys(), f.type, text.slice(f.start, f.end))}]`;
    if (pending === null) throw new CountersignError('MASKING_FAILED', 'the token transform needs the token store: use the async maskText');
    if (!deps.tokens) throw new CountersignError('MASKING_FAILED', 'the token transform needs a token store; none is configured');
    const k = needKeys();
    const scope = ctx?.scope ?? 'default';
    const v = text.slice(f.start, f.end);
    const token = tokenFor(k, scope, f.type, v);
    pending.push({ scope, token, sealed: seal(k, scope, token, v) });
    return `[${f.type}:${token}]`;
  };

  /** Apply transforms; token transforms push the sealed value to `pending` (null = no store allowed). */
  const apply = (text: string, findings: Finding[], ctx: MaskContext | undefined, pending: Pending[] | null): string => {
    if (findings.length === 0) return text;
    const p = profileOf(ctx);
    const tm = transformsOf(p);
    let out = '';
    let last = 0;
    let kept = 0; // findings not kept as they are, compacted in place
    for (let i = 0; i < findings.length; i++) {
      const f = findings[i];
      const rep = replacement(p, tm, f, text, ctx, pending);
      if (rep === undefined) continue;
      out += text.slice(last, f.start) + rep;
      last = f.end;
      findings[kept++] = f;
    }
    findings.length = kept;
    return out + text.slice(last);
  };

  /** The edits of `findings` in `text`; findings kept as they are (transform `keep`) are dropped unless `dry`. */
  const editsFor = (text: string, findings: Finding[], ctx: MaskContext | undefined, pending: Pending[] | null, dry: boolean): Parts => {
    const edits: Edit[] = [];
    if (dry || findings.length === 0) return { edits, findings };
    const p = profileOf(ctx);
    const tm = transformsOf(p);
    let kept = 0;
    for (const f of findings) {
      const rep = replacement(p, tm, f, text, ctx, pending);
      if (rep === undefined) continue;
      edits.push({ start: f.start, end: f.end, rep });
      findings[kept++] = f;
    }
    findings.length = kept;
    return { edits, findings };
  };

  /**
   * Structured text (JSON, JSON Lines, a table with a header row: see structured.ts): each value is masked with its
   * key or column as field context, as maskValue does, and the replacements are written back into the raw text
   * (JSON-escaped inside strings, a masked number as a string, CSV quoting kept), so every other byte stays as it
   * was. A value that is itself structured (JSON in a JSON string, JSON in a CSV cell) is read as such, up to
   * MAX_NESTED levels. Findings are in offsets of `text`.
   */
  const structuredParts = (text: string, segs: Segment[], ctx: MaskContext | undefined, pending: Pending[] | null, level: number, dry: boolean): Parts => {
    const edits: Edit[] = [];
    const findings: Finding[] = [];
    let keys: Map<number, Set<string>> | undefined; // key spellings and masked keys per object, to keep them apart
    let memo: Map<string, Map<string, Finding[]>> | undefined;
    // A value is scanned on its own when its field is context a detector reads (fieldMatters), or when it is itself
    // structured (JSON in a JSON string). The others are found by one scan of the whole text, as plain text with the
    // keys and the values around them (as before structured text was read), and each finding is clipped to the values
    // it covers: structure (quotes, commas, keys, padding) is never masked. In that scan an escaped value is read
    // decoded (`\n` as a line break, `\u00e9` as é): the decoded value, padded with spaces to its raw length, stands
    // in for the raw one, so offsets outside it do not move. One scan costs far less than one per value.
    const n = segs.length;
    const own = new Uint8Array(n);
    const values: (string | undefined)[] = new Array(n);
    const inners: (Segment[] | undefined)[] = new Array(n);
    let shared = false;
    let decoded = false;
    // The next `%` in the text: a value holding one may hold percent-encoded query values (a URL in a JSON string).
    let pct = level + 1 < MAX_NESTED ? text.indexOf('%') : -1;
    let b64 = level + 1 < MAX_NESTED ? text.indexOf('eyJ') : -1; // base64 of `{"` in a value
    for (let k = 0; k < n; k++) {
      const s = segs[k];
      if (s.spelling) continue; // a key that may be masked output: neither scanned nor masked
      // A number long enough for a phone is scanned alone, as maskValue does, and so is a long value under an id.
      const role = s.field === undefined ? 0 : fieldRole(s.field);
      if (role === 1 || ((role === 2 || s.enc === Enc.JsonNumber || s.enc === Enc.SqlBare) && s.end - s.start >= ID_VALUE_MIN)) own[k] = 1;
      if (s.esc) {
        const raw = text.slice(s.start, s.end);
        const value = s.enc === Enc.CsvQuoted ? raw.replace(/""/g, '"') : s.enc === Enc.Percent ? decodeURIComponent(raw) : (JSON.parse('"' + raw + '"') as string);
        values[k] = value;
        const inner = level + 1 < MAX_NESTED ? structuredSegments(value, s.field) : undefined;
        if (inner) (inners[k] = inner), (own[k] = 1);
        else if (!own[k]) decoded = true;
      } else if ((pct >= 0 || b64 >= 0) && !s.plain && s.enc !== Enc.Percent && s.enc !== Enc.Base64) {
        if (pct >= 0 && pct < s.start) pct = text.indexOf('%', s.start);
        if (b64 >= 0 && b64 < s.start) b64 = text.indexOf('eyJ', s.start);
        if ((pct >= s.start && pct < s.end) || (b64 >= s.start && b64 < s.end)) {
          const value = text.slice(s.start, s.end);
          const inner = structuredSegments(value, s.field);
          if (inner) (inners[k] = inner), (values[k] = value), (own[k] = 1);
        }
      }
      if (!own[k]) shared = true;
    }
    let view = text;
    if (decoded) {
      view = '';
      let last = 0;
      for (let k = 0; k < n; k++) {
        const s = segs[k];
        if (own[k] || !s.esc || s.spelling) continue;
        const v = values[k]!;
        view += text.slice(last, s.start) + v + ' '.repeat(s.end - s.start - v.length);
        last = s.end;
      }
      view += text.slice(last);
    }
    const whole = shared ? scanText(view, ctx, undefined) : [];
    let wi = 0;
    for (let k = 0; k < n; k++) {
      const s = segs[k];
      if (s.spelling) continue;
      // In the whole scan an escaped value spans its decoded length.
      const end = s.esc && !own[k] ? s.start + values[k]!.length : s.end;
      if (!own[k]) {
        while (wi < whole.length && whole[wi].end <= s.start) wi++;
        if (wi === whole.length || whole[wi].start >= end) {
          // Nothing found in this value; a base64 run may still hold JSON with findings (a run the plain scan
          // found something in, such as a token, is masked by that finding, failing closed).
          if (s.enc === Enc.Base64 && level + 1 < MAX_NESTED) base64Parts(text, s, ctx, pending, level, dry, edits, findings);
          continue;
        }
      }
      const raw = text.slice(s.start, s.end);
      let sub: Parts;
      const value = values[k] ?? raw;
      if (!own[k]) {
        const mine: Finding[] = [];
        for (let j = wi; j < whole.length && whole[j].start < end; j++) {
          const f = whole[j];
          const fs = Math.max(f.start, s.start), fe = Math.min(f.end, end);
          if (fe > fs) mine.push({ ...f, start: fs - s.start, end: fe - s.start });
        }
        sub = editsFor(value, mine, ctx, pending, dry);
      } else {
        const inner = inners[k];
        if (inner) sub = structuredParts(value, inner, ctx, pending, level + 1, dry);
        else {
          let fs: Finding[];
          if (value.length <= MEMO_MAX && s.field !== undefined && s.enc !== Enc.JsonNumber) {
            // Columns and lists repeat their values (a status, a city, a first name): a short value is scanned once
            // per field in this text. The memo holds spans only, and goes with the call.
            let byValue: Map<string, Finding[]> | undefined = (memo ??= new Map()).get(s.field);
            if (byValue === undefined) memo.set(s.field, (byValue = new Map()));
            const hit = byValue.get(value);
            if (hit === undefined) {
              fs = scanText(value, ctx, s.field);
              if (byValue.size < MEMO_SIZE) byValue.set(value, fs.length === 0 ? NONE : fs.map((f) => ({ ...f })));
            } else fs = hit.length === 0 ? hit : hit.map((f) => ({ ...f }));
          } else fs = scanText(value, ctx, s.field);
          if (fs.length === 0) continue;
          sub = editsFor(value, fs, ctx, pending, dry);
        }
      }
      if (sub.findings.length === 0 && sub.edits.length === 0) continue;
      const cur = s.esc ? new RawCursor(raw, s.enc) : undefined;
      const at = (x: number) => s.start + (cur ? cur.at(x) : x);
      for (const f of sub.findings) {
        f.start = at(f.start);
        f.end = at(f.end);
        findings.push(f);
      }
      cur?.restart();
      if (sub.edits.length === 0) continue;
      if (s.enc === Enc.JsonNumber || s.enc === Enc.SqlBare || (s.enc === Enc.CsvBare && sub.edits.some((e) => CSV_SPECIAL.test(e.rep)))) {
        // A masked number becomes a JSON (or SQL) string; a bare CSV field whose replacement needs quoting is quoted whole.
        const masked = applyEdits(value, sub.edits);
        const rep = s.enc === Enc.JsonNumber ? `"${jsonEscape(masked)}"` : s.enc === Enc.SqlBare ? `'${masked.replace(/'/g, "''")}'` : `"${masked.replace(/"/g, '""')}"`;
        edits.push({ start: s.start, end: s.end, rep });
        continue;
      }
      for (const e of sub.edits) {
        const rep =
          s.enc === Enc.JsonString
            ? jsonEscape(e.rep)
            : s.enc === Enc.CsvQuoted
              ? e.rep.replace(/"/g, '""')
              : s.enc === Enc.SqlQuoted
                ? e.rep.replace(/'/g, "''")
                : s.enc === Enc.Percent
                  ? percentEscape(e.rep)
                  : e.rep;
        edits.push({ start: at(e.start), end: at(e.end), rep });
      }
      if (s.key) {
        // A masked key must not take the spelling of another key of its object (`{"a@b.com": …, "[EMAIL]": …}`),
        // nor of a key masked before it (two keys masked alike): it gets a `#` until it is free, as maskValue does.
        let masked = applyEdits(value, sub.edits);
        const seen = (keys ??= keySpellings(text, segs)).get(s.obj)!;
        let extra = '';
        while (seen.has(masked)) (masked += '#'), (extra += '#');
        seen.add(masked);
        if (extra) edits.push({ start: s.end, end: s.end, rep: extra });
      }
    }
    return { edits, findings };
  };

  /**
   * A base64 run (segment `s`) that decodes to printable UTF-8 JSON is masked decoded, and written back whole,
   * re-encoded in its alphabet and padding; its findings span the whole run (offsets inside do not map).
   */
  const base64Parts = (text: string, s: Segment, ctx: MaskContext | undefined, pending: Pending[] | null, level: number, dry: boolean, edits: Edit[], findings: Finding[]): void => {
    const raw = text.slice(s.start, s.end);
    // base64url when it has its signs, or no padding and none of base64's own signs (a header, a URL part).
    const url = /[-_]/.test(raw) || (!/[+/]/.test(raw) && !raw.endsWith('='));
    const bytes = Buffer.from(raw, url ? 'base64url' : 'base64');
    const value = bytes.toString('utf8');
    // Valid base64 that decodes to printable UTF-8 (no replacement character, no control but whitespace).
    if (value.length === 0 || /[\ufffd\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) return;
    const back = bytes.toString(url ? 'base64url' : 'base64');
    if (back.replace(/=+$/, '') !== raw.replace(/=+$/, '')) return;
    const inner = structuredSegments(value, s.field);
    const c = value.charCodeAt(value.search(/\S/));
    if (!inner || (c !== 123 && c !== 91)) return;
    const sub = structuredParts(value, inner, ctx, pending, level + 1, dry);
    if (sub.findings.length === 0) return;
    for (const f of sub.findings) findings.push({ ...f, start: s.start, end: s.end });
    if (sub.edits.length === 0) return;
    let rep = Buffer.from(applyEdits(value, sub.edits), 'utf8').toString(url ? 'base64url' : 'base64');
    if (url && raw.endsWith('=')) rep += '='.repeat((4 - (rep.length % 4)) % 4);
    if (!url && !raw.endsWith('=')) rep = rep.replace(/=+$/, '');
    edits.push({ start: s.start, end: s.end, rep });
  };

  /** Mask any text: structured text value by value, other text as it always was. */
  const maskAny = (text: string, ctx: MaskContext | undefined, field: string | undefined, pending: Pending[] | null): { text: string; findings: Finding[] } => {
    const segs = structuredSegments(text, field);
    if (segs === undefined) {
      const findings = scanText(text, ctx, field);
      return { text: apply(text, findings, ctx, pending), findings };
    }
    const parts = structuredParts(text, segs, ctx, pending, 0, false);
    return { text: applyEdits(text, parts.edits), findings: parts.findings };
  };

  /**
   * A stream piece of whole JSON values or table rows, masked as structured text; a table's header comes before it
   * as `prefix` (context only: nothing in it is written).
   */
  const maskUnit = (text: string, prefix: string, ctx: MaskContext | undefined, pending: Pending[] | null): string => {
    if (!prefix) return maskAny(text, ctx, ctx?.field, pending).text;
    const whole = prefix + text;
    const segs = structuredSegments(whole, ctx?.field);
    if (segs === undefined) return maskAny(text, ctx, ctx?.field, pending).text;
    return applyEdits(text, withoutPrefix(structuredParts(whole, segs, ctx, pending, 0, false).edits, prefix.length));
  };

  /**
   * A stream piece of text (not a JSON or table unit): masked with the findings the stream found; when it holds
   * structure inside (an SQL dump, a diff hunk, query values, base64 JSON) it is also read as such, and the
   * stream's findings not covered by a structured edit are applied too (fail closed: the union of both).
   */
  const maskPiece = (text: string, found: Finding[], ctx: MaskContext | undefined, pending: Pending[] | null): string => {
    const segs = structuredSegments(text, ctx?.field);
    if (segs === undefined) return apply(text, found, ctx, pending);
    const structured = structuredParts(text, segs, ctx, pending, 0, false).edits;
    const plain = editsFor(text, found, ctx, pending, false).edits;
    const merged: Edit[] = [];
    let j = 0;
    let last = 0; // end of the last structured edit
    for (const e of structured) {
      // Stream edits wholly before this one and after the previous one go in between.
      for (; j < plain.length && plain[j].start < e.start; j++) if (plain[j].start >= last && plain[j].end <= e.start && plain[j].end > plain[j].start) merged.push(plain[j]);
      merged.push(e);
      last = Math.max(last, e.end);
    }
    for (; j < plain.length; j++) if (plain[j].start >= last) merged.push(plain[j]);
    return applyEdits(text, merged);
  };

  /** Findings of any text (structured or not), every one, no transform. */
  const scanAny = (text: string, ctx: MaskContext | undefined, field: string | undefined): Finding[] => {
    const segs = structuredSegments(text, field);
    return segs === undefined ? scanText(text, ctx, field) : structuredParts(text, segs, ctx, null, 0, true).findings;
  };

  const failClosed = (e: unknown): never => {
    if (isCountersignError(e) && (e.code === 'MASKING_FAILED' || e.code === 'SECRET_MISSING')) throw e;
    throw new CountersignError('MASKING_FAILED', undefined, undefined, { cause: e });
  };

  const flush = async (pending: Pending[]) => {
    if (!pending.length) return;
    const at = clock.now();
    const seen = new Set<string>();
    await Promise.all(
      pending.filter((x) => !seen.has(x.scope + '\0' + x.token) && seen.add(x.scope + '\0' + x.token)).map((x) => deps.tokens!.putToken(x.scope, x.token, x.sealed, at)),
    );
  };

  /** A reversible token's clear value, its bare `tok_…` form and the keys. Throws TOKEN_UNKNOWN. */
  const opened = async (scope: string, token: string): Promise<{ keys: MaskingKeys; token: string; value: string }> => {
    const m = /(tok_[A-Za-z0-9_-]{22})/.exec(token);
    if (!m || !deps.tokens) throw new CountersignError('TOKEN_UNKNOWN');
    const k = needKeys();
    const sealed = await deps.tokens.getToken(scope, m[1]);
    if (sealed === undefined) throw new CountersignError('TOKEN_UNKNOWN');
    try {
      return { keys: k, token: m[1], value: open(k, scope, m[1], sealed) };
    } catch {
      throw new CountersignError('TOKEN_UNKNOWN', 'the masking token does not decrypt with this key in this scope');
    }
  };

  const engine: MaskingEngine = {
    scanSync(text, ctx) {
      try {
        return scanAny(text, ctx, ctx?.field);
      } catch (e) {
        return failClosed(e);
      }
    },
    maskTextSync(text, ctx) {
      try {
        return maskAny(text, ctx, ctx?.field, null);
      } catch (e) {
        return failClosed(e);
      }
    },
    async maskText(text, ctx) {
      try {
        const pending: Pending[] = [];
        const r = maskAny(text, ctx, ctx?.field, pending);
        await flush(pending);
        return r;
      } catch (e) {
        return failClosed(e);
      }
    },
    maskValueSync(value, ctx) {
      try {
        const findings: Finding[] = [];
        const out = walkValue(value, ctx?.field, (text, field, at) => {
          const m = maskAny(text, ctx, field, null);
          if (m.findings.length === 0) return m.text;
          const path = pathOf(at);
          for (const f of m.findings) findings.push({ ...f, path });
          return m.text;
        });
        return { value: out as typeof value, findings };
      } catch (e) {
        return failClosed(e);
      }
    },
    async maskValue(value, ctx) {
      try {
        const findings: Finding[] = [];
        const pending: Pending[] = [];
        const out = walkValue(value, ctx?.field, (text, field, at) => {
          const m = maskAny(text, ctx, field, pending);
          if (m.findings.length === 0) return m.text;
          const path = pathOf(at);
          for (const f of m.findings) findings.push({ ...f, path });
          return m.text;
        });
        await flush(pending);
        return { value: out as typeof value, findings };
      } catch (e) {
        return failClosed(e);
      }
    },
    async *maskStream(chunks, ctx, opts) {
      const needsStore = Object.values(profileOf(ctx).transforms).includes('token');
      for await (const piece of maskChunks(chunks, (t) => scanText(t, ctx, ctx?.field), opts, false)) {
        try {
          const pending: Pending[] | null = needsStore ? [] : null;
          const masked = piece.unit ? maskUnit(piece.text, piece.unit.prefix, ctx, pending) : maskPiece(piece.text, piece.findings, ctx, pending);
          if (pending) await flush(pending);
          yield masked;
        } catch (e) {
          failClosed(e);
        }
      }
    },
    reveal: (scope, token) => opened(scope, token).then((o) => o.value),
    async tokenType(scope, token) {
      const { keys: k, token: t, value } = await opened(scope, token);
      // A token is an HMAC over scope, type and value: the type is the one that gives this token for this value.
      return FINDING_TYPES.find((type) => tokenFor(k, scope, type, value) === t);
    },
    profiles() {
      return [...new Set([config.default_profile, ...Object.keys(config.profiles)])];
    },
  };
  return engine;
}
