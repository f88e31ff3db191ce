import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_PHONE_CONTEXT, notPhoneContext, RUN, runEnd } from './numbers.js';
import { wordPass } from '../words.js';

// The number scanner finds runs by hand (runEnd) instead of with RUN: both must give the same matches, in the same
// order, on any text (a global search, resuming after each match).
function byRegex(s: string): string {
  const out: string[] = [];
  const re = new RegExp(RUN.source, 'g');
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(`${m.index}-${m.index + m[0].length}`);
  return out.join(' ');
}
function byHand(s: string): string {
  const cu = Uint16Array.from(s, (ch) => ch.charCodeAt(0));
  const out: string[] = [];
  for (let p = 0; p < s.length; ) {
    const q = runEnd(cu, p, s.length);
    if (q < 0) p++;
    else (out.push(`${p}-${q}`), (p = q));
  }
  return out.join(' ');
}

test('runEnd finds exactly the matches of the run pattern', () => {
  let seed = 11;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const alphabet = ['0', '1', '5', '9', '0', '3', ' ', '.', '/', '-', '(', ')', '+', 'a', 'x', '\n', '  ', ') ', ')-', ' (', '+4', '(0'];
  for (let i = 0; i < 60_000; i++) {
    let s = '';
    for (let j = rnd(40); j > 0; j--) s += alphabet[rnd(alphabet.length)];
    assert.equal(byHand(s), byRegex(s), JSON.stringify(s));
  }
  for (const s of ['+44 20 7946 0958', '(555) 123-4567', '4111 1111 1111 1111', '1-(2)-3', '12 (34) 5678', '+(12) 3456789', '2025-03-01', '1 . 2345678', '123456', '1234567']) {
    assert.equal(byHand(s), byRegex(s), s);
  }
});

test('notPhoneContext answers as the not-a-phone pattern', () => {
  let seed = 5;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = ['order', 'no', 'no.', 'id', 'invoice', 'inv', 'po', 'port', '#', ':', '=', ' ', '  ', '\n', '\t', '\u00a0', '$', '€', '£', 'x', 'a', 'call', 'phone', 'sku', 'ref', 'reference', 'total', 'usd', '.', ',', 'n', 'o'];
  for (let i = 0; i < 60_000; i++) {
    let b = '';
    for (let j = rnd(8); j > 0; j--) b += parts[rnd(parts.length)];
    assert.equal(notPhoneContext(b), NOT_PHONE_CONTEXT.test(b), JSON.stringify(b));
  }
});

test('the word pass stretches hold every run of 7 or more the run pattern finds in the whole text', () => {
  let seed = 23;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const alphabet = ['0', '1', '5', '9', ' ', '  ', '.', '/', '-', '(', ')', '+', 'a', 'Ab', 'x ', '\n', ') ', ' (', '+4', '(0', 'é', "O'", '12 ', ' 3'];
  for (let i = 0; i < 60_000; i++) {
    let s = '';
    for (let j = rnd(50); j > 0; j--) s += alphabet[rnd(alphabet.length)];
    const want = byRegex(s).split(' ').filter((m) => m !== '' && +m.split('-')[1] - +m.split('-')[0] >= 7);
    const w = wordPass(s, {});
    const cu = Uint16Array.from(s, (ch) => ch.charCodeAt(0));
    const got: string[] = [];
    for (let r = 0; r < w.nNum; r++) {
      for (let p = w.numS[r]; p < w.numE[r]; ) {
        const q = runEnd(cu, p, w.numE[r]);
        if (q < 0) p++;
        else (q - p >= 7 && got.push(`${p}-${q}`), (p = q));
      }
    }
    assert.deepEqual(got, want, JSON.stringify(s));
  }
});
