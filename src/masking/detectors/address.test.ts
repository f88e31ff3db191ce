import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PLACE, placeAt } from './address.js';

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
