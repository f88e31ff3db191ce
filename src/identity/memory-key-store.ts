import { CountersignError } from '../core/errors.js';
import type { KeyStore, StoredKey } from '../store/types.js';

/**
 * Optional extension of `KeyStore`: record that a key was used. Stores that have it get `lastUsedAt` kept up to
 * date by the authenticator; it must only ever move `lastUsedAt` forward and never touch `revokedAt`.
 */
export interface KeyUsageStore {
  touchKey(id: string, at: number): Promise<void>;
}

/** Does this store record key usage? */
export function hasKeyUsage(store: KeyStore): store is KeyStore & KeyUsageStore {
  return typeof (store as Partial<KeyUsageStore>).touchKey === 'function';
}

/**
 * A KeyStore in memory: for tests, the CLI's in-process tests and single-process demos. Same rules as the durable
 * stores: an id is taken once, revocation is final (a second revoke keeps the first time), copies in and out.
 *
 * @example
 * const keys = new MemoryKeyStore();
 * const { key } = await createApiKey(keys, { principalId: 'agent:ci', type: 'agent', groups: ['ci'] }, systemClock);
 */
export class MemoryKeyStore implements KeyStore, KeyUsageStore {
  private readonly keys = new Map<string, StoredKey>();

  async putKey(key: StoredKey): Promise<void> {
    if (this.keys.has(key.id)) throw new CountersignError('BAD_REQUEST', `an API key with id "${key.id}" already exists`);
    this.keys.set(key.id, structuredClone(key));
  }

  async getKey(id: string): Promise<StoredKey | undefined> {
    const k = this.keys.get(id);
    return k && structuredClone(k);
  }

  async listKeys(): Promise<StoredKey[]> {
    return [...this.keys.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)).map((k) => structuredClone(k));
  }

  async revokeKey(id: string, at: number): Promise<void> {
    const k = this.keys.get(id);
    if (!k) throw new CountersignError('NOT_FOUND', `no API key with id "${id}"`);
    if (k.revokedAt === undefined) k.revokedAt = at;
  }

  async touchKey(id: string, at: number): Promise<void> {
    const k = this.keys.get(id);
    if (k && (k.lastUsedAt === undefined || k.lastUsedAt < at)) k.lastUsedAt = at;
  }

  /** Nothing to release; present so it can stand where a Store is closed after use. */
  async close(): Promise<void> {}
}
