import type { Finding } from '../core/masking.js';
import { CountersignError } from '../core/errors.js';
import { addresses } from './detectors/address.js';
import { birthDates, cardCodes, medicalRecords, nationalIds } from './detectors/context.js';
import { emails, ibans, ipv6 } from './detectors/net.js';
import { numbers } from './detectors/numbers.js';
import { NAME_FIELD_OWNERS, persons } from './detectors/person.js';
import { assignments, fieldSecretOfType, pemBlocks, secretField, type SecretField } from './detectors/secrets.js';
import { commandLine, sqlPasswords } from './detectors/commands.js';
import { providerTokens } from './detectors/tokens.js';
import { sasSignatures, urlCredentials } from './detectors/urls.js';
import { eachSimpleElement } from './detectors/xml.js';
import { codeUnits, releaseCodeUnits } from './chars.js';
import { isPartialOutput } from './transforms.js';
import { wordPass } from './words.js';
import { FINDING_TYPES, type Detector, type ScanContext } from './types.js';

const REGISTRY: Record<string, Detector> = {
  pem: pemBlocks,
  'provider-token': providerTokens,
  'url-credentials': urlCredentials,
  'sas-signature': sasSignatures,
  'secret-assignment': assignments,
  'command-line': commandLine,
  'sql-password': sqlPasswords,
  email: emails,
  iban: ibans,
  ipv6,
  numbers,
  'birth-date': birthDates,
  'medical-record': medicalRecords,
  'national-id': nationalIds,
  'card-code': cardCodes,
  address: addresses,
  person: persons,
  'json-key': jsonKeys,
  'xml-element': xmlElements,
};
let registryVersion = 0;

/**
 * The built-in detectors, by name. Order does not matter: overlaps are resolved afterwards. Detectors can be added,
 * replaced or removed at run time (tests do); every change is noticed by `scan`.
 */
export const DETECTORS: Record<string, Detector> = new Proxy(REGISTRY, {
  set(target, key, value) {
    registryVersion++;
    return Reflect.set(target, key, value);
  },
  deleteProperty(target, key) {
    registryVersion++;
    return Reflect.deleteProperty(target, key);
  },
  defineProperty(target, key, desc) {
    registryVersion++;
    return Reflect.defineProperty(target, key, desc);
  },
});

// Field names that say what the whole value is, whatever it looks like.
const FIELD_TYPES: [RegExp, string][] = [
  [/(?:^|_)e_?mail(?:_?address)?$/, 'EMAIL'],
  [/(?:^|_)(?:phone|mobile|tel|telephone|fax|cell)(?:_?(?:number|no))?$/, 'PHONE'],
  [/(?:^|_)(?:ssn|social_?security(?:_?number)?)$/, 'US_SSN'],
  [/(?:^|_)(?:dob|date_?of_?birth|birth_?date|birthday)$/, 'DATE_OF_BIRTH'],
  [/(?:^|_)(?:street|address(?:_?line_?\d)?|street_?address|home_?address|mailing_?address|billing_?address)$/, 'ADDRESS'],
  // A first, last, given, family, middle or maiden name is a person's whatever its prefix (`billing_first_name`); a
  // full name only alone or with a person before it (`customer_full_name`, not a repository's `repo_full_name`). A
  // display name is a name field only (detectors/person.ts): users, groups, apps and devices all have one.
  [new RegExp(`(?:^|_)(?:(?:first|last|given|family|middle|maiden)_?name|surname)$|(?:^|(?:^|_)(?:${NAME_FIELD_OWNERS.join('|')})_)full_?name$`), 'PERSON'],
  [/(?:^|_)(?:card_?number|credit_?card|cc_?number|pan)$/, 'CREDIT_CARD'],
  [/(?:^|_)(?:(?:cvv2?|cvc2?)(?:_?(?:code|number|num|no|value))?|security_?code|card_?(?:security_?|verification_?)?(?:code|value))$/, 'CARD_SECURITY_CODE'],
  [/(?:^|_)iban$/, 'IBAN'],
  [/(?:^|_)(?:mrn|medical_?record(?:_?number)?)$/, 'MEDICAL_RECORD'],
  [/(?:^|_)(?:dni|nif|nie|nir|national_?id(?:_?number)?|steuer_?id)$/, 'NATIONAL_ID'],
];

