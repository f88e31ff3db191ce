import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../core/masking.js';
import { sortByRuns } from './scan.js';

// scan() orders the findings by merging the runs already in order (detectors write mostly in text order) instead of
// sorting them all with a comparator:
// the order must be exactly that of the stable sort it replaced, ties included (resolve keeps the first of equally
// confident overlapping findings).
test('sortByRuns gives the stable comparator sort, on runs in order or not', () => {
  let seed = 53;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let i = 0; i < 20_000; i++) {
    const raw: Finding[] = [];
    for (let r = rnd(14); r > 0; r--) {
      const sorted = rnd(3) !== 0;
      let at = rnd(50);
      for (let k = rnd(12); k > 0; k--) {
        const start = sorted ? (at += rnd(4)) : rnd(60);
        raw.push({ type: 'X', start, end: start + 1 + rnd(6), confidence: rnd(3) / 2, detector: `d${raw.length}` });
      }
    }
    const want = [...raw].sort((a, b) => a.start - b.start || b.end - a.end);
    assert.deepEqual(sortByRuns([...raw]), want);
  }
  // Far out of order (more runs than it merges): the stable sort itself.
  const desc: Finding[] = [];
  for (let k = 200; k > 0; k--) desc.push({ type: 'X', start: k >> 1, end: (k >> 1) + 1 + (k & 1), confidence: 0.5, detector: `d${k}` });
  assert.deepEqual(sortByRuns([...desc]), [...desc].sort((a, b) => a.start - b.start || b.end - a.end));
});

test('JSON keys inside plain text give their value its type (a log payload, a tool echo)', async () => {
  const { createMasker } = await import('./engine.js');
  const m = createMasker();
  const mask = (t: string) => m.maskTextSync(t).text;
  assert.equal(
    mask('Echo: {"first_name":"Hope","last_name": "Grant", "ssn":"536-22-8714","note":"call me","name":"build-42"}'),
    'Echo: {"first_name":"[PERSON]","last_name": "[PERSON]", "ssn":"[US_SSN]","note":"call me","name":"build-42"}',
  );
  assert.equal(mask('2026-03-14 10:22:33 INFO payload={"full_name": "May Bell", "dob": "1990-04-01", "ssn": 536228714}'), '2026-03-14 10:22:33 INFO payload={"full_name": "[PERSON]", "dob": "[DATE_OF_BIRTH]", "ssn": [US_SSN]}');
  const found = m.scanSync('x {"first_name":"Hope"} y');
  assert.deepEqual(found.map((f) => [f.type, f.start, f.end, f.detector]), [['PERSON', 17, 21, 'json-key']]);
  // Look-alikes: keys that say nothing, an escaped value (left to the other detectors), a key without quotes, a key
  // quoted on one side only, an empty value.
  for (const t of ['{"status": "Hope"} x', 'log {"first_name":"Ho\\"pe"} x', 'first_name: "Hope" x', 'first_name": "Hope" x', 'x {"first_name": ""}']) {
    assert.ok(!m.scanSync(t).some((f) => f.detector === 'json-key'), t);
  }
});

