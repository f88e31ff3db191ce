import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../core/canonical.js';
import { CountersignError } from '../core/errors.js';
import type { AuditCheckpoint } from '../store/types.js';

/** Signs audit checkpoints (Ed25519). */
export interface AuditSigner {
  /** Short fingerprint of the public key, stored in each checkpoint. */
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** Base64url Ed25519 signature over canonical({seq, hash, at, keyId}). */
  signCheckpoint(cp: Omit<AuditCheckpoint, 'signature' | 'keyId'>): AuditCheckpoint;
  /**
   * Base64url Ed25519 signature over `ticketPayload(purpose, body)`: something a gateway hands out and any gateway
   * with the same key checks later (verifyTicketSignature), never confusable with a checkpoint's signature.
   */
  signTicket(purpose: string, body: string): string;
}

/** The bytes a ticket signature covers: a purpose line, then the body. A checkpoint payload is canonical JSON (`{`). */
export function ticketPayload(purpose: string, body: string): Buffer {
  return Buffer.from(`countersign-ticket:${purpose}\n${body}`);
}

/** Whether `signature` (base64url) is `publicKey`'s signature of the ticket `body` for `purpose`. */
export function verifyTicketSignature(purpose: string, body: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, ticketPayload(purpose, body), publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows. (RFC 8410)
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
// SPKI DER header of an Ed25519 public key; the 32 raw bytes follow.
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function rawPublic(pub: KeyObject): Buffer {
  return pub.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

/** Key id of a public key: the first 16 base64url characters of SHA-256 over the raw 32-byte key. */
export function auditKeyId(pub: KeyObject): string {
  return createHash('sha256').update(rawPublic(pub)).digest('base64url').slice(0, 16);
}

/**
 * Parse an Ed25519 private key given as PKCS#8 PEM or as a base64url 32-byte seed (what `audit keygen` prints).
 * Throws CountersignError('CONFIG_INVALID') without echoing the key.
 */
export function parseAuditPrivateKey(text: string): KeyObject {
  const t = text.trim();
  try {
    const key = t.includes('-----BEGIN')
      ? createPrivateKey({ key: t, format: 'pem' })
      : seedKey(Buffer.from(t, 'base64url'));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return key;
  } catch (e) {
    throw new CountersignError('CONFIG_INVALID', 'audit signing key: expected an Ed25519 PKCS#8 PEM or a base64url 32-byte seed', undefined, { cause: e });
  }
}

function seedKey(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error('seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/**
 * Parse a public key for verification: SPKI PEM, base64url raw 32 bytes, or any private key form (its public half).
 *
 * @example verifyAudit(store, { publicKey: parseAuditPublicKey(process.env.COUNTERSIGN_AUDIT_PUBLIC_KEY!) })
 */
export function parseAuditPublicKey(text: string): KeyObject {
  const t = text.trim();
  try {
    if (t.includes('PRIVATE KEY')) return createPublicKey(parseAuditPrivateKey(t));
    if (t.includes('-----BEGIN')) return createPublicKey({ key: t, format: 'pem' });
    const raw = Buffer.from(t, 'base64url');
    if (raw.length !== 32) throw new Error('raw public key must be 32 bytes');
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch (e) {
    throw new CountersignError('CONFIG_INVALID', 'audit public key: expected an Ed25519 SPKI PEM or a base64url 32-byte key', undefined, { cause: e });
  }
}

/** The bytes a checkpoint signature covers. */
export function checkpointPayload(cp: Pick<AuditCheckpoint, 'seq' | 'hash' | 'at' | 'keyId'>): Buffer {
  return Buffer.from(canonicalJson({ seq: cp.seq, hash: cp.hash, at: cp.at, keyId: cp.keyId }));
}

/**
 * A signer from a private key (PEM or base64url seed).
 *
 * @example const signer = createAuditSigner(process.env.COUNTERSIGN_AUDIT_KEY!);
 */
export function createAuditSigner(privateKey: string | KeyObject): AuditSigner {
  const priv = typeof privateKey === 'string' ? parseAuditPrivateKey(privateKey) : privateKey;
  const publicKey = createPublicKey(priv);
  const keyId = auditKeyId(publicKey);
  return {
    keyId,
    publicKey,
    signCheckpoint(cp) {
      const full = { seq: cp.seq, hash: cp.hash, at: cp.at, keyId };
      return { ...full, signature: sign(null, checkpointPayload(full), priv).toString('base64url') };
    },
    signTicket(purpose, body) {
      return sign(null, ticketPayload(purpose, body), priv).toString('base64url');
    },
  };
}

/**
 * The signer named by the audit config: reads the env var (default COUNTERSIGN_AUDIT_KEY).
 * Missing → CountersignError('SECRET_MISSING').
 *
 * @example const signer = auditSignerFromEnv(config.audit.signing_key_env);
 */
export function auditSignerFromEnv(envName: string, env: NodeJS.ProcessEnv = process.env): AuditSigner {
  const v = env[envName];
  if (!v) throw new CountersignError('SECRET_MISSING', `environment variable ${envName} (audit signing key) is not set; create one with \`countersign audit keygen\``);
  return createAuditSigner(v);
}

/** True when the checkpoint's signature verifies under the public key and its keyId matches that key. */
export function verifyCheckpointSignature(cp: AuditCheckpoint, publicKey: KeyObject): boolean {
  if (cp.keyId !== auditKeyId(publicKey)) return false;
  try {
    return verify(null, checkpointPayload(cp), publicKey, Buffer.from(cp.signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * A new Ed25519 key pair: `privateKey` is the base64url seed to put in the env var, `publicKey` the base64url raw
 * public key (give it to `audit verify --public-key`), `publicKeyPem` the same as SPKI PEM.
 *
 * @example const { privateKey, publicKey, keyId } = generateAuditKeyPair();
 */
export function generateAuditKeyPair(): { privateKey: string; publicKey: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
  return {
    privateKey: Buffer.from(seed).toString('base64url'),
    publicKey: rawPublic(publicKey).toString('base64url'),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: auditKeyId(publicKey),
  };
}

/** Base64url raw public key of a signer (for printing). */
export function publicKeyText(pub: KeyObject): string {
  return rawPublic(pub).toString('base64url');
}
