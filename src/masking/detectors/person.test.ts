import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCue, hasCueSlow, isParticle, KEY_BEFORE, keyBefore } from './person.js';

// PERSON reads three things by code unit that were sliced and matched before: the cue before a word (hasCue, against
// the sliced, lower-cased, trimmed text), the key before a value (keyBefore, against KEY_BEFORE) and the particle
// between two name words (isParticle, against the particle set on the trimmed slice). Each must agree with what it
// replaces on generated text aimed at it, beyond ASCII included (İ lower-cases to two code units, K to k).
let seed = 20261122;
const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
const gen = (parts: string[], max: number) => {
  let s = '';
  for (let j = rnd(max); j > 0; j--) s += parts[rnd(parts.length)];
  return s;
};

test('hasCue agrees with the sliced, lower-cased text', () => {
  const parts = ['my name is', 'Name Is', 'I AM', "i'm", 'hi', 'Hello', 'dear', 'thank you', 'by', 'with', 'attn:', 'cc:', 'from:', 'to:', 'and', ',', 'is',
    'last name?', 'ex-zombie', 'son', ' ', '  ', '\t', '\n', '\u00a0', 'x', 'Z', 'a', 'İ', 'K', 'é', 'Ä', 'ß', '\u2028', 'name', 'ask ', 'for', 'called', 'said'];
  let yes = 0;
  for (let i = 0; i < 150_000; i++) {
    const text = gen(parts, 10) + 'Ann';
    const start = text.length - 3;
    const want = hasCueSlow(text, Math.max(0, start - 24), start);
    assert.equal(hasCue(text, Uint16Array.from(text, (ch) => ch.charCodeAt(0)), start), want, JSON.stringify(text));
    if (want) yes++;
  }
  assert.ok(yes > 20_000, `${yes} cues`);
});

test('keyBefore is the key KEY_BEFORE captures', () => {
  const parts = ['city', 'Country', 'home_town', 'x', '"', "'", ':', '=', ' ', '  ', '\t', '\u00a0', '-', '1', 'é', 'key', ': "', '= \'', '"city": "', '{'];
  let keys = 0;
  for (let i = 0; i < 150_000; i++) {
    const text = gen(parts, 14) + 'Lisbon';
    const start = text.length - 6;
    const m = KEY_BEFORE.exec(text.slice(Math.max(0, start - 40), start));
    assert.equal(keyBefore(text, start), m ? m[1] : '', JSON.stringify(text));
    if (m) keys++;
  }
  assert.ok(keys > 20_000, `${keys} keys`);
});

test('isParticle is the particle set on the trimmed slice', () => {
  const particles = new Set(['van', 'de', 'der', 'den', 'von', 'da', 'di', 'del', 'della', 'la', 'le', 'du', 'bin', 'ibn', 'al', 'ben', 'dos', 'das', 'y', 'ter', 'ten', 'zu', 'af']);
  const parts = ['van', 'de', 'r', 'n', 'della', 'y', 'a', 'l', 'D', 'É', ' ', '\u00a0', '\t', 'zu', 'af', 'x', '\ufeff'];
  for (let i = 0; i < 150_000; i++) {
    const inner = gen(parts, 5);
    const text = 'Ann ' + inner + ' Bo';
    const cu = Uint16Array.from(text, (ch) => ch.charCodeAt(0));
    assert.equal(isParticle(cu, 3, 4 + inner.length + 1), particles.has(text.slice(3, 4 + inner.length + 1).trim()), JSON.stringify(inner));
  }
});