// A value that only stands for a missing one: n/a, none, null, unknown, -, tbd, redacted, ***, (none), <none>, and the
// nulls of pandas (<NA>; NaN and NaT in that case only: Nan and Nat are given names) and of MySQL and COPY (\N).
const EMPTY_VALUE = /^(?:n\/?a|n\.a\.|none|null|nil|undefined|unknown|tbd|tba|redacted|-{1,3}|\*+|\(none\)|<none>|<null>|<na>|\\n|NaN|NaT)$/i;
const isEmptyValue = (v: string) => EMPTY_VALUE.test(v) && (v.length !== 3 || !/^na[nt]$/i.test(v) || v === 'NaN' || v === 'NaT');

// Field names a detector reads as context besides FIELD_TYPES and secret names: phones, licences and SSNs
// (detectors/numbers.ts), names, things' names and places (detectors/person.ts FIELD_IS_NAME, FIELD_IS_THING,
// FIELD_IS_PLACE, built from its exported lists; every `*_name` holds `name`). Substrings, so a superset (`cell` is
// in `cancelled`): a field that matches only costs a scan of its value on its own; a field a detector reads that
// this misses would lose that context in structured text. structured.test.ts reads the detectors' field patterns
// and lists and fails when one is not covered here.
const FIELD_CUES = /name|customer|patient|contact|owner|author|assignee|requester|phone|mobile|tel|fax|cell|licen[cs]e|ssn|social|city|town|country|state|province|region|location|place|destination|origin|capital|county|locality|office|site/;
// Identifier fields: alone, their digits have no phone cue before them, which in the text around them
// (`"phone": …, "order_id": …`) they may have. Only values long enough to be taken for a phone matter.
const FIELD_ID = /(?:^|_)(?:id|ids|order|invoice|ticket|sku|ref|no|num|number|code|port|price|amount|total)(?:_|$)/;
/** Values this long or longer under an identifier field are scanned on their own (a phone has 7+ digits). */
export const ID_VALUE_MIN = 7;

/**
 * Does a value under this field name need a scan of its own (with the name as context)? 1: yes; 2: only a value of
 * ID_VALUE_MIN characters or more (an identifier field); 0: no, for names no detector reads (`created_at`,
 * `note`): structured text scans those values together with the text around them.
 */
export function fieldRole(name: string): 0 | 1 | 2 {
  return fieldInfo(name).role;
}

/**
 * The type every value under this field name is, whatever it looks like (FIELD_TYPES), or undefined.
 *
 * @example
 * fieldType('billing_first_name') // 'PERSON'
 * fieldType('product_name') // undefined
 */
export function fieldType(name: string): string | undefined {
  return fieldInfo(name).type;
}

/** fieldRole(name) !== 0. */
export function fieldMatters(name: string): boolean {
  return fieldInfo(name).role !== 0;
}

