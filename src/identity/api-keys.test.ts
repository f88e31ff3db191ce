import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../core/clock.js';
import { CountersignError } from '../core/errors.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import { assertApiKeyActive, createApiKey, listApiKeys, revokeApiKey, verifyApiKey, LAST_USED_RESOLUTION_MS } from './api-keys.js';
import { hashKey, parseKeyString, randomBase62 } from './key-format.js';
import { MemoryKeyStore } from './memory-key-store.js';

const code = (c: string) => (e: unknown) => e instanceof CountersignError && e.code === c;

test('a new key has the cs_<id>_<secret> shape, ≥128 random bits, and only its SHA-256 is stored', async () => {
  const store = new MemoryKeyStore();
  const clock = new FakeClock();
  const { key, stored } = await createApiKey(store, { principalId: 'agent:ci', type: 'agent', name: 'CI bot', groups: ['ci', 'ci'], onBehalfOf: 'alice@example.com' }, clock);
  const m = /^cs_([A-Za-z0-9]{12})_([A-Za-z0-9]{43})$/.exec(key);
  assert.ok(m, key);
  assert.ok(43 * Math.log2(62) >= 128);
  assert.equal(stored.id, m[1]);
  assert.equal(stored.hash, hashKey(key));
  assert.match(stored.hash, /^[0-9a-f]{64}$/);
  assert.equal(stored.createdAt, clock.now());
  assert.deepEqual(stored.principal, { id: 'agent:ci', type: 'agent', name: 'CI bot', groups: ['ci'], onBehalfOf: 'alice@example.com', authMethod: 'api_key' });
  const [inStore] = await store.listKeys();
  assert.ok(!JSON.stringify(inStore).includes(m[2]), 'the secret is not in the store');
  assert.deepEqual(parseKeyString(key), { id: m[1] });
  const other = await createApiKey(store, { principalId: 'agent:ci', type: 'agent', groups: [] }, clock);
  assert.notEqual(other.key, key);
  assert.notEqual(other.stored.id, stored.id);
});

test('base62 output is uniform enough: every character appears, nothing else does', () => {
  const s = randomBase62(20_000);
  assert.equal(s.length, 20_000);
  assert.match(s, /^[A-Za-z0-9]+$/);
  assert.equal(new Set(s).size, 62);
});

