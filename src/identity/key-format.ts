import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Key string: `cs_<id>_<secret>`. The id is public (listed, logged, used to revoke); the secret is 43 base62
// characters (~256 bits). `_` separates the parts and appears in neither, so parsing is unambiguous.
export const KEY_PREFIX = 'cs_';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_LENGTH = 43; // 43 * log2(62) ≈ 256 bits
const GENERATED_ID_LENGTH = 12; // ≈ 71 bits: unguessable enough to not collide; it is not a secret
/** Ids people choose: letters, digits and `-`, 3 to 64 characters, starting with a letter or digit. */
export const KEY_ID_RE = /^[A-Za-z0-9][A-Za-z0-9-]{2,63}$/;
const KEY_RE = /^cs_([A-Za-z0-9][A-Za-z0-9-]{2,63})_([A-Za-z0-9]{43})$/;

/**
 * Uniformly random base62 text from the system CSPRNG (rejection sampling: bytes ≥ 248 are dropped so every
 * character is equally likely).
 *
 * @example randomBase62(43) // 'q3Vb…' (43 characters)
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b >= 248) continue;
      out += BASE62[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A fresh public key id. */
export function newKeyId(): string {
  return randomBase62(GENERATED_ID_LENGTH);
}

/** A fresh key string for this id. */
export function newKeyString(id: string): string {
  return `${KEY_PREFIX}${id}_${randomBase62(SECRET_LENGTH)}`;
}

/**
 * Split a key string into its public id, or `undefined` when it is not shaped like a Countersign key.
 *
 * @example parseKeyString('cs_ab12cd34ef56_' + 'x'.repeat(43)) // { id: 'ab12cd34ef56' }
 */
export function parseKeyString(key: string): { id: string } | undefined {
  const m = KEY_RE.exec(key);
  return m ? { id: m[1] } : undefined;
}

/** SHA-256 (hex) of the whole key string: what the store keeps. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compare two hex digests in constant time (for equal lengths; unequal lengths are simply unequal). */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
