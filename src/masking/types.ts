import type { Finding } from '../core/masking.js';
import type { CueScan } from './cues.js';
import type { WordPass } from './words.js';

/** Every finding type the built-in detectors emit. */
export const FINDING_TYPES = [
  'EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'US_SSN', 'IP_ADDRESS', 'DATE_OF_BIRTH', 'PERSON', 'ADDRESS',
  'MEDICAL_RECORD', 'NATIONAL_ID', 'CARD_SECURITY_CODE', 'DRIVER_LICENSE', 'PASSWORD', 'PRIVATE_KEY', 'JWT', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY',
  'GITHUB_TOKEN', 'SLACK_TOKEN', 'STRIPE_KEY', 'OPENAI_KEY', 'ANTHROPIC_KEY', 'GOOGLE_API_KEY', 'SECRET',
] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

/** What a detector sees besides the text: the field or column name it came from, lower-cased, if any. */
export interface ScanContext {
  field?: string;
  /** The shared word pass over the text being scanned (see words.ts); set by the first detector that needs it. */
  words?: WordPass;
  /** The shared cue-word pass (see cues.ts). */
  cues?: CueScan;
  /** The text's UTF-16 code units (see chars.ts `codeUnits`), for `codesOf`. */
  codes?: Uint16Array;
  codesOf?: string;
  codesGen?: number;
}

/**
 * A detector appends findings for `text` to `out`. It must run in time linear in `text.length` (only patterns
 * without nested quantifiers, bounded look-around done by hand) and never throw on odd input.
 */
export type Detector = (text: string, out: Finding[], ctx: ScanContext) => void;

/** Lower-cased text of up to `n` characters before `pos`. */
export function before(text: string, pos: number, n: number): string {
  return text.slice(Math.max(0, pos - n), pos).toLowerCase();
}

/** Lower-cased text of up to `n` characters after `pos`. */
export function after(text: string, pos: number, n: number): string {
  return text.slice(pos, pos + n).toLowerCase();
}
