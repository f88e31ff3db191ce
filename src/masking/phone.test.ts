import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import { internationalVerdict, libraryAnswers, POSSIBLE, VALID, validInRegion } from './phone.js';

// phone.ts answers as libphonenumber-js does, with its patterns compiled once: compared here with the library on
// generated numbers (random digits in every separator style, every calling code, national and trunk prefixes, IDD
// prefixes, the library's own example numbers and their neighbours) and on every number run of both corpora, in
// the regions the number scanner asks about and in every other region.
const root = fileURLToPath(new URL('../..', import.meta.url));
const SCANNER_REGIONS: CountryCode[] = ['DE', 'FI', 'AT', 'SE', 'IE', 'PL', 'NZ', 'BR', 'IN', 'JP', 'HR', 'IS', 'GB', 'HU', 'NL', 'BE', 'DK', 'NO', 'SI', 'MX', 'UY', 'AR', 'GR', 'ZA', 'FR', 'CH', 'US', 'CA', 'IT', 'ES', 'PT', 'CZ', 'AU', 'RU'];
const ALL = getCountries();
const CODES = [...new Set(ALL.map((c) => getCountryCallingCode(c) as string)), '800', '808', '870', '878', '881', '882', '883', '888', '979'];

let seed = 20261121;
const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
const digits = (n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rnd(10));
  return s;
};
const SEPS = [' ', '-', '.', '/', ' ', '', '', ''];
/** `d` written the way runs in text are: groups split by one separator style, sometimes the first group in brackets. */
function format(d: string, plus: boolean): string {
  let out = '';
  let i = 0;
  const sep = SEPS[rnd(SEPS.length)];
  const bracket = !plus && rnd(5) === 0;
  while (i < d.length) {
    const g = 1 + rnd(4);
    const part = d.slice(i, i + g);
    if (i === 0 && bracket) out += `(${part})` + (rnd(2) ? ' ' : '');
    else out += (i > 0 && !(bracket && out.endsWith(' ')) ? sep : '') + part;
    i += g;
  }
  return (plus ? '+' : '') + out;
}

function libInternational(run: string): number {
  const p = parsePhoneNumberFromString(run);
  return p?.isValid() ? VALID : p?.isPossible() ? POSSIBLE : 0;
}
const libValid = (run: string, region: CountryCode) => !!parsePhoneNumberFromString(run, region)?.isValid();

function check(runs: Iterable<string>, regions: readonly CountryCode[], label: string): number {
  let n = 0;
  let valid = 0;
  for (const run of runs) {
    if (run[0] === '+') {
      const v = internationalVerdict(run);
      assert.equal(v, libInternational(run), `${label}: international verdict of ${run}`);
      if (v & VALID) valid++;
      n++;
    } else {
      for (const r of regions) {
        const v = validInRegion(run, r);
        assert.equal(v, libValid(run, r), `${label}: validity of ${run} in ${r}`);
        if (v) valid++;
        n++;
      }
    }
  }
  assert.ok(valid > 0, `${label}: some numbers are valid (the generator reaches the library's valid paths)`);
  assert.equal(libraryAnswers.n, 0, `${label}: every answer came from the compiled path, none from the library`);
  return n;
}

test('phone verdicts equal libphonenumber-js on the library example numbers and their neighbours', () => {
  const runs: string[] = [];
  for (const c of ALL) {
    const nn = (examples as Record<string, string>)[c];
    if (!nn) continue;
    const cc = getCountryCallingCode(c);
    for (let k = 0; k < 6; k++) {
      // the example, then with one or two digits changed, one dropped, one added
      let d = nn;
      if (k === 1 || k === 2) d = d.slice(0, -1 - k) + digits(1 + k);
      if (k === 3) d = d.slice(0, -1);
      if (k === 4) d = d + digits(1);
      if (k === 5) d = digits(1) + d.slice(1);
      runs.push(format(cc + d, true), format(d, false), format('0' + d, false), format(cc + d, false), format('00' + cc + d, false), format('011' + cc + d, false));
    }
  }
  const n = check(runs, SCANNER_REGIONS, 'examples');
  assert.ok(n > 40_000, `${n} comparisons`);
});

test('phone verdicts equal libphonenumber-js on 120,000 random numbers', () => {
  const runs: string[] = [];
  for (let i = 0; i < 60_000; i++) {
    const cc = CODES[rnd(CODES.length)];
    runs.push(format(cc + digits(4 + rnd(10)), true));
  }
  for (let i = 0; i < 60_000; i++) {
    const kind = rnd(6);
    const cc = CODES[rnd(CODES.length)];
    const d = kind === 0 ? '0' + digits(6 + rnd(9)) : kind === 1 ? '00' + cc + digits(5 + rnd(8)) : kind === 2 ? cc + digits(5 + rnd(8)) : kind === 3 ? '8' + digits(6 + rnd(9)) : digits(7 + rnd(9));
    runs.push(format(d, false));
  }
  // National runs in 3 random regions each (and the scanner's regions for the first 3,000).
  const intl = runs.filter((r) => r[0] === '+');
  check(intl, [], 'random international');
  const national = runs.filter((r) => r[0] !== '+');
  check(national.slice(0, 3000), SCANNER_REGIONS, 'random national, scanner regions');
  let n = 0;
  for (const run of national) {
    const regions = [ALL[rnd(ALL.length)], ALL[rnd(ALL.length)], SCANNER_REGIONS[rnd(SCANNER_REGIONS.length)]];
    for (const r of regions) {
      assert.equal(validInRegion(run, r), libValid(run, r), `validity of ${run} in ${r}`);
      n++;
    }
  }
  assert.ok(intl.length + n >= 120_000);
});

const CORPORA = [`${root}bench/corpus-masking.jsonl`, `${root}../shared/benchmarks/presidio-synth/corpus.jsonl`].filter((f) => existsSync(f));
test('phone verdicts equal libphonenumber-js on every number run of both corpora, and with their digits shuffled', { skip: CORPORA.length === 0 && 'no corpus' }, () => {
  // The number scanner's runs (numbers.ts RUN), 7+ characters with 7 to 15 digits.
  const RUN = /[+(\d](?:(?<=[+(])\d|(?<=\d))(?:(?:[ .\/-]\(?|\)[ -]?)?\d)*/g;
  const runs = new Set<string>();
  for (const file of CORPORA) {
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
      const text = (JSON.parse(line) as { text: string }).text;
      for (const m of text.matchAll(RUN)) {
        const run = m[0][0] === '(' && !m[0].includes(')') ? m[0].slice(1) : m[0];
        const nd = run.replace(/\D/g, '').length;
        if (run.length < 7 || nd < 7 || nd > 15) continue;
        runs.add(run);
        for (let k = 0; k < 3; k++) runs.add(run.replace(/\d/g, () => String(rnd(10))));
      }
    }
  }
  // Our corpus alone (Presidio's synthetic set is read from ../shared when it is there) holds about 2,400 runs.
  const presidio = CORPORA.some((f) => f.includes('presidio-synth'));
  assert.ok(runs.size > (presidio ? 3000 : 2000), `${runs.size} runs`);
  check(runs, SCANNER_REGIONS, 'corpus runs');
});