/** Normalise a JSON key or column name for matching: lower case, camelCase and separators to `_`. */
export function normaliseField(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

export interface ScanOptions {
  /** Findings below this confidence are dropped. */
  minConfidence: number;
  /** Detector names to skip. */
  disabled?: ReadonlySet<string>;
  /** Skip a detector when the text lacks every sign it needs (see NEEDS); default true. False runs them all. */
  prefilter?: boolean;
}

/** What a field name says, worked out once per name (field names repeat: JSON keys, columns). */
interface FieldInfo {
  norm: string;
  /** The type a value under this name is, whatever it looks like (FIELD_TYPES). */
  type: string | undefined;
  /** What the name says about a secret value under it (secretField). */
  secret: SecretField | undefined;
  /** Whether a value under this name is scanned on its own in structured text (see fieldRole). */
  role: 0 | 1 | 2;
}
const FIELD_CACHE_MAX = 2048;
const KEY_MAY_HOLD_VALUE = /[@\d]/;
const fieldCache = new Map<string, FieldInfo>();

function fieldInfo(name: string): FieldInfo {
  let f = fieldCache.get(name);
  if (f) return f;
  // Masked output in a name (`"[EMAIL]": …`, a column `[PHONE]` after a first pass masked the keys) says nothing of
  // the value under it: a label spells a type, but the key was a value.
  const norm = normaliseField(blankMaskedOutput(name));
  let type: string | undefined;
  for (const [re, t] of FIELD_TYPES) {
    if (re.test(norm)) {
      type = t;
      break;
    }
  }
  const secret = secretField(norm);
  f = { norm, type, secret, role: type !== undefined || secret !== undefined || FIELD_CUES.test(norm) ? 1 : FIELD_ID.test(norm) ? 2 : 0 };
  // A key with an @ or a digit may itself be a value (it is masked as one): worked out again each time, never kept.
  if (KEY_MAY_HOLD_VALUE.test(name)) return f;
  if (fieldCache.size >= FIELD_CACHE_MAX) fieldCache.clear();
  fieldCache.set(name, f);
  return f;
}

// Which signs a text holds, as bits: a detector whose signs are all absent cannot find anything in it.
const T_DIGIT = 1, T_UPPER = 2, T_AT = 4, T_COLON = 8, T_WORD = 16, T_LT = 32;
const T_ALL = 63;
// What each built-in detector needs (any of the bits); the proof, detector by detector:
//   numbers, iban, birth-date, medical-record, national-id, card-code: every pattern needs a digit (runs, IBAN check digits,
//     dates, ids);
//   email: `@`; ipv6 and url-credentials: `:`; sas-signature: the `sv=` it needs is a date (`sv=2022-11-02`);
//   person: a capitalised word, so an upper-case or non-ASCII letter; json-key: the colon after a quoted key; pem: `-----BEGIN` is upper case;
//   xml-element: the `</` of a closing tag, so a `<` (T_LT; a text over 256 characters gets it unsearched: the
//     detector's own search for `</` is then the one pass over it, where a search for `<` first would be a second);
//   provider-token: AKIA, ASIA, AIza, eyJ, SG., SK, LS0tLS1CRUdJTi, pypi-AgEI…, PMAK-, NRAK-, AGE-SECRET-KEY-1, IQoJ…,
//     FwoG…, FQoG… hold a capital; bearer is T_WORD; ghp_, github_pat_, sk_live_, rk_live_, sk-, xoxb-, xoxe., xapp-,
//     glpat- (gl…-), npm_, hf_, whsec_, ya29., shpat_, dckr_pat_, hvs. (hv?.), dop_v1_ (do?_v1_), lin_api_, sbp_ are T_WORD;
//   secret-assignment: a secret keyword (pass, token, key, …) in the name is T_WORD; it needs no other sign
//     ("my password is hunter2");
//   command-line: the command (curl, mysql, mariadb, sshpass and --pass…: pass, mongo, redis-cli, login) is T_WORD;
//   sql-password: `password` (pass) or `identified` is T_WORD;
//   address: a street number (digit), a capitalised street word (`Crown Street`), or an address cue followed by a
//     unit line, whose unit, psc, apt, suite, box are T_WORD ("address: suite b").
// Non-ASCII characters count as T_UPPER (upper-case letters of any script, look-alike digits and signs). Field-name
// rules (a value under `email`, `password`, …) do not depend on the text and are applied before this.
const NEEDS = new Map<Detector, number>([
  [pemBlocks, T_UPPER],
  [providerTokens, T_UPPER | T_WORD],
  [urlCredentials, T_COLON],
  [sasSignatures, T_DIGIT],
  [assignments, T_WORD],
  [commandLine, T_WORD],
  [sqlPasswords, T_WORD],
  [emails, T_AT],
  [ibans, T_DIGIT],
  [ipv6, T_COLON],
  [numbers, T_DIGIT],
  [birthDates, T_DIGIT],
  [medicalRecords, T_DIGIT],
  [nationalIds, T_DIGIT],
  [cardCodes, T_DIGIT],
  [addresses, T_DIGIT | T_UPPER | T_WORD],
  [persons, T_UPPER],
  [jsonKeys, T_COLON],
  [xmlElements, T_LT],
]);
const ASCII_SIGNS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII_SIGNS[c] = T_DIGIT;
for (let c = 65; c <= 90; c++) ASCII_SIGNS[c] = T_UPPER;
ASCII_SIGNS[64] = T_AT;
ASCII_SIGNS[58] = T_COLON;
ASCII_SIGNS[60] = T_LT;
// Case-insensitive, so a superset of the case-sensitive provider prefixes.
const SIGN_WORDS = /pass|pw|secret|token|key|auth|credential|session|signature|cookie|unit|psc|apt|suite|box|gh[pousr]_|github_pat_|[sr]k_live_|sk-|xox[abposre][-.]|xapp-|gl[a-z]{2,5}-|npm_|hf_|whsec_|ya29\.|shp[a-z]{2}_|dckr_|hv[sbr]\.|do[por]_v|lin_api|sbp_|curl|mysql|mariadb|mongo|redis-cli|login|bearer|identified/i;

/**
 * The signs (T_* bits) present in `text`. T_WORD is also given, unsearched, to a text over 256 characters with a digit
 * or a capital (see below), and T_LT to every text over 256 characters: a superset of the signs is always safe, it
 * only runs a detector that finds nothing.
 */
export function signsOf(text: string): number {
  let f = 0;
  if (text.length <= 256) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      f |= c < 128 ? ASCII_SIGNS[c] : T_UPPER;
    }
  } else {
    if (/\d/.test(text)) f |= T_DIGIT;
    if (/[A-Z\u0080-\uffff]/.test(text)) f |= T_UPPER;
    if (text.includes('@')) f |= T_AT;
    if (text.includes(':')) f |= T_COLON;
    f |= T_LT; // unsearched (see NEEDS: xml-element)
    // A long text with a digit or a capital gets the word pass anyway (numbers, pem and person read it): the
    // detectors that need a sign word then cost less than the search for one, which reads the whole text when it
    // holds none (a fifth of the scan of plain log lines). They run, and find what they would have found.
    if ((f & (T_DIGIT | T_UPPER)) !== 0) return f | T_WORD;
  }
  if (SIGN_WORDS.test(text)) f |= T_WORD;
  return f;
}

