import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../core/clock.js';
import { CountersignError } from '../core/errors.js';
import { createApiKey } from './api-keys.js';
import { createAuthenticator, credentialKind, MAX_CREDENTIAL_LENGTH } from './authenticator.js';
import { identityConfigSchema } from './config.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { groupsFromClaim, readClaim } from './oidc.js';
import { credentialFromHeaders, principalFromRequest } from './request.js';
import { loadStaticTokens } from './static-tokens.js';

const code = (c: string) => (e: unknown) => e instanceof CountersignError && e.code === c;
const DEV = 'dev-token-0123456789abcdef';
const env = { DEV_TOKEN: DEV, BOT_TOKEN: 'bot-token-0123456789abcdef' };
const config = identityConfigSchema.parse({
  static_tokens: [
    { token_env: 'DEV_TOKEN', id: 'dev@example.com', type: 'human', name: 'Dev', groups: ['dba'] },
    { token_env: 'BOT_TOKEN', id: 'agent:local', type: 'agent', on_behalf_of: 'dev@example.com' },
  ],
});

test('config: defaults, and strictness', () => {
  const empty = identityConfigSchema.parse(undefined);
  assert.deepEqual(empty, { api_keys: { track_last_used: true }, static_tokens: [] });
  const oidc = identityConfigSchema.parse({ oidc: { issuer: 'https://id.example.com', audience: ['countersign', 'urn:api'] } }).oidc;
  assert.equal(oidc?.groups_claim, 'groups');
  assert.equal(oidc?.id_claim, 'email');
  assert.equal(oidc?.clock_tolerance, 30);
  assert.ok(oidc?.algorithms.includes('RS256'));
  assert.equal(identityConfigSchema.safeParse({ oidc: { issuer: 'not a url', audience: 'x' } }).success, false);
  assert.equal(identityConfigSchema.safeParse({ oidc: { issuer: 'https://x', audience: 'x', algorithms: ['HS256'] } }).success, false, 'no shared-secret algorithms');
  assert.equal(identityConfigSchema.safeParse({ static_tokens: [{ token_env: 'X', id: 'a', type: 'agent', token: 'literal' }] }).success, false);
});

test('credential shapes pick the method', () => {
  assert.equal(credentialKind(`cs_abcd_${'a'.repeat(43)}`), 'api_key');
  assert.equal(credentialKind('cs_whatever'), 'api_key');
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k' })).toString('base64url');
  assert.equal(credentialKind(`${header}.e30.sig`), 'jwt');
  assert.equal(credentialKind('abc.def.ghi'), 'static', 'three parts whose header is not JSON with alg is no JWT');
  assert.equal(credentialKind(DEV), 'static');
});

test('static tokens: match in constant time, principal with authMethod static; bad setups fail at startup', () => {
  const t = loadStaticTokens(config.static_tokens, env);
  assert.equal(t.size, 2);
  assert.deepEqual(t.match(DEV), { id: 'dev@example.com', type: 'human', name: 'Dev', groups: ['dba'], authMethod: 'static' });
  assert.deepEqual(t.match(env.BOT_TOKEN), { id: 'agent:local', type: 'agent', groups: [], onBehalfOf: 'dev@example.com', authMethod: 'static' });
  assert.equal(t.match(DEV + 'x'), undefined);
  assert.equal(t.match(''), undefined);
  const one = (v: string | undefined) => () => loadStaticTokens([{ token_env: 'T', id: 'a', type: 'agent', groups: [] }], { T: v });
  assert.throws(one(undefined), code('SECRET_MISSING'));
  assert.throws(one('short'), code('CONFIG_INVALID'));
  assert.throws(one(`cs_${'a'.repeat(20)}`), code('CONFIG_INVALID'));
  assert.throws(one('aaaaaaaa.bbbbbbbb.cccccccc'), code('CONFIG_INVALID'));
  assert.throws(() => loadStaticTokens(config.static_tokens, { DEV_TOKEN: DEV, BOT_TOKEN: DEV }), code('CONFIG_INVALID'));
  assert.throws(() => createAuthenticator({ config, keys: new MemoryKeyStore(), clock: new FakeClock(), env: {} }), code('SECRET_MISSING'));
  // Every problem in one error, so an operator fixes them in one go.
  const three = ['T1', 'T2', 'T3'].map((token_env) => ({ token_env, id: 'a', type: 'agent' as const, groups: [] }));
  assert.throws(
    () => loadStaticTokens(three, { T1: 'short', T2: 'aaaaaaaa.bbbbbbbb.cccccccc', T3: `cs_${'a'.repeat(20)}` }),
    (e: unknown) => code('CONFIG_INVALID')(e) && (e as Error).message.split('; ').length === 3 && /\[0\] \(T1\).*\[1\] \(T2\).*\[2\] \(T3\)/.test((e as Error).message),
  );
  assert.throws(() => loadStaticTokens(three, { T1: 'short', T3: 'x'.repeat(20) }), (e: unknown) => code('SECRET_MISSING')(e) && /T1\): the token must be at least 16.*T2\): environment variable T2 is not set/.test((e as Error).message));
});

