import type { Clock } from '../core/clock.js';
import { CountersignError, isCountersignError } from '../core/errors.js';
import { normalizePrincipalId, type Principal } from '../core/identity.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import { KEY_ID_RE, digestsEqual, hashKey, newKeyId, newKeyString, parseKeyString } from './key-format.js';
import { hasKeyUsage } from './memory-key-store.js';

export { KEY_PREFIX, parseKeyString, hashKey } from './key-format.js';

/** What `createApiKey` needs to know about the agent or service the key is for. */
export interface NewApiKey {
  /** Public key id; generated when absent. Letters, digits and `-`, 3 to 64 characters. */
  id?: string;
  /** Principal id the key authenticates as, e.g. `agent:deploy-bot`. */
  principalId: string;
  type: 'agent' | 'service';
  /** Display name. */
  name?: string;
  groups: string[];
  /** The human the agent acts for; they may not approve its requests. */
  onBehalfOf?: string;
}

/** A key as it may be shown: everything but the hash. */
export interface ApiKeyInfo {
  id: string;
  principal: Principal;
  createdAt: number;
  revokedAt?: number;
  lastUsedAt?: number;
}

/** How often `lastUsedAt` is written at most, per key. */
export const LAST_USED_RESOLUTION_MS = 60_000;

async function storeCall<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isCountersignError(e)) throw e;
    throw new CountersignError('STORE_UNAVAILABLE', `the key store failed while ${what}`, undefined, { cause: e });
  }
}

/**
 * Make a new API key. The returned `key` is the only copy of the secret: show it once; the store keeps only its
 * SHA-256 hash.
 *
 * @example
 * const { key, stored } = await createApiKey(store, { principalId: 'agent:ci', type: 'agent', groups: ['ci'] }, systemClock);
 * console.log(key); // cs_4fT0aZ1bq9Lx_…
 */
export async function createApiKey(store: KeyStore, input: NewApiKey, clock: Clock): Promise<{ key: string; stored: StoredKey }> {
  const id = input.id ?? newKeyId();
  if (!KEY_ID_RE.test(id)) throw new CountersignError('BAD_REQUEST', 'an API key id is 3 to 64 letters, digits or "-", starting with a letter or digit', { field: 'id' });
  if (!input.principalId.trim()) throw new CountersignError('BAD_REQUEST', 'an API key needs a principal id', { field: 'principalId' });
  if (input.type !== 'agent' && input.type !== 'service') throw new CountersignError('BAD_REQUEST', 'an API key is for an agent or a service', { field: 'type' });
  if (input.groups.some((g) => typeof g !== 'string' || g.trim() === '')) throw new CountersignError('BAD_REQUEST', 'group names must be non-empty', { field: 'groups' });
  if (input.onBehalfOf !== undefined && !input.onBehalfOf.trim()) throw new CountersignError('BAD_REQUEST', 'onBehalfOf must name a person', { field: 'onBehalfOf' });
  // Surrounding whitespace is refused, not trimmed silently: ' alice@example.com' is a typo the operator should see.
  for (const [field, value] of [['principalId', input.principalId], ['onBehalfOf', input.onBehalfOf]] as const) {
    if (value !== undefined && value !== value.trim()) throw new CountersignError('BAD_REQUEST', `${field} must not start or end with whitespace`, { field });
  }
  if (input.id !== undefined && (await storeCall('looking up a key', () => store.getKey(id)))) {
    throw new CountersignError('BAD_REQUEST', `an API key with id "${id}" already exists`, { field: 'id' });
  }
  const key = newKeyString(id);
  const principal: Principal = {
    id: normalizePrincipalId(input.principalId),
    type: input.type,
    ...(input.name !== undefined ? { name: input.name } : {}),
    groups: [...new Set(input.groups)],
    ...(input.onBehalfOf !== undefined ? { onBehalfOf: normalizePrincipalId(input.onBehalfOf) } : {}),
    authMethod: 'api_key',
  };
  const stored: StoredKey = { id, hash: hashKey(key), principal, createdAt: clock.now() };
  await storeCall('saving a key', () => store.putKey(stored));
  return { key, stored };
}

// Compared against when the id is unknown, so an unknown id costs the same hash-and-compare as a known one.
const NO_SUCH_KEY_HASH = hashKey('cs_none_');

