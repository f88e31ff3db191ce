import type { Finding } from '../core/masking.js';
import { CountersignError } from '../core/errors.js';
import { addresses } from './detectors/address.js';
import { birthDates, medicalRecords } from './detectors/context.js';
import { emails, ibans, ipv6 } from './detectors/net.js';
import { numbers } from './detectors/numbers.js';
import { persons } from './detectors/person.js';
import { assignments, fieldSecret, pemBlocks, providerTokens, urlCredentials } from './detectors/secrets.js';
import type { Detector, ScanContext } from './types.js';

/** The built-in detectors, by name. Order does not matter: overlaps are resolved afterwards. */
export const DETECTORS: Record<string, Detector> = {
  pem: pemBlocks,
  'provider-token': providerTokens,
  'url-credentials': urlCredentials,
  'secret-assignment': assignments,
  email: emails,
  iban: ibans,
  ipv6,
  numbers,
  'birth-date': birthDates,
  'medical-record': medicalRecords,
  address: addresses,
  person: persons,
};

// Field names that say what the whole value is, whatever it looks like.
const FIELD_TYPES: [RegExp, string][] = [
  [/(?:^|_)e_?mail(?:_?address)?$/, 'EMAIL'],
  [/(?:^|_)(?:phone|mobile|tel|telephone|fax|cell)(?:_?(?:number|no))?$/, 'PHONE'],
  [/(?:^|_)(?:ssn|social_?security(?:_?number)?)$/, 'US_SSN'],
  [/(?:^|_)(?:dob|date_?of_?birth|birth_?date|birthday)$/, 'DATE_OF_BIRTH'],
  [/(?:^|_)(?:street|address(?:_?line_?\d)?|street_?address|home_?address|mailing_?address|billing_?address)$/, 'ADDRESS'],
  [/(?:^|_)(?:first_?name|last_?name|full_?name|surname|given_?name|family_?name|middle_?name|display_?name)$/, 'PERSON'],
  [/(?:^|_)(?:card_?number|credit_?card|cc_?number|pan)$/, 'CREDIT_CARD'],
  [/(?:^|_)iban$/, 'IBAN'],
  [/(?:^|_)(?:mrn|medical_?record(?:_?number)?)$/, 'MEDICAL_RECORD'],
];

/** Normalise a JSON key or column name for matching: lower case, camelCase and separators to `_`. */
export function normaliseField(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

export interface ScanOptions {
  /** Findings below this confidence are dropped. */
  minConfidence: number;
  /** Detector names to skip. */
  disabled?: ReadonlySet<string>;
}

/**
 * Run every detector over `text` and return non-overlapping findings sorted by start. Overlapping findings are
 * merged into one span (the type of the most confident wins), so no part of a value survives next to a mask.
 * Any detector error fails closed with MASKING_FAILED.
 *
 * @example
 * scan('mail bob@example.com', {}, { minConfidence: 0.5 }) // [{ type: 'EMAIL', start: 5, end: 20, ... }]
 */
export function scan(text: string, ctx: ScanContext, opts: ScanOptions): Finding[] {
  const raw: Finding[] = [];
  const field = ctx.field ? normaliseField(ctx.field) : undefined;
  const sctx: ScanContext = { field };
  try {
    if (field) {
      const v = text.trim();
      if (v.length > 0 && v.length <= 512) {
        for (const [re, type] of FIELD_TYPES) {
          if (re.test(field)) {
            const start = text.indexOf(v);
            raw.push({ type, start, end: start + v.length, confidence: 0.8, detector: 'field-name' });
            break;
          }
        }
      }
      fieldSecret(text, field, raw);
    }
    for (const [name, detect] of Object.entries(DETECTORS)) {
      if (opts.disabled?.has(name)) continue;
      detect(text, raw, sctx);
    }
  } catch (e) {
    throw new CountersignError('MASKING_FAILED', 'a masking detector failed; the data was withheld', undefined, { cause: e });
  }
  return resolve(raw.filter((f) => f.confidence >= opts.minConfidence && f.end > f.start));
}

/** Merge overlapping findings; the merged span keeps the type and detector of its most confident part. */
export function resolve(findings: Finding[]): Finding[] {
  if (findings.length <= 1) return findings;
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  let cur = { ...findings[0] };
  for (let i = 1; i < findings.length; i++) {
    const f = findings[i];
    if (f.start < cur.end) {
      if (f.confidence > cur.confidence) {
        cur.type = f.type;
        cur.detector = f.detector;
        cur.confidence = f.confidence;
      }
      if (f.end > cur.end) cur.end = f.end;
    } else {
      out.push(cur);
      cur = { ...f };
    }
  }
  out.push(cur);
  return out;
}