test('verify: valid key → stored principal; wrong secret, unknown id, garbage → AUTH_INVALID without echoing the key', async () => {
  const store = new MemoryKeyStore();
  const clock = new FakeClock();
  const { key, stored } = await createApiKey(store, { id: 'deploy-bot', principalId: 'service:deploy', type: 'service', groups: ['deployers'] }, clock);
  assert.ok(key.startsWith('cs_deploy-bot_'));
  const p = await verifyApiKey(store, key, clock);
  assert.deepEqual(p, { ...stored.principal, keyId: 'deploy-bot' }, 'the principal names its key (public id), so it can be re-checked later');

  const secret = key.slice('cs_deploy-bot_'.length);
  const flipped = `cs_deploy-bot_${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
  const unknown = `cs_nobody_${secret}`;
  for (const bad of [flipped, unknown, 'cs_', 'cs_deploy-bot', `cs_deploy-bot_${secret}x`, `cs_deploy_bot_${secret}`, 'garbage']) {
    await assert.rejects(verifyApiKey(store, bad, clock), (e: unknown) => {
      assert.ok(e instanceof CountersignError && e.code === 'AUTH_INVALID', String(e));
      assert.ok(!e.message.includes(secret), 'message must not carry the secret');
      return true;
    });
  }
});

test('revoked keys are refused from the moment of revocation; revocation is final and listed', async () => {
  const store = new MemoryKeyStore();
  const clock = new FakeClock();
  const { key, stored } = await createApiKey(store, { principalId: 'agent:a', type: 'agent', groups: [] }, clock);
  const { key: other } = await createApiKey(store, { principalId: 'agent:a', type: 'agent', groups: [] }, clock);
  const p = await verifyApiKey(store, key, clock);
  await assertApiKeyActive(store, p.keyId!);
  clock.advance(1000);
  const info = await revokeApiKey(store, stored.id, clock);
  assert.equal(info.revokedAt, clock.now());
  await assert.rejects(verifyApiKey(store, key, clock), (e: unknown) => e instanceof CountersignError && e.code === 'AUTH_INVALID' && /revoked/.test(e.message));
  // A principal authenticated before the revocation is refused by the re-check, without the secret…
  await assert.rejects(assertApiKeyActive(store, p.keyId!), (e: unknown) => e instanceof CountersignError && e.code === 'AUTH_INVALID' && e.message === `the API key "${stored.id}" has been revoked`);
  // …while another key of the same principal keeps working, and an id that never existed is refused too.
  await assertApiKeyActive(store, (await verifyApiKey(store, other, clock)).keyId!);
  await assert.rejects(assertApiKeyActive(store, 'never-was'), (e: unknown) => e instanceof CountersignError && e.code === 'AUTH_INVALID' && /no longer exists/.test(e.message));
  clock.advance(1000);
  const again = await revokeApiKey(store, stored.id, clock);
  assert.equal(again.revokedAt, info.revokedAt, 'a second revoke keeps the first time');
  await assert.rejects(revokeApiKey(store, 'nope', clock), code('NOT_FOUND'));
  const listed = (await listApiKeys(store)).filter((k) => k.id === stored.id);
  assert.equal(listed.length, 1);
  assert.equal(listed[0].revokedAt, info.revokedAt);
  assert.ok(!('hash' in listed[0]), 'listing never carries the hash');
});

test('lastUsedAt is recorded at most once per resolution window, and can be turned off', async () => {
  const store = new MemoryKeyStore();
  const clock = new FakeClock();
  const { key, stored } = await createApiKey(store, { principalId: 'agent:a', type: 'agent', groups: [] }, clock);
  assert.equal((await store.getKey(stored.id))?.lastUsedAt, undefined);
  await verifyApiKey(store, key, clock);
  const first = clock.now();
  assert.equal((await store.getKey(stored.id))?.lastUsedAt, first);
  clock.advance(LAST_USED_RESOLUTION_MS - 1);
  await verifyApiKey(store, key, clock);
  assert.equal((await store.getKey(stored.id))?.lastUsedAt, first, 'not rewritten inside the window');
  clock.advance(1);
  await verifyApiKey(store, key, clock);
  assert.equal((await store.getKey(stored.id))?.lastUsedAt, clock.now());
  clock.advance(LAST_USED_RESOLUTION_MS * 2);
  await verifyApiKey(store, key, clock, { trackLastUsed: false });
  assert.equal((await store.getKey(stored.id))?.lastUsedAt, clock.now() - LAST_USED_RESOLUTION_MS * 2);
});

test('create validates its input and refuses a taken id', async () => {
  const store = new MemoryKeyStore();
  const clock = new FakeClock();
  await createApiKey(store, { id: 'taken', principalId: 'agent:a', type: 'agent', groups: [] }, clock);
  await assert.rejects(createApiKey(store, { id: 'taken', principalId: 'agent:b', type: 'agent', groups: [] }, clock), code('BAD_REQUEST'));
  await assert.rejects(createApiKey(store, { id: 'has_underscore', principalId: 'agent:b', type: 'agent', groups: [] }, clock), code('BAD_REQUEST'));
  await assert.rejects(createApiKey(store, { principalId: ' ', type: 'agent', groups: [] }, clock), code('BAD_REQUEST'));
  await assert.rejects(createApiKey(store, { principalId: 'x', type: 'human' as 'agent', groups: [] }, clock), code('BAD_REQUEST'));
  await assert.rejects(createApiKey(store, { principalId: 'x', type: 'agent', groups: [''] }, clock), code('BAD_REQUEST'));
  assert.equal((await store.listKeys()).length, 1);
});

test('store failures fail closed as STORE_UNAVAILABLE; a failing usage write does not turn a valid key away', async () => {
  const broken: KeyStore = {
    putKey: async () => { throw new Error('disk full'); },
    getKey: async () => { throw new Error('connection reset'); },
    listKeys: async () => { throw new Error('connection reset'); },
    revokeKey: async () => { throw new Error('connection reset'); },
    touchKey: async () => { throw new Error('connection reset'); },
  };
  const clock = new FakeClock();
  await assert.rejects(createApiKey(broken, { principalId: 'agent:a', type: 'agent', groups: [] }, clock), code('STORE_UNAVAILABLE'));
  await assert.rejects(verifyApiKey(broken, `cs_abcd_${'a'.repeat(43)}`, clock), code('STORE_UNAVAILABLE'));
  await assert.rejects(listApiKeys(broken), code('STORE_UNAVAILABLE'));

  const mem = new MemoryKeyStore();
  const { key } = await createApiKey(mem, { principalId: 'agent:a', type: 'agent', groups: ['g'] }, clock);
  const flaky = Object.assign(Object.create(mem) as MemoryKeyStore, { touchKey: async () => { throw new Error('read-only replica'); } });
  assert.equal((await verifyApiKey(flaky, key, clock)).id, 'agent:a');
});

test('the memory store hands out copies', async () => {
  const store = new MemoryKeyStore();
  const { stored } = await createApiKey(store, { principalId: 'agent:a', type: 'agent', groups: ['g'] }, new FakeClock());
  const got = (await store.getKey(stored.id)) as StoredKey;
  got.principal.groups.push('admin');
  got.revokedAt = undefined;
  assert.deepEqual((await store.getKey(stored.id))?.principal.groups, ['g']);
});

test('create: principal ids in canonical form; surrounding whitespace is refused; verify normalises keys stored before', async () => {
  const store = new MemoryKeyStore();
  const clock = new FakeClock();
  const { key, stored } = await createApiKey(store, { principalId: 'agent:Obo', type: 'agent', groups: [], onBehalfOf: 'Alice@Example.COM' }, clock);
  assert.equal(stored.principal.onBehalfOf, 'alice@example.com');
  assert.equal(stored.principal.id, 'agent:Obo', 'a non-e-mail id keeps its case');
  for (const bad of [' alice@example.com', 'alice@example.com ', '\talice@example.com']) {
    await assert.rejects(createApiKey(store, { principalId: 'agent:x', type: 'agent', groups: [], onBehalfOf: bad }, clock), code('BAD_REQUEST'), JSON.stringify(bad));
    await assert.rejects(createApiKey(store, { principalId: bad, type: 'agent', groups: [] }, clock), code('BAD_REQUEST'), JSON.stringify(bad));
  }
  // A key stored before normalisation (as the old code kept it) authenticates as the canonical principal.
  const old = new MemoryKeyStore();
  await old.putKey({ ...stored, principal: { ...stored.principal, id: 'Svc@Example.com', onBehalfOf: ' Alice@Example.COM' } });
  const p = await verifyApiKey(old, key, clock);
  assert.deepEqual([p.id, p.onBehalfOf], ['svc@example.com', 'alice@example.com']);
});