/**
 * Check an API key string and return the principal it stands for. Throws AUTH_INVALID when the key is malformed,
 * unknown, wrong or revoked (the message never repeats the key); STORE_UNAVAILABLE when the store fails.
 *
 * @example
 * const principal = await verifyApiKey(store, 'cs_4fT0aZ1bq9Lx_…', systemClock);
 */
export async function verifyApiKey(store: KeyStore, key: string, clock: Clock, opts: { trackLastUsed?: boolean } = {}): Promise<Principal> {
  const parsed = parseKeyString(key);
  if (!parsed) throw new CountersignError('AUTH_INVALID', 'the API key is malformed (expected cs_<id>_<secret>)');
  const stored = await storeCall('looking up a key', () => store.getKey(parsed.id));
  const matches = digestsEqual(hashKey(key), stored?.hash ?? NO_SUCH_KEY_HASH);
  if (!stored || !matches) throw new CountersignError('AUTH_INVALID', 'the API key is not valid');
  const now = clock.now();
  if (stored.revokedAt !== undefined) {
    throw new CountersignError('AUTH_INVALID', `the API key "${stored.id}" has been revoked`);
  }
  if ((opts.trackLastUsed ?? true) && hasKeyUsage(store) && (stored.lastUsedAt === undefined || now - stored.lastUsedAt >= LAST_USED_RESOLUTION_MS)) {
    // Usage tracking is bookkeeping, not a security decision: a failure here must not turn a valid key away.
    await store.touchKey(stored.id, now).catch(() => undefined);
  }
  // Keys stored before ids were normalised still come out in canonical form (an e-mail in lower case).
  const p = stored.principal;
  return {
    ...p, id: normalizePrincipalId(p.id), ...(p.onBehalfOf !== undefined ? { onBehalfOf: normalizePrincipalId(p.onBehalfOf) } : {}),
    groups: [...p.groups], authMethod: 'api_key', keyId: stored.id,
  };
}

/**
 * Re-check a key verified earlier (its principal carries `keyId`): it must still exist and not be revoked. One read
 * by id, no hashing: the secret was checked when the principal was made, and a stored key's hash never changes.
 * Throws AUTH_INVALID ("has been revoked"), or STORE_UNAVAILABLE when the store fails (fail closed).
 *
 * @example await assertApiKeyActive(store, principal.keyId!); // before running a held action
 */
export async function assertApiKeyActive(store: KeyStore, keyId: string): Promise<void> {
  const stored = await storeCall('looking up a key', () => store.getKey(keyId));
  if (!stored) throw new CountersignError('AUTH_INVALID', `the API key "${keyId}" no longer exists`);
  if (stored.revokedAt !== undefined) throw new CountersignError('AUTH_INVALID', `the API key "${keyId}" has been revoked`);
}

/**
 * Revoke a key by its public id; revocation is final. Throws NOT_FOUND for an unknown id.
 *
 * @example await revokeApiKey(store, '4fT0aZ1bq9Lx', systemClock);
 */
export async function revokeApiKey(store: KeyStore, id: string, clock: Clock): Promise<ApiKeyInfo> {
  const stored = await storeCall('looking up a key', () => store.getKey(id));
  if (!stored) throw new CountersignError('NOT_FOUND', `no API key with id "${id}"`);
  if (stored.revokedAt === undefined) await storeCall('revoking a key', () => store.revokeKey(id, clock.now()));
  const after = await storeCall('looking up a key', () => store.getKey(id));
  return toInfo(after ?? stored);
}

/** Every key, without hashes, oldest first. */
export async function listApiKeys(store: KeyStore): Promise<ApiKeyInfo[]> {
  return (await storeCall('listing keys', () => store.listKeys())).map(toInfo);
}

/** Drop the hash: what may be shown or returned by an API. */
export function toInfo(k: StoredKey): ApiKeyInfo {
  return {
    id: k.id,
    principal: k.principal,
    createdAt: k.createdAt,
    ...(k.revokedAt !== undefined ? { revokedAt: k.revokedAt } : {}),
    ...(k.lastUsedAt !== undefined ? { lastUsedAt: k.lastUsedAt } : {}),
  };
}