interface Step {
  name: string;
  detect: Detector;
  need: number;
}
let plan: Step[] = [];
let planVersion = -1;
/** DETECTORS as a list with each one's needs, rebuilt after any change to DETECTORS. */
function currentPlan(): Step[] {
  if (planVersion === registryVersion) return plan;
  plan = Object.keys(REGISTRY).map((name) => ({ name, detect: REGISTRY[name], need: NEEDS.get(REGISTRY[name]) ?? 0 }));
  planVersion = registryVersion;
  return plan;
}

/** The signs a built-in detector needs (any of them), or undefined for a detector registered later. */
export function needsOf(name: string): number | undefined {
  const d = REGISTRY[name];
  return d ? NEEDS.get(d) : undefined;
}

/**
 * Run every detector over `text` and return non-overlapping findings sorted by start. Overlapping findings are
 * merged into one span (the type of the most confident wins), so no part of a value survives next to a mask.
 * Any detector error fails closed with MASKING_FAILED. A detector is skipped when the text lacks every sign it needs
 * (no digit for the number scanner, no capital for PERSON, … — see NEEDS); field-name rules always apply.
 *
 * @example
 * scan('mail bob@example.com', {}, { minConfidence: 0.5 }) // [{ type: 'EMAIL', start: 5, end: 20, ... }]
 */
export function scan(input: string, ctx: ScanContext, opts: ScanOptions): Finding[] {
  const text = blankMaskedOutput(input);
  const raw: Finding[] = [];
  const info = ctx.field ? fieldInfo(ctx.field) : undefined;
  try {
    if (info && text.length > 0) {
      if (info.type) {
        const v = text.trim();
        // A placeholder for a missing value stays (missing must be told from present), and so does what partial()
        // made of a value of that type (masked already: a second pass leaves `***-**-8714` as it is).
        if (v.length > 0 && v.length <= 512 && !isEmptyValue(v) && !isPartialOutput(info.type, v)) {
          const start = text.indexOf(v);
          raw.push({ type: info.type, start, end: start + v.length, confidence: 0.8, detector: 'field-name' });
        }
      }
      if (info.secret) fieldSecretOfType(text, info.secret, raw);
    }
    const signs = opts.prefilter === false ? T_ALL : signsOf(text);
    // All properties set up front: one object shape for every scan context, whichever pass fills it first.
    const sctx: ScanContext = { field: info?.norm, words: undefined, cues: undefined, codes: undefined, codesOf: undefined, codesGen: undefined };
    const disabled = opts.disabled !== undefined && opts.disabled.size > 0 ? opts.disabled : undefined;
    try {
      for (const step of currentPlan()) {
        if (disabled?.has(step.name)) continue;
        if (step.need !== 0 && (step.need & signs) === 0) continue; // need 0: a detector registered later, always run
        step.detect(text, raw, sctx);
      }
    } finally {
      releaseCodeUnits(sctx);
    }
  } catch (e) {
    throw new CountersignError('MASKING_FAILED', 'a masking detector failed; the data was withheld', undefined, { cause: e });
  }
  if (raw.length === 0) return raw;
  let n = 0;
  for (const f of raw) if (f.confidence >= opts.minConfidence && f.end > f.start) raw[n++] = f;
  raw.length = n;
  // A value that was masked output and nothing else (a quoted password the engine already replaced) stays as it is.
  if (text !== input) {
    n = 0;
    for (const f of raw) if (text.slice(f.start, f.end).trim() !== '') raw[n++] = f;
    raw.length = n;
  }
  return mergeOverlaps(sortByRuns(raw));
}

