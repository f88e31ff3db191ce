import { createRequire } from 'node:module';
import { wordHash } from './lexicon.js';

/**
 * Place names, lower-cased, one or more words: countries (`countries-list`), continents and world regions, the
 * states and provinces of the United States, Canada and Australia, and every city of 500,000 people or more
 * (`city-timezones`; both packages MIT) — a smaller city's name (Gary, Jackson, Tyler) is more often someone's. The name lists behind PERSON hold most of them too (Germany, Lisbon,
 * Houston are given names or surnames somewhere), so the PERSON detector reads this to leave a place alone where
 * the context says place: "in Lisbon", "from Berlin to Lisbon", "Austin, Texas", a `city` column.
 */
export interface Places {
  /** Is this lower-cased text (words separated by single spaces) a place name? */
  has(lower: string): boolean;
  /** Could a place start with the word of this `wordHash` (its lower-cased form)? A cheap first filter. */
  mayStartWith(hash: number): boolean;
  readonly size: number;
}

const REGIONS = [
  'africa', 'antarctica', 'asia', 'europe', 'oceania', 'australasia', 'americas', 'north america', 'south america', 'latin america',
  'central america', 'caribbean', 'middle east', 'near east', 'far east', 'scandinavia', 'nordics', 'balkans', 'baltics', 'benelux',
  'western europe', 'eastern europe', 'central europe', 'northern europe', 'southern europe', 'east asia', 'south asia',
  'southeast asia', 'central asia', 'west africa', 'east africa', 'north africa', 'southern africa', 'sub-saharan africa',
  'pacific', 'atlantic', 'mediterranean', 'emea', 'apac', 'latam', 'silicon valley', 'new england', 'midwest',
];
// The German, Spanish, French and local names of large cities and of countries, which the lists hold in English
// only: "aus Wien", "desde Lisboa", "en Allemagne".
const LOCAL_NAMES = [
  'wien', 'viena', 'vienne', 'münchen', 'múnich', 'köln', 'colonia', 'praha', 'prag', 'praga', 'warszawa', 'warschau', 'varsovia',
  'varsovie', 'lisboa', 'lissabon', 'lisbonne', 'roma', 'rom', 'milano', 'mailand', 'milán', 'napoli', 'neapel', 'nápoles', 'torino',
  'turín', 'bruxelles', 'brüssel', 'bruselas', 'genève', 'genf', 'ginebra', 'zürich', 'zúrich', 'københavn', 'kopenhagen',
  'copenhague', 'athen', 'atenas', 'athènes', 'sevilla', 'séville', 'londres', 'moskau', 'moscú', 'moscou', 'moskva', 'peking',
  'pekín', 'pékin', 'nueva york', 'den haag', 'marsella', 'fráncfort', 'francfort', 'hamburgo', 'hambourg', 'estocolmo',
  'deutschland', 'alemania', 'allemagne', 'españa', 'spanien', 'espagne', 'frankreich', 'francia', 'österreich', 'autriche', 'schweiz',
  'suiza', 'suisse', 'italien', 'italia', 'italie', 'polen', 'polonia', 'pologne', 'niederlande', 'países bajos', 'pays-bas',
  'belgien', 'bélgica', 'belgique', 'großbritannien', 'reino unido', 'royaume-uni', 'vereinigte staaten', 'estados unidos',
  'états-unis', 'europa', 'schweden', 'suecia', 'suède', 'dänemark', 'dinamarca', 'danemark', 'griechenland', 'grecia', 'grèce',
  'russland', 'rusia', 'russie', 'japón', 'japon', 'méxico', 'mexiko', 'brasilien', 'brasil', 'brésil',
];
const PROVINCES_OF = new Set(['US', 'CA', 'AU']);
const MIN_POPULATION = 500_000;

let cached: Places | undefined;

export function places(): Places {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const set = new Set<string>();
  const add = (name: string | undefined) => {
    const n = name?.toLowerCase().replace(/\s+/g, ' ').trim();
    if (n && n.length >= 3) set.add(n);
  };
  for (const r of REGIONS) add(r);
  for (const r of LOCAL_NAMES) add(r);
  const { countries } = require('countries-list') as { countries: Record<string, { name: string }> };
  for (const c of Object.values(countries)) add(c.name);
  const { cityMapping } = require('city-timezones') as {
    cityMapping: Array<{ city: string; city_ascii: string; pop: number; iso2: string; province: string }>;
  };
  for (const c of cityMapping) {
    if (c.pop >= MIN_POPULATION) {
      add(c.city);
      add(c.city_ascii);
    }
    if (PROVINCES_OF.has(c.iso2)) add(c.province);
  }
  const first = new Set<number>();
  for (const p of set) first.add(wordHash(p.split(' ')[0]!));
  // A byte per low 16 bits of those hashes in front: most words are ruled out by one read. Then the hashes
  // themselves, in an open-addressing table (with `hasZero` for the hash 0, the table's empty mark): a typed array
  // read, where a Set of numbers would box every hash beyond the small-integer range.
  const firstBits = new Uint8Array(65536);
  let bits = 4;
  while (1 << bits < 2 * first.size) bits++;
  const table = new Int32Array(1 << bits), mask = (1 << bits) - 1, shift = 32 - bits;
  let hasZero = false;
  for (const h of first) {
    firstBits[h & 0xffff] = 1;
    if (h === 0) hasZero = true;
    else {
      let k = Math.imul(h, 0x9e3779b1) >>> shift;
      while (table[k] !== 0) k = (k + 1) & mask;
      table[k] = h;
    }
  }
  const mayStartWith = (hash: number): boolean => {
    if (firstBits[hash & 0xffff] !== 1) return false;
    if (hash === 0) return hasZero;
    for (let k = Math.imul(hash, 0x9e3779b1) >>> shift; table[k] !== 0; k = (k + 1) & mask) if (table[k] === hash) return true;
    return false;
  };
  cached = { has: (lower) => set.has(lower), mayStartWith, size: set.size };
  return cached;
}
