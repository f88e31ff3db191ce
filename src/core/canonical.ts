import * as crypto from 'node:crypto';

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped.
 * Two structurally equal values always give the same string, so their SHA-256 is a stable digest.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  // Strings are built with += (no per-level arrays, map or join): this runs for every audit event and action digest.
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) s += ',';
      const v: unknown = value[i];
      s += v === undefined ? 'null' : canonicalJson(v);
    }
    return s + ']';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let s = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (s.length > 1) s += ',';
    s += JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return s + '}';
}

// One-shot `crypto.hash` (Node ≥ 20.12) skips the Hash object and its stream state: about a third cheaper for the
// short texts hashed on every action (digest, audit chain). Older Node 20 releases use createHash.
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

/** Hex SHA-256 of a string or bytes. */
export const sha256Hex: (data: string | Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'hex')
  : (data) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * True when `value` nests arrays and objects more than `max` levels deep (a scalar is depth 0, `{}` depth 1). Walks
 * with its own stack, so a hostile value cannot overflow the call stack here — the recursive encoders
 * (`canonicalJson`, `JSON.stringify`) would.
 *
 * @example nestedDeeperThan({ a: [{ b: 1 }] }, 2) // true: three levels
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}
