import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, nestedDeeperThan, sha256Hex } from './canonical.js';

/** The first implementation (arrays, map, filter, join), kept as the reference the fast one must equal. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return '[' + value.map((v) => reference(v === undefined ? null : v)).join(',') + ']';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + reference(obj[k])).join(',') + '}';
}

/** A small deterministic generator of awkward JSON-ish values. */
function randomValue(seed: { s: number }, depth = 0): unknown {
  const r = () => ((seed.s = (Math.imul(seed.s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const leaves = [() => null, () => undefined, () => r() < 0.5, () => Math.floor(r() * 1e6) - 5e5, () => r() * 1e-3, () => NaN, () => -Infinity, () => BigInt(Math.floor(r() * 1e9)),
    () => 'tab\\t "quote" \\u2028 é 😀 '.slice(0, Math.floor(r() * 30)), () => new Date(Math.floor(r() * 2e12)), () => () => 1];
  if (depth > 3 || r() < 0.4) return leaves[Math.floor(r() * leaves.length)]!();
  if (r() < 0.5) return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(seed, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(r() * 6); i++) o[['b', 'a', 'é', 'A', '10', '2', '', 'z"k'][Math.floor(r() * 8)]! + i] = randomValue(seed, depth + 1);
  return o;
}

describe('canonicalJson', () => {
  it('sorts keys, drops undefined members, writes no whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, undefined], c: undefined, d: { y: 'x', x: NaN } }), '{"a":[true,null,null],"b":1,"d":{"x":null,"y":"x"}}');
  });

  it('gives exactly what the reference implementation gives, on 20,000 random values', () => {
    const seed = { s: 42 };
    for (let i = 0; i < 20_000; i++) {
      const v = randomValue(seed);
      assert.equal(canonicalJson(v), reference(v));
    }
  });
});

describe('sha256Hex', () => {
  it('equals a streamed SHA-256 for text of any script and for bytes', () => {
    const samples = ['', 'a', 'é — 日本語 🚀', '\u0000\uffff', 'x'.repeat(100_000), ...Array.from({ length: 200 }, (_, i) => String.fromCodePoint(...Array.from({ length: i }, (_, j) => ((i * 7919 + j * 104729) % 0xd7ff) + 1)))];
    for (const s of samples) {
      assert.equal(sha256Hex(s), createHash('sha256').update(s, 'utf8').digest('hex'));
      const bytes = new TextEncoder().encode(s);
      assert.equal(sha256Hex(bytes), createHash('sha256').update(bytes).digest('hex'));
    }
  });
});

describe('nestedDeeperThan', () => {
  it('counts levels of arrays and objects, scalars being depth 0', () => {
    assert.equal(nestedDeeperThan(1, 0), false);
    assert.equal(nestedDeeperThan({}, 0), true);
    assert.equal(nestedDeeperThan({}, 1), false);
    assert.equal(nestedDeeperThan({ a: [{ b: 1 }] }, 2), true);
    assert.equal(nestedDeeperThan({ a: [{ b: 1 }] }, 3), false);
    assert.equal(nestedDeeperThan([1, 'x', null, [[]]], 3), false);
    assert.equal(nestedDeeperThan([1, 'x', null, [[[]]]], 3), true);
  });

  it('walks a value a million levels deep without overflowing the stack', () => {
    let v: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) v = [v];
    assert.equal(nestedDeeperThan(v, 64), true);
    assert.equal(nestedDeeperThan(v, 1_000_000), false);
  });
});