// What the engine writes in place of a value (transforms.ts, engine.ts): a type label `[EMAIL]`, a reversible token
// `[EMAIL:tok_…]` (22 base64url characters) or a keyed hash `[EMAIL:…]` (16 hex digits, at least one a–f, so that
// a card number written in that shape is not taken for one). Only the engine's own types.
const LABEL_NAMES = new Set<string>(FINDING_TYPES);
const LABEL_MAX = Math.max(...FINDING_TYPES.map((t) => t.length));

/**
 * The next `[` at or after `from` followed by a finding type and `]` or `:` (where MASKED_AT may match), or -1. Most
 * `[` in text (JSON arrays, `[INFO]`, `[0]`) fail at the next character or at the name.
 */
function labelStart(text: string, from: number): number {
  for (let i = text.indexOf('[', from); i !== -1; i = text.indexOf('[', i + 1)) {
    const c = text.charCodeAt(i + 1);
    if (c < 65 || c > 90) continue;
    let j = i + 2;
    for (const hi = Math.min(text.length, i + 2 + LABEL_MAX); j < hi; j++) {
      const d = text.charCodeAt(j);
      if (!((d >= 65 && d <= 90) || d === 95)) break;
    }
    const e = text.charCodeAt(j);
    if ((e === 93 || e === 58) && LABEL_NAMES.has(text.slice(i + 1, j))) return i;
  }
  return -1;
}

/** A label, token or hash the engine wrote, tried (sticky) where labelStart found a candidate. */
const MASKED_AT = new RegExp(`\\[(?:${FINDING_TYPES.join('|')})(?::(?:tok_[A-Za-z0-9_-]{22}|(?=[0-9]{0,15}[a-f])[0-9a-f]{16}))?\\]`, 'y');

/**
 * `text` with what the engine already wrote in place of values blanked out (spaces, same length, so spans stay
 * valid): masking masked output again leaves it as it is. Without this a second pass — the audit log's, an
 * approver's preview of arguments an agent copied from a masked result, `countersign mask` run twice — read a label
 * as the value of `password=` (`[PASSWORD]]`), a token under a `token` key as a new secret (`[SECRET:[SECRET:tok_…]]`)
 * or as a whole value under `email` (a token of a token), or a URL's `@host` as part of a password.
 */
export function blankMaskedOutput(text: string): string {
  let out: string | undefined;
  let last = 0;
  for (let i = labelStart(text, 0); i !== -1; i = labelStart(text, i + 1)) {
    MASKED_AT.lastIndex = i;
    const m = MASKED_AT.exec(text);
    if (!m) continue;
    const end = i + m[0].length;
    // Only output that stands alone as a value: glued to anything else (`Xk29fPqLm7[PASSWORD]`, `[PASSWORD]Xk29`), the
    // spaces would end the value beside it and let that through; such a label is masked again with its neighbour.
    if (!standsAlone(text, i, end)) continue;
    out = (out ?? '') + text.slice(last, i) + ' '.repeat(end - i);
    last = end;
    i = end - 1;
  }
  return out === undefined ? text : out + text.slice(last);
}

/** What may stand right before and right after a masked value that is a value on its own. */
const ALONE_BEFORE = new Set([...' \t\r\n"\'`=:([{,;>|'].map((c) => c.charCodeAt(0)));
const ALONE_AFTER = new Set([...' \t\r\n"\'`)]},;&<@.|/!?#'].map((c) => c.charCodeAt(0))); // `#`: a masked key made unique
function standsAlone(text: string, start: number, end: number): boolean {
  return (start === 0 || ALONE_BEFORE.has(text.charCodeAt(start - 1))) && (end === text.length || ALONE_AFTER.has(text.charCodeAt(end)));
}

