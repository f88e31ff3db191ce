import { Metadata, parsePhoneNumberFromString, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
import minMetadata from 'libphonenumber-js/min/metadata';

/**
 * Phone number validity as `libphonenumber-js` (its default, "min" metadata) answers it, for the runs the number
 * scanner finds: `+`, digits and the separators ` ./-()`. The same steps as the library's `parse` — IDD prefix,
 * calling code with or without `+`, national prefix for parsing and its transform rule, the country among those of
 * a calling code by leading digits, the national number pattern and the possible lengths — read from the library's
 * own metadata and with every pattern compiled once (the library builds its regexes again on every call, which made
 * it the largest cost of the number scanner). Anything outside those runs is handed to the library itself.
 *
 * The answers are the library's: `phone.test.ts` compares them with `parsePhoneNumberFromString(…)?.isValid()` and
 * `isPossible()` on hundreds of thousands of generated and corpus numbers. The compiled data are the public
 * metadata only; nothing about a number is kept.
 *
 * @example
 * internationalVerdict('+44 20 7946 0958') // VALID
 * validInRegion('030 1234567', 'DE') // true
 */

/** How many answers were left to the library (tests check the compiled path answers the scanner's runs). */
export const libraryAnswers = { n: 0 };

/** The verdict bits the number scanner uses. */
export const VALID = 2, POSSIBLE = 1;

/** The numbering plan accessors this module reads (libphonenumber-js's `NumberingPlan`). */
interface NumberingPlanApi {
  callingCode(): string;
  nationalNumberPattern(): string;
  possibleLengths(): number[] | undefined;
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  IDDPrefix(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(t: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}

// The number types getNumberType tries (any match makes a number valid in a plan with types).
const TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];

/** One numbering plan (a country, or a non-geographic calling code), its patterns compiled. */
interface Plan {
  cc: string;
  /** `^(?:national number pattern)$` */
  nnp: RegExp;
  lengths: number[] | undefined;
  /** `^(?:national prefix for parsing)` and its transform rule. */
  npfp: RegExp | undefined;
  rule: string | undefined;
  /** `^(?:IDD prefix)` */
  idd: RegExp | undefined;
  /** `^(?:leading digits)` */
  lead: RegExp | undefined;
  /** The plan's number types (`^(?:pattern)$` and possible lengths), or undefined when it has none. */
  types: { re: RegExp; lengths: number[] | undefined }[] | undefined;
}

const json = minMetadata as MetadataJson & {
  country_calling_codes: Record<string, string[]>;
  countries: Record<string, unknown>;
  nonGeographic?: Record<string, unknown>;
};

const plans = new Map<string, Plan | null>();
/** The plan `libphonenumber-js`'s `selectNumberingPlan(key)` selects (a country code, or a calling code). */
function plan(key: string): Plan | null {
  let p = plans.get(key);
  if (p !== undefined) return p;
  const m = new Metadata(json);
  try {
    m.selectNumberingPlan(key as CountryCode);
  } catch {
    plans.set(key, null);
    return null;
  }
  const np = m.numberingPlan as unknown as NumberingPlanApi | undefined;
  if (!np) p = null;
  else {
    let types: Plan['types'];
    if (np.hasTypes()) {
      types = [];
      for (const t of TYPES) {
        const def = np.type(t);
        if (def && def.pattern()) types.push({ re: new RegExp('^(?:' + def.pattern() + ')$'), lengths: def.possibleLengths() });
      }
    }
    const npfp = np.nationalPrefixForParsing();
    const idd = np.IDDPrefix();
    const lead = np.leadingDigits();
    p = {
      cc: np.callingCode(),
      nnp: new RegExp('^(?:' + np.nationalNumberPattern() + ')$'),
      lengths: np.possibleLengths(),
      npfp: npfp ? new RegExp('^(?:' + npfp + ')') : undefined,
      rule: np.nationalPrefixTransformRule(),
      idd: idd ? new RegExp('^(?:' + idd + ')') : undefined,
      lead: lead ? new RegExp('^(?:' + lead + ')') : undefined,
      types,
    };
  }
  plans.set(key, p);
  return p;
}

/** Thrown when a step leaves the paths handled here: the library answers instead. */
class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();
function need(p: Plan | null): Plan {
  if (p === null) throw UNSUPPORTED;
  return p;
}

const hasCallingCode = (cc: string) => json.country_calling_codes[cc] !== undefined || json.nonGeographic?.[cc] !== undefined;
const countriesOf = (cc: string): string[] | undefined => json.country_calling_codes[cc];

/** checkNumberLength with the plan's possible lengths (no number types in this metadata). */
function lengthCheck(nn: string, p: Plan): 'IS_POSSIBLE' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID_LENGTH' {
  const lengths = p.lengths;
  if (!lengths) return 'IS_POSSIBLE';
  const n = nn.length;
  if (lengths[0] === n) return 'IS_POSSIBLE';
  if (lengths[0] > n) return 'TOO_SHORT';
  if (lengths[lengths.length - 1] < n) return 'TOO_LONG';
  return lengths.indexOf(n, 1) >= 0 ? 'IS_POSSIBLE' : 'INVALID_LENGTH';
}

/** getNumberType(nn, plan) !== undefined: the national number pattern, then one of the number types. */
function hasType(nn: string, p: Plan): boolean {
  if (!p.types || !p.nnp.test(nn)) return false;
  for (const t of p.types) {
    if (t.lengths && t.lengths.indexOf(nn.length) < 0) continue;
    if (t.re.test(nn)) return true;
  }
  return false;
}

/** isValid(): the number types when the plan has them, else the national number pattern. */
const validIn = (nn: string, p: Plan) => (p.types ? hasType(nn, p) : p.nnp.test(nn));

/** getCountryByCallingCode: the only country of the calling code, or the first whose leading digits or types fit. */
function countryByCallingCode(cc: string, nn: string): string | undefined {
  const countries = countriesOf(cc);
  if (!countries) return undefined;
  if (countries.length === 1) return countries[0];
  for (const c of countries) {
    const p = need(plan(c));
    if (p.lead) {
      if (nn && p.lead.test(nn)) return c;
    } else if (hasType(nn, p)) return c;
  }
  return undefined;
}

/** extractNationalNumber(number, undefined, metadata with `p` selected). */
function nationalNumberOf(number: string, p: Plan): string {
  if (!number || !p.npfp) return number;
  const m = p.npfp.exec(number);
  if (!m) return number;
  const groups = m.length - 1;
  const hasGroups = groups > 0 && !!m[groups];
  const nn = p.rule && hasGroups ? number.replace(p.npfp, p.rule) : number.slice(m[0].length);
  if (nn === number) return number;
  // shouldHaveExtractedNationalPrefix
  if (p.nnp.test(number) && !p.nnp.test(nn)) return number;
  if (p.lengths) {
    const country = countryByCallingCode(p.cc, nn);
    const q = country ? need(plan(country)) : p;
    const c = lengthCheck(nn, q);
    if (c === 'TOO_SHORT' || c === 'INVALID_LENGTH') return number;
  }
  return nn;
}

interface Parsed {
  country: string | undefined;
  cc: string;
  nn: string;
}

/** parse(text, { defaultCountry: region, v2: true }) for `number`: `+` and digits, or digits. */
function parseDigits(number: string, region: string | undefined): Parsed | undefined {
  let cc: string | undefined;
  let rest: string | undefined = number;
  // extractCountryCallingCode
  if (number[0] !== '+') {
    let withoutIdd: string | undefined;
    if (region) {
      const r = need(plan(region));
      const m = r.idd?.exec(number);
      if (r.idd === undefined) throw UNSUPPORTED;
      if (m) {
        const after = number.slice(m[0].length);
        withoutIdd = after.length > 0 && after[0] === '0' ? undefined : after;
      }
    }
    if (withoutIdd && withoutIdd !== number) {
      number = '+' + withoutIdd;
    } else {
      if (region) {
        // extractCountryCallingCodeFromInternationalNumberWithoutPlusSign
        const r = need(plan(region));
        if (number.startsWith(r.cc)) {
          const shorter = number.slice(r.cc.length);
          const nnShort = nationalNumberOf(shorter, r);
          const nnFull = nationalNumberOf(number, r);
          if ((!r.nnp.test(nnFull) && r.nnp.test(nnShort)) || lengthCheck(nnFull, r) === 'TOO_LONG') {
            cc = r.cc;
            rest = shorter;
          }
        }
      }
      if (cc === undefined) rest = number;
    }
  }
  if (number[0] === '+' && cc === undefined) {
    if (number[1] === '0') return undefined;
    rest = undefined;
    for (let i = 2; i - 1 <= 3 && i <= number.length; i++) {
      const c = number.slice(1, i);
      if (hasCallingCode(c)) {
        cc = c;
        rest = number.slice(i);
        break;
      }
    }
    if (cc === undefined) return undefined;
  }
  // parsePhoneNumber
  let country: string | undefined;
  let selected: Plan;
  if (cc !== undefined) selected = need(plan(cc));
  else if (rest && region) {
    country = region;
    selected = need(plan(region));
    cc = selected.cc;
  } else return undefined;
  if (!rest) return undefined;
  const nn = nationalNumberOf(rest, selected);
  const exact = countryByCallingCode(cc, nn);
  if (exact) country = exact;
  if (nn.length < 2 || nn.length > 17) return undefined;
  return { country, cc, nn };
}

/** The run as the library reads it (`+` and digits), or undefined when it holds anything else. */
function digitsOf(run: string): string | undefined {
  if (run.length > 250) return undefined;
  let out = '';
  let started = false;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      out += run[i];
      started = true;
    } else if (c === 43) {
      if (started || out.length > 0) return undefined;
      out = '+';
      started = true;
    } else if (c === 40) {
      if (out === '+') return undefined; // "+(" : not a run the scanner makes
    } else if (c !== 32 && c !== 46 && c !== 47 && c !== 45 && c !== 41) return undefined;
    else if (!started) return undefined; // a separator before the number: leave it to the library
  }
  let digits = 0;
  for (let i = 0; i < out.length; i++) if (out.charCodeAt(i) !== 43) digits++;
  return digits >= 3 ? out : undefined;
}

