import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ASSIGN, isValueStop, mayAssign } from './secrets.js';

// The secret-assignment detector rules out most keyword hits by code unit (mayAssign) before trying ASSIGN on a
// slice, and ends unquoted values by a table (isValueStop) instead of a class pattern per character: mayAssign must
// hold wherever ASSIGN matches, and isValueStop must agree with the class on every code unit.
test('mayAssign holds wherever the assignment pattern matches', () => {
  let seed = 20261122;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const pieces = [' ', '  ', '\t', '\n', '\u00a0', '\u2028', '"', "'", '`', ':', '=', ':=', '=>', 'is', 'IS', 'Was', 'was set to', 'i', 'w', 'x', 'ı', 'İ', ';', 'a', '1', '        '];
  let matched = 0;
  for (let i = 0; i < 200_000; i++) {
    let s = '';
    for (let j = rnd(12); j > 0; j--) s += pieces[rnd(pieces.length)];
    const at = rnd(3);
    const text = 'k'.repeat(at) + s;
    const m = ASSIGN.exec(text.slice(at, at + 40)) !== null;
    if (m) matched++;
    if (m) assert.ok(mayAssign(text, at), JSON.stringify(s));
  }
  assert.ok(matched > 10_000, `${matched} matches`);
});

test('isValueStop is the class [\\s;,&"\'<>)}\\]] on every code unit', () => {
  const re = /[\s;,&"'<>)}\]]/;
  for (let c = 0; c < 65536; c++) assert.equal(isValueStop(c), re.test(String.fromCharCode(c)), `U+${c.toString(16)}`);
  assert.equal(isValueStop(NaN), false);
});