// F4, F5: under a field rule (`email`, `ssn`, `phone`, `dob`, …), what partial() wrote and a placeholder for a missing
// value stay as they are; everything else under the field is masked as before.
test('partial output under a field rule is masked already: a second pass leaves it (F4)', async () => {
  const { createMasker } = await import('./engine.js');
  const { maskingConfigSchema } = await import('./config.js');
  const { isPartialOutput, partial } = await import('./transforms.js');
  const plain = createMasker();
  const partialAll = createMasker(maskingConfigSchema.parse({ default_profile: 'p', profiles: { p: { transforms: { '*': 'partial' } } } }));
  const rec = { email: 'jane.doe@acme.com', ssn: '536-22-8714', phone: '+1 (415) 555-0172', card_number: '4111 1111 1111 1111', iban: 'DE89 3704 0044 0532 0130 00', mrn: 'MRN-00123456', national_id: '12345678Z', mobile: '4155550172' };
  const once = partialAll.maskValueSync(rec).value;
  assert.deepEqual(once, { email: 'j***@acme.com', ssn: '***-**-8714', phone: '+* (***) ***-**72', card_number: '**** **** **** 1111', iban: '**** **** **** **** **30 00', mrn: '***-****3456', national_id: '*****678Z', mobile: '********72' });
  assert.deepEqual(partialAll.maskValueSync(once).value, once);
  assert.deepEqual(plain.maskValueSync(once).value, once);
  assert.equal(plain.maskTextSync(JSON.stringify(once)).text, JSON.stringify(once));
  assert.equal(plain.maskTextSync('email,ssn\nj***@acme.com,***-**-8714\n').text, 'email,ssn\nj***@acme.com,***-**-8714\n');
  for (const [type, v] of Object.entries({ CREDIT_CARD: '378282246310005', PHONE: '+44 20 7946 0958', US_SSN: '536228714', EMAIL: 'ü@bücher.de' })) assert.ok(isPartialOutput(type, partial(type, v)), `${type} ${v}`);
  // Tight: more kept than partial() keeps, a kept character before a `*`, other types, other shapes are masked.
  for (const [field, v] of [
    ['phone', '***-**-8714'], ['phone', '***-***-0172'], ['ssn', '*36-22-8714'], ['ssn', '536-22-8714'], ['card_number', '**** 1111 1111 1111'],
    ['card_number', '4111 **** **** 1111'], ['cvv', '*123'], ['dob', '**/**/1990'], ['first_name', 'J***'], ['email', 'jo***@acme.com'],
    ['email', 'j**@acme.com'], ['email', 'j***@acme'], ['email', '****@acme.com'], ['email', 'j***@acme.com x'], ['ssn', '***-**-8714 or 536-22-8714'],
    ['iban', '**** **** **** **** **30 00 DE89'], ['national_id', '*****678Zx'], ['phone', '***72 ext'],
  ]) {
    assert.notEqual(plain.maskValueSync({ [field]: v }).value[field], v, `${field}: ${v}`);
  }
  assert.equal(isPartialOutput('PERSON', '****'), false);
  assert.equal(isPartialOutput('US_SSN', '1234'), false);
});

test('a placeholder under a field rule stays, so missing can be told from present (F5)', async () => {
  const { createMasker } = await import('./engine.js');
  const m = createMasker();
  assert.equal(m.maskTextSync('id,name,email,phone,ssn,dob\n1,N/A,none,unknown,-,NULL\n').text, 'id,name,email,phone,ssn,dob\n1,N/A,none,unknown,-,NULL\n');
  const empty = { email: 'none', phone: 'unknown', ssn: '-', dob: 'NULL', address: 'n/a', first_name: 'TBD', last_name: 'Unknown', full_name: 'N/A', iban: '<none>', card_number: '(none)', cvv: '***', mrn: '--', surname: 'NaN', national_id: 'redacted', street: 'nil', dni: '\\N', zip_dob: 'na', billing_first_name: 'NA' };
  assert.deepEqual(m.maskValueSync(empty).value, empty);
  assert.equal(m.maskTextSync(JSON.stringify(empty)).text, JSON.stringify(empty));
  assert.equal(m.maskTextSync('Echo: {"email": "none", "ssn": "-", "first_name": "TBD"}').text, 'Echo: {"email": "none", "ssn": "-", "first_name": "TBD"}');
  // Not placeholders: real values, a placeholder word inside a value, the given names Nan and Nat.
  const real = { email: 'none@example.com', first_name: 'Nan', last_name: 'nat', ssn: '536-22-8714', dob: '1990-01-02', address: 'None of 12 Main St', phone: 'unknown 4155550172', street: 'n/a-1' };
  const out = m.maskValueSync(real).value as Record<string, string>;
  for (const k of Object.keys(real)) assert.notEqual(out[k], real[k as keyof typeof real], k);
});