/** VALID | POSSIBLE of `parsePhoneNumberFromString(run)` (international: `run` starts with `+`). */
export function internationalVerdict(run: string): number {
  const d = run[0] === '+' ? digitsOf(run) : undefined;
  if (d !== undefined) {
    try {
      const p = parseDigits(d, undefined);
      if (p === undefined) return 0;
      const q = need(plan(p.country ?? p.cc));
      if (validIn(p.nn, q)) return VALID;
      if (!q.lengths) throw UNSUPPORTED;
      return lengthCheck(p.nn, q) === 'IS_POSSIBLE' ? POSSIBLE : 0;
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
  }
  libraryAnswers.n++;
  const p = parsePhoneNumberFromString(run, json);
  return p?.isValid() ? VALID : p?.isPossible() ? POSSIBLE : 0;
}

/** `parsePhoneNumberFromString(run, region)?.isValid()`, for a run without `+`. */
export function validInRegion(run: string, region: CountryCode): boolean {
  const d = run[0] !== '+' ? digitsOf(run) : undefined;
  if (d !== undefined) {
    try {
      const p = parseDigits(d, region);
      if (p === undefined) return false;
      return validIn(p.nn, need(plan(p.country ?? p.cc)));
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
    }
  }
  libraryAnswers.n++;
  return !!parsePhoneNumberFromString(run, region, json)?.isValid();
}
