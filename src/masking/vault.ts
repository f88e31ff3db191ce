import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { CountersignError } from '../core/errors.js';
import type { TokenStore } from '../store/types.js';

/** Keys derived from the one masking key (HKDF-SHA256), one per purpose. */
export interface MaskingKeys {
  hash: Buffer;
  token: Buffer;
  enc: Buffer;
}

/**
 * Parse the masking key from its environment text (hex or base64, at least 32 bytes) and derive the per-purpose
 * keys. A short or malformed key is refused: no weak key is ever used.
 *
 * @example
 * deriveKeys(parseKey(process.env.COUNTERSIGN_MASKING_KEY!, 'COUNTERSIGN_MASKING_KEY'))
 */
export function parseKey(text: string, envName: string): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0 ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (buf.length < 32) {
    throw new CountersignError('SECRET_MISSING', `${envName} must hold a key of at least 32 bytes (hex or base64); hash and token transforms refuse a weak key`);
  }
  return buf;
}

export function deriveKeys(master: Buffer): MaskingKeys {
  const d = (info: string) => Buffer.from(hkdfSync('sha256', master, 'countersign-masking', info, 32));
  return { hash: d('hash'), token: d('token'), enc: d('enc') };
}

/** Keyed hash of a value: same input and key → same output; 16 hex characters (64 bits). */
export function keyedHash(keys: MaskingKeys, type: string, value: string): string {
  return createHmac('sha256', keys.hash).update(`${type}\0${value}`).digest('hex').slice(0, 16);
}

/** Deterministic token for a value within a scope: `tok_` + 22 base64url characters (128 bits of HMAC). */
export function tokenFor(keys: MaskingKeys, scope: string, type: string, value: string): string {
  return 'tok_' + createHmac('sha256', keys.token).update(`${scope}\0${type}\0${value}`).digest().subarray(0, 16).toString('base64url');
}

/** AES-256-GCM, random 96-bit IV, scope and token bound as additional data. Output: base64url(iv | tag | ciphertext). */
export function seal(keys: MaskingKeys, scope: string, token: string, value: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keys.enc, iv);
  c.setAAD(Buffer.from(`${scope}\0${token}`));
  const ct = Buffer.concat([c.update(value, 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64url');
}

export function open(keys: MaskingKeys, scope: string, token: string, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const d = createDecipheriv('aes-256-gcm', keys.enc, raw.subarray(0, 12));
  d.setAAD(Buffer.from(`${scope}\0${token}`));
  d.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
}

/**
 * A TokenStore in memory: for tests, the CLI and single-process use. Same contract as the SQLite/PostgreSQL
 * stores: idempotent puts (the first ciphertext wins), ciphertext only.
 */
export class MemoryTokenStore implements TokenStore {
  private readonly rows = new Map<string, string>();
  async putToken(scope: string, token: string, ciphertext: string): Promise<void> {
    const k = `${scope}\0${token}`;
    if (!this.rows.has(k)) this.rows.set(k, ciphertext);
  }
  async getToken(scope: string, token: string): Promise<string | undefined> {
    return this.rows.get(`${scope}\0${token}`);
  }
  get size(): number {
    return this.rows.size;
  }
}