/** `a` sorts strictly before `b`: by start, then the longer first. */
const sortsBefore = (a: Finding, b: Finding) => a.start < b.start || (a.start === b.start && a.end > b.end);
const byStart = (a: Finding, b: Finding) => a.start - b.start || b.end - a.end;

/**
 * `raw` in the order a stable sort by `byStart` gives. Detectors write their findings mostly in text order, so
 * `raw` is a few runs already in order (PERSON's own findings are three): the runs are found, then neighbouring runs
 * are merged, the earlier run first on a tie as the stable sort keeps them, with no comparator call per comparison.
 */
export function sortByRuns(raw: Finding[]): Finding[] {
  const runs: Finding[][] = [];
  let s = 0;
  for (let i = 1; i <= raw.length; i++) {
    if (i === raw.length || sortsBefore(raw[i], raw[i - 1])) {
      if (runs.length === MAX_RUNS) return raw.sort(byStart); // findings far out of order: the stable sort itself
      runs.push(s === 0 && i === raw.length ? raw : raw.slice(s, i));
      s = i;
    }
  }
  // Merge the neighbouring pair that is shortest together first, so the long runs (PERSON's) are copied least.
  while (runs.length > 1) {
    let best = 0;
    for (let k = 1; k + 1 < runs.length; k++) if (runs[k].length + runs[k + 1].length < runs[best].length + runs[best + 1].length) best = k;
    runs.splice(best, 2, mergeRuns(runs[best], runs[best + 1]));
  }
  return runs.length === 1 ? runs[0] : [];
}
const MAX_RUNS = 64; // a few dozen on text (about 25 per 256 KB piece of the bench mix)