test('authenticator: API key, static token, garbage, JWT without OIDC, oversize', async () => {
  const keys = new MemoryKeyStore();
  const clock = new FakeClock();
  const auth = createAuthenticator({ config, keys, clock, env });
  const { key, stored } = await createApiKey(keys, { principalId: 'agent:ci', type: 'agent', groups: ['ci'], onBehalfOf: 'alice@example.com' }, clock);
  assert.deepEqual(await auth.authenticate(key), { id: 'agent:ci', type: 'agent', groups: ['ci'], onBehalfOf: 'alice@example.com', authMethod: 'api_key', keyId: stored.id });
  assert.equal((await auth.authenticate(DEV)).authMethod, 'static');
  await assert.rejects(auth.authenticate('not-a-known-token-at-all'), (e: unknown) => code('AUTH_INVALID')(e) && !(e as Error).message.includes('not-a-known'));
  await assert.rejects(auth.authenticate(`cs_unknown_${'a'.repeat(43)}`), code('AUTH_INVALID'));
  const header = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url');
  await assert.rejects(auth.authenticate(`${header}.e30.c2ln`), (e: unknown) => code('AUTH_INVALID')(e) && /OIDC is not configured/.test((e as Error).message));
  await assert.rejects(auth.authenticate('x'.repeat(MAX_CREDENTIAL_LENGTH + 1)), code('AUTH_INVALID'));
  await assert.rejects(auth.authenticate(''), code('AUTH_REQUIRED'));
});

test('headers: Bearer (any case), X-Countersign-Key, Headers objects; none → AUTH_REQUIRED; other schemes and conflicts → AUTH_INVALID', async () => {
  assert.equal(credentialFromHeaders({ authorization: `Bearer ${DEV}` }), DEV);
  assert.equal(credentialFromHeaders({ Authorization: `bearer   ${DEV} ` }), DEV);
  assert.equal(credentialFromHeaders({ 'x-countersign-key': 'cs_k' }), 'cs_k');
  assert.equal(credentialFromHeaders(new Headers({ 'X-Countersign-Key': 'cs_k', Authorization: 'Bearer cs_k' })), 'cs_k');
  assert.throws(() => credentialFromHeaders({}), code('AUTH_REQUIRED'));
  assert.throws(() => credentialFromHeaders({ authorization: 'Bearer ' }), code('AUTH_REQUIRED'));
  assert.throws(() => credentialFromHeaders({ authorization: 'Basic dXNlcjpwdw==' }), (e: unknown) => code('AUTH_INVALID')(e) && !(e as Error).message.includes('dXNlcjpwdw'));
  assert.throws(() => credentialFromHeaders({ authorization: 'Bearer a', 'x-countersign-key': 'b' }), code('AUTH_INVALID'));
  assert.throws(() => credentialFromHeaders({ 'x-countersign-key': ['a', 'b'] }), code('AUTH_INVALID'));

  const auth = createAuthenticator({ config, keys: new MemoryKeyStore(), clock: new FakeClock(), env });
  assert.equal((await principalFromRequest(auth, { authorization: `Bearer ${DEV}` })).id, 'dev@example.com');
  await assert.rejects(principalFromRequest(auth, {}), code('AUTH_REQUIRED'));
});

