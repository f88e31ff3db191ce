import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameWordsFit, PLACE, placeAt, segmentAt } from './address.js';

// placeAt reads PLACE by code unit: the same match length on any text, surrogates included (left to the pattern).
test('placeAt matches the place pattern', () => {
  let seed = 3;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = ['New', 'York', 'Łódź', 'É', 'é', 'x', 'A', ' ', ' ', '  ', ',', '.', '-', "'", '’', 'İ', 'ǅ', 'Ω', 'ω', '\u0301', '𝐀', '𝐚', '\ud835', '1', '\n', 'Saint', 'St.', "O'Neil", 'ª'];
  for (let i = 0; i < 80_000; i++) {
    let s = '';
    for (let j = rnd(14); j > 0; j--) s += parts[rnd(parts.length)];
    const p = rnd(3) === 0 ? 0 : rnd(s.length + 1);
    const limit = [64, 5, 12][rnd(3)];
    const want = PLACE.exec(s.slice(p, p + limit))?.[0].length ?? 0;
    assert.equal(placeAt(s, p, limit), want, JSON.stringify([s, p, limit]));
  }
});

// nameWordsFit reads the name words of a number–name–number match by code unit; it replaced a split and two patterns.
test('nameWordsFit agrees with the split-and-pattern check', () => {
  let seed = 59;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const words = ['Allika', 'allika', 'Præstevænget', 'præstevænget', 'And', 'and', 'AND', 'Days', 'day', 'Ye', 'ye', 'of', 'Of', 'the', 'Hours', 'Minutes', 'minutes',
    'items', 'Élan', 'élan', 'Ωmega', 'ωmega', "O'Neil", 'st.', 'x', 'Xy', 'ab', 'abc', 'İn', 'ın', 'Kn'];
  const lines = ['', 'Lives here\n', 'no capital here\n', 'A', 'x '];
  for (let i = 0; i < 100_000; i++) {
    const ws: string[] = [];
    for (let j = 1 + rnd(3); j > 0; j--) ws.push(words[rnd(words.length)]);
    const m = `${1 + rnd(99999)} ${ws.join(' ')} ${1 + rnd(999)}`;
    const prefix = lines[rnd(lines.length)];
    const text = prefix + m + ', City';
    const at = prefix.length;
    const lineLower = () => !/\p{Lu}/u.test(text.slice(text.lastIndexOf('\n', at) + 1, at + m.length));
    const want =
      ws.every((w) => /^\p{Lu}/u.test(w) || (lineLower() && w.length > 2)) &&
      !ws.some((w) => /^(?:and|or|of|to|in|on|at|the|for|by|with|from|years?|days?|items?|minutes?|hours?)$/i.test(w));
    assert.equal(nameWordsFit(text, m, at), want, JSON.stringify(text));
  }
});

// segmentAt tries the segment patterns only where their first characters can match; it must give their answer.
test('segmentAt gives the first matching segment pattern', () => {
  const UNIT_SEG = /^(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|Room|Rm\.?|Bldg\.?|Building|#|No\.?)\s?#?\s?\d{1,5}[A-Za-z]?\b/;
  const POSTAL = /^(?:\d{4,6}(?:-\d{4})?|\d{2}-\d{3}|\d{3} \d{2}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})(?![\p{L}\p{N}])/u;
  const STATE = /^[A-Z]{2}(?=[\s,]|$)/;
  let seed = 67;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = ['Apt', 'Apt.', 'Suite', 'Ste', 'Unit', 'Flat', 'Floor', 'Fl.', 'Room', 'Rm', 'Bldg', 'Building', '#', 'No.', 'No', ' ', '#', '1', '12', '123', '1234',
    '-', 'SW1A', ' 1AA', 'NY', 'CA', ',', '\n', 'A', 'Z', 'É', 'é', 'x', 'ab', '𝐀', '9'];
  let hits = 0;
  for (let i = 0; i < 100_000; i++) {
    let text = '';
    for (let j = 1 + rnd(6); j > 0; j--) text += parts[rnd(parts.length)];
    const rest = text.slice(0, 64);
    const m = UNIT_SEG.exec(rest) ?? POSTAL.exec(rest) ?? STATE.exec(rest);
    const want = m ? m[0].length : -1;
    assert.equal(segmentAt(text, 0, text.charCodeAt(0)), want, JSON.stringify(text));
    if (m) hits++;
  }
  assert.ok(hits > 2_000, `${hits} segments`);
});

import { createMasker } from '../engine.js';
const masker = createMasker();
const addressSpans = (text: string) => masker.scanSync(text).filter((f) => f.type === 'ADDRESS').map((f) => text.slice(f.start, f.end));

test('dates with a month name, titles and rooms are not addresses', () => {
  for (const text of ['Meeting on Mon, 01 Jan 2026', 'Date: Tue, 14 Mar 2026 10:22:33 GMT', 'le 2 novembre 1965', 'am 14 Mai 1979', '12 May 2024', 'Thanks Dr. José Núñez', 'Called Dr. Emilie Dubois today', 'Visit St. Louis today', 'Room 412, bed B.', 'Floor 3 is closed', 'Building 7 is closed']) {
    assert.deepEqual(addressSpans(text), [], text);
  }
});

test('streets named Dr or St, and units of a street address, are still addresses', () => {
  assert.deepEqual(addressSpans('15 Oak Dr. Springfield'), ['15 Oak Dr. Springfield']);
  assert.deepEqual(addressSpans('Send it to 15 Oak Dr'), ['15 Oak Dr']);
  assert.deepEqual(addressSpans('Rodeo Dr is nice'), ['Rodeo Dr']);
  assert.deepEqual(addressSpans('12 Mayfair 14'), ['12 Mayfair 14']);
  assert.deepEqual(addressSpans('Room 12, 14 Crown Street'), ['Room 12', '14 Crown Street']);
  assert.deepEqual(addressSpans('Room 412, Springfield, IL 62701'), ['Room 412, Springfield, IL 62701']);
  assert.deepEqual(addressSpans('Apt 5'), ['Apt 5']);
  assert.deepEqual(addressSpans('Building 7, 1600 Amphitheatre Parkway, Mountain View, CA 94043'), ['Building 7, 1600 Amphitheatre Parkway, Mountain View, CA 94043']);
});

test('card terms between numbers are no street: the CVV is not swallowed into the card span', async () => {
  const { createMasker } = await import('../engine.js');
  const m = createMasker();
  assert.equal(m.maskTextSync('Visa 4111 1111 1111 1111 CVV 987').text.startsWith('Visa **** **** **** 1111 CVV'), true);
  assert.equal(m.scanSync('card 4111 1111 1111 1111 exp 12/27 cvc 123').some((f) => f.type === 'ADDRESS'), false);
  assert.equal(m.scanSync('Ship to 1200 Pine 45, Springfield').some((f) => f.type === 'ADDRESS'), true);
});