function mergeRuns(a: Finding[], b: Finding[]): Finding[] {
  const out: Finding[] = new Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = sortsBefore(b[j], a[i]) ? b[j++] : a[i++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Merge overlapping findings; the merged span keeps the type and detector of its most confident part. */
export function resolve(findings: Finding[]): Finding[] {
  if (findings.length <= 1) return findings;
  return mergeOverlaps(findings.sort(byStart));
}

/** resolve() on findings already sorted by `byStart`. */
function mergeOverlaps(findings: Finding[]): Finding[] {
  if (findings.length <= 1) return findings;
  // The detectors' own objects go out as they are (each scan makes its findings afresh); one is copied only when a
  // merge is about to change it.
  const out: Finding[] = [];
  let cur = findings[0];
  let copied = false;
  for (let i = 1; i < findings.length; i++) {
    const f = findings[i];
    if (f.start < cur.end) {
      if (!copied) (cur = { ...cur }), (copied = true);
      if (f.confidence > cur.confidence) {
        cur.type = f.type;
        cur.detector = f.detector;
        cur.confidence = f.confidence;
      }
      if (f.end > cur.end) cur.end = f.end;
    } else {
      out.push(cur);
      cur = f;
      copied = false;
    }
  }
  out.push(cur);
  return out;
}

const isDigitOrSign = (c: number) => (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46;
/**
 * JSON keys inside plain text — a log line's payload, a tool's `Echo: {…}`, a JSON document too large to be read as
 * structure: `"first_name": "Hope"`. A value under a key that says what it is (FIELD_TYPES: first_name, ssn, email,
 * dob, iban, …) is that type, as in parsed JSON (`field-name`). Starts from the colons the word pass lists; a key is
 * read back to its opening quote (64 characters at most, no escape), a value is a JSON string (512 characters at
 * most, no escape: one with escapes is left to the other detectors) or a JSON number. A text read as structure gets
 * this from its segments instead; its values, scanned alone, hold no such colon.
 *
 * @example
 * scan('Echo: {"first_name":"Hope"}', {}, { minConfidence: 0.5 }) // [{ type: 'PERSON', start: 21, end: 25, detector: 'json-key', … }]
 */
function jsonKeys(text: string, out: Finding[], ctx: ScanContext): void {
  const w = wordPass(text, ctx);
  const cu = codeUnits(text, ctx);
  const n = cu.length;
  for (let j = 0; j < w.nSign; j++) {
    const x = w.signAt[j];
    if (cu[x] !== 58) continue; // a colon
    let q = x;
    while (q > 0 && (cu[q - 1] === 32 || cu[q - 1] === 9)) q--;
    if (q < 3 || cu[q - 1] !== 34) continue; // `"key"` right before it
    const ke = q - 1;
    let ks = ke;
    while (ks > 0 && ke - ks < 64) {
      const c = cu[ks - 1];
      if (c === 34 || c === 92 || c === 10) break;
      ks--;
    }
    if (ks === ke || ks === 0 || cu[ks - 1] !== 34) continue;
    let v = x + 1;
    while (v < n && (cu[v] === 32 || cu[v] === 9)) v++;
    let vs: number, ve: number;
    if (cu[v] === 34) {
      vs = v + 1;
      ve = vs;
      while (ve < n && ve - vs <= 512 && cu[ve] !== 34 && cu[ve] !== 92 && cu[ve] !== 10) ve++;
      if (ve >= n || cu[ve] !== 34) continue;
      while (vs < ve && (cu[vs] === 32 || cu[vs] === 9)) vs++;
      while (ve > vs && (cu[ve - 1] === 32 || cu[ve - 1] === 9)) ve--;
    } else if (v < n && isDigitOrSign(cu[v])) {
      vs = v;
      ve = v;
      while (ve < n && ve - vs <= 64 && (isDigitOrSign(cu[ve]) || cu[ve] === 101 || cu[ve] === 69)) ve++;
    } else continue;
    if (ve === vs) continue;
    const type = fieldInfo(text.slice(ks, ke)).type;
    if (type === undefined) continue;
    const value = text.slice(vs, ve);
    if (!isEmptyValue(value) && !isPartialOutput(type, value)) out.push({ type, start: vs, end: ve, confidence: 0.8, detector: 'json-key' });
  }
}

/**
 * XML and HTML elements inside any text — Maven settings.xml, SOAP bodies and WS-Security headers, .NET configs, XML
 * API responses, plists (`<key>password</key><string>…</string>`): the value of a simple element
 * (`<password>Sup3rS3cret!</password>`, `<ns:ApiKey>…</ns:ApiKey>`, detectors/xml.ts) has the element's local name as
 * its field name, as a JSON key gives its value: a secret name (secretField) masks a secret value as a JSON key does,
 * and a name that says what the value is (FIELD_TYPES) makes it that type, where the value fits (xmlValueFits).
 *
 * @example
 * scan('<server><password>Sup3rS3cret!</password></server>', {}, { minConfidence: 0.5 }) // [{ type: 'PASSWORD', start: 18, end: 30, detector: 'xml-element', … }]
 */
function xmlElements(text: string, out: Finding[], ctx: ScanContext): void {
  eachSimpleElement(text, ctx, (name, vs, ve) => {
    const info = fieldInfo(name);
    if (info.type !== undefined && xmlValueFits(info.type, info.norm, text, vs, ve)) {
      out.push({ type: info.type, start: vs, end: ve, confidence: 0.8, detector: 'xml-element' });
    }
    if (info.secret) {
      const n = out.length;
      fieldSecretOfType(text.slice(vs, ve), info.secret, out);
      for (let k = n; k < out.length; k++) {
        out[k].start += vs;
        out[k].end += vs;
        out[k].detector = 'xml-element';
      }
    }
  });
}

/**
 * Does an element's value fit the type its name says? XML vocabularies use some of these names for other things —
 * a table's `<cell>`, an audio track's `<pan>`, the `<address>` a server listens on, `<mobile>true</mobile>`, an
 * application's `<displayName>` — so a value is taken for its type only when it looks like one: digits for the
 * numbers (7 for a phone, 12 for a card, one for the others), words for a postal address (a `<street>` whatever it
 * holds). An e-mail element is one, and of the person names only the unambiguous ones (first, last, full, given,
 * family, middle name, surname; not a display name). A bare `<name>` is no field name here, as in JSON (the name of a
 * Maven project, a dependency, a server).
 */
function xmlValueFits(type: string, norm: string, text: string, vs: number, ve: number): boolean {
  if (type === 'EMAIL') return true;
  if (type === 'PERSON') return !norm.includes('display');
  if (type === 'ADDRESS') {
    if (norm.includes('street')) return true;
    for (let p = vs; p < ve; p++) if (text.charCodeAt(p) === 32) return true;
    return false;
  }
  let digits = 0;
  for (let p = vs; p < ve; p++) {
    const c = text.charCodeAt(p);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits >= (type === 'PHONE' ? 7 : type === 'CREDIT_CARD' ? 12 : 1);
}