test('groups claim: arrays, space/comma strings, dotted paths; unreadable → AUTH_INVALID', () => {
  assert.deepEqual(groupsFromClaim(['a', 'b', 'a'], 'groups'), ['a', 'b']);
  assert.deepEqual(groupsFromClaim('a b,c , d', 'groups'), ['a', 'b', 'c', 'd']);
  assert.deepEqual(groupsFromClaim(undefined, 'groups'), []);
  assert.deepEqual(groupsFromClaim('', 'groups'), []);
  assert.throws(() => groupsFromClaim([1, 2], 'groups'), code('AUTH_INVALID'));
  assert.throws(() => groupsFromClaim({ a: 1 }, 'groups'), code('AUTH_INVALID'));
  assert.deepEqual(readClaim({ realm_access: { roles: ['x'] } }, 'realm_access.roles'), ['x']);
  assert.deepEqual(readClaim({ 'https://example.com/groups': ['y'] }, 'https://example.com/groups'), ['y']);
  assert.equal(readClaim({ a: 'str' }, 'a.b'), undefined);
});

test('stillValid re-checks a principal made earlier: revoked key → AUTH_INVALID, expired OIDC token → AUTH_EXPIRED; static tokens and live keys pass', async () => {
  const keys = new MemoryKeyStore();
  const clock = new FakeClock();
  const auth = createAuthenticator({ config: identityConfigSchema.parse({ ...config, oidc: { issuer: 'https://idp.example.com', audience: 'countersign', clock_tolerance: 30 } }), keys, clock, env });
  const { key, stored } = await createApiKey(keys, { principalId: 'agent:ci', type: 'agent', groups: ['ci'] }, clock);
  const { key: key2 } = await createApiKey(keys, { principalId: 'agent:ci', type: 'agent', groups: ['ci'] }, clock);
  const p = await auth.authenticate(key);
  const p2 = await auth.authenticate(key2);
  await auth.stillValid(p);
  await keys.revokeKey(stored.id, clock.now());
  await assert.rejects(auth.stillValid(p), (e: unknown) => code('AUTH_INVALID')(e) && /has been revoked/.test((e as Error).message) && !(e as Error).message.includes(key.slice(16)));
  await auth.stillValid(p2); // the same agent's other key is not touched
  await auth.stillValid(await auth.authenticate(DEV)); // static: nothing to revoke
  // A principal that says api_key but names no key (built in code, not by this authenticator) has nothing to re-check.
  await auth.stillValid({ id: 'agent:x', type: 'agent', groups: [], authMethod: 'api_key' });

  const human = { id: 'alice@example.com', type: 'human' as const, groups: [], authMethod: 'oidc' as const, expiresAt: clock.now() + 60_000 };
  await auth.stillValid(human);
  clock.advance(60_000 + 30_000); // exactly at the tolerance: still good
  await auth.stillValid(human);
  clock.advance(1);
  await assert.rejects(auth.stillValid(human), code('AUTH_EXPIRED'));
  // A key store that cannot answer fails closed.
  const broken = createAuthenticator({ config, keys: Object.assign(new MemoryKeyStore(), { getKey: async () => { throw new Error('disk gone'); } }), clock, env });
  await assert.rejects(broken.stillValid(p2), code('STORE_UNAVAILABLE'));
});

test('static tokens: the configured id and on_behalf_of are taken in canonical form (e-mail lower-cased, trimmed)', () => {
  const t = loadStaticTokens([{ token_env: 'T', id: ' Dev@Example.COM', type: 'agent', groups: [], on_behalf_of: 'Alice@Example.com ' }], { T: 'static-token-value-1234' });
  const p = t.match('static-token-value-1234');
  assert.deepEqual([p?.id, p?.onBehalfOf], ['dev@example.com', 'alice@example.com']);
  const agent = loadStaticTokens([{ token_env: 'T', id: 'agent:Dev', type: 'agent', groups: [] }], { T: 'static-token-value-1234' });
  assert.equal(agent.match('static-token-value-1234')?.id, 'agent:Dev', 'a non-e-mail id keeps its case');
});
