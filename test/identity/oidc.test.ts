// OIDC against a real provider (oidc-provider) issuing real signed tokens through an authorization-code flow.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { FakeClock, systemClock, type Clock } from '../../src/core/clock.js';
import { CountersignError } from '../../src/core/errors.js';
import { createApiKey } from '../../src/identity/api-keys.js';
import { createAuthenticator } from '../../src/identity/authenticator.js';
import { identityConfigSchema, type IdentityConfigInput } from '../../src/identity/config.js';
import { MemoryKeyStore } from '../../src/identity/memory-key-store.js';
import { principalFromRequest } from '../../src/identity/request.js';
import { startOidcProvider, type RunningOidcProvider } from '../support/oidc.js';

let idp: RunningOidcProvider;
let other: RunningOidcProvider;
before(async () => {
  [idp, other] = await Promise.all([
    startOidcProvider({
      accounts: {
        alice: { email: 'alice@example.com', name: 'Alice', groups: ['dba', 'eng'] },
        dave: { email: 'dave@example.com', groups: [] },
        mallory: { email: 'ceo@example.com', groups: ['admins'], emailVerified: false },
      },
    }),
    startOidcProvider(),
  ]);
});
after(async () => {
  await Promise.all([idp?.stop(), other?.stop()]);
});

function authFor(oidc: Partial<NonNullable<NonNullable<IdentityConfigInput>['oidc']>> = {}, clock: Clock = systemClock, fetchImpl?: typeof fetch) {
  const config = identityConfigSchema.parse({ oidc: { ...idp.oidcConfig, ...oidc } });
  return createAuthenticator({ config, keys: new MemoryKeyStore(), clock, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
}

/** Rejects with this code, and the message never carries the token. */
function rejectsWith(p: Promise<unknown>, code: string, token: string, message?: RegExp) {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CountersignError, String(e));
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    for (const part of token.split('.')) if (part.length > 8) assert.ok(!e.message.includes(part), 'the message must not echo the token');
    return true;
  });
}

test('a real ID token → human principal with email id, name and groups (keys found by discovery)', async () => {
  const token = await idp.tokenFor('alice');
  const auth = authFor();
  // The token's expiry travels with the principal: an action after it is refused (AUTH_EXPIRED), held ones too.
  const exp = (decodeJwt(token).exp as number) * 1000;
  assert.deepEqual(await auth.authenticate(token), { id: 'alice@example.com', type: 'human', name: 'Alice', groups: ['dba', 'eng'], authMethod: 'oidc', expiresAt: exp });
  assert.deepEqual(await principalFromRequest(auth, { authorization: `Bearer ${token}` }), await auth.authenticate(token));
});

test('a real JWT access token (resource indicator) → same person; other claim names are configurable', async () => {
  const token = await idp.tokenFor('alice', { kind: 'access' });
  assert.equal(decodeProtectedHeader(token).typ, 'at+jwt');
  assert.equal(decodeJwt(token).aud, idp.apiAudience);
  const exp = (decodeJwt(token).exp as number) * 1000;
  assert.deepEqual(await authFor().authenticate(token), { id: 'alice@example.com', type: 'human', name: 'Alice', groups: ['dba', 'eng'], authMethod: 'oidc', expiresAt: exp });
  const bySub = await authFor({ id_claim: 'sub', groups_claim: 'nope', name_claim: 'nope' }).authenticate(token);
  assert.deepEqual(bySub, { id: 'alice', type: 'human', groups: [], authMethod: 'oidc', expiresAt: exp });
});

test('a person with no groups gets none; an unverified email is refused as an identity', async () => {
  const auth = authFor();
  assert.deepEqual((await auth.authenticate(await idp.tokenFor('dave'))).groups, []);
  const m = await idp.tokenFor('mallory');
  await rejectsWith(auth.authenticate(m), 'AUTH_INVALID', m, /email is not verified/);
  assert.equal((await authFor({ id_claim: 'sub' }).authenticate(m)).id, 'mallory', 'by sub it is fine');
});

test('wrong audience and wrong issuer → AUTH_INVALID naming the problem', async () => {
  const token = await idp.tokenFor('alice');
  await rejectsWith(authFor({ audience: 'someone-else' }).authenticate(token), 'AUTH_INVALID', token, /audience must be "someone-else"/);
  // Same keys (jwks_uri given), but the gateway trusts another issuer: the iss check alone must refuse it.
  await rejectsWith(authFor({ issuer: 'https://login.example.com', jwks_uri: idp.jwksUri }).authenticate(token), 'AUTH_INVALID', token, /not issued by "https:\/\/login\.example\.com"/);
  // A token from another real provider: different issuer and keys.
  const foreign = await other.tokenFor('bob');
  await rejectsWith(authFor({ jwks_uri: idp.jwksUri }).authenticate(foreign), 'AUTH_INVALID', foreign);
});

test('expired → AUTH_EXPIRED; inside the clock tolerance still valid; not yet valid → AUTH_INVALID', async () => {
  const token = await idp.tokenFor('alice');
  const { exp, iat } = decodeJwt(token) as { exp: number; iat: number };
  const at = (s: number) => new FakeClock(s * 1000);
  assert.equal((await authFor({ clock_tolerance: 30 }, at(exp + 20)).authenticate(token)).id, 'alice@example.com');
  await rejectsWith(authFor({ clock_tolerance: 30 }, at(exp + 31)).authenticate(token), 'AUTH_EXPIRED', token, /expired at/);
  await rejectsWith(authFor({ clock_tolerance: 0 }, at(exp + 1)).authenticate(token), 'AUTH_EXPIRED', token);
  await rejectsWith(authFor({ clock_tolerance: 0 }, at(iat - 3600)).authenticate(token), 'AUTH_INVALID', token, /iat/);
});

test('tampered payload, tampered signature, alg none → AUTH_INVALID', async () => {
  const token = await idp.tokenFor('alice');
  const [h, p, s] = token.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  const escalated = `${h}.${Buffer.from(JSON.stringify({ ...payload, groups: ['admins'] })).toString('base64url')}.${s}`;
  const sig = Buffer.from(s, 'base64url');
  sig[10] ^= 1;
  const flipped = `${h}.${p}.${sig.toString('base64url')}`;
  const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
  const auth = authFor();
  await rejectsWith(auth.authenticate(escalated), 'AUTH_INVALID', escalated, /signature does not verify/);
  await rejectsWith(auth.authenticate(flipped), 'AUTH_INVALID', flipped, /signature does not verify/);
  await rejectsWith(auth.authenticate(none), 'AUTH_INVALID', none);
});

test('a look-alike token signed by another key → AUTH_INVALID, whether it reuses the kid or not', async () => {
  const claims = decodeJwt(await idp.tokenFor('alice'));
  const { privateKey } = await generateKeyPair('RS256');
  const sameKid = await new SignJWT({ ...claims, groups: ['admins'] }).setProtectedHeader({ alg: 'RS256', kid: idp.signingKey.kid }).sign(privateKey);
  const newKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'attacker' }).sign(privateKey);
  const auth = authFor();
  await rejectsWith(auth.authenticate(sameKid), 'AUTH_INVALID', sameKid, /signature does not verify/);
  await rejectsWith(auth.authenticate(newKid), 'AUTH_INVALID', newKid, /key the provider does not publish/);
});

test('discovery and keys are fetched once and cached across tokens (through the injected fetch)', async () => {
  const seen: string[] = [];
  const counting = ((url: string | URL | Request, init?: RequestInit) => {
    seen.push(new URL(String(url)).pathname);
    return fetch(url, init);
  }) as typeof fetch;
  const auth = authFor({}, systemClock, counting);
  const [a, b] = await Promise.all([idp.tokenFor('alice'), idp.tokenFor('dave')]);
  await auth.authenticate(a);
  await auth.authenticate(b);
  await auth.authenticate(a);
  assert.deepEqual(seen, ['/.well-known/openid-configuration', '/jwks']);
});

test('an unreachable or lying provider fails closed as UPSTREAM_UNAVAILABLE, and recovers', async () => {
  const token = await idp.tokenFor('alice');
  // A port nobody listens on.
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const dead = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  await new Promise<void>((r) => srv.close(() => r()));
  await rejectsWith(authFor({ issuer: dead }).authenticate(token), 'UPSTREAM_UNAVAILABLE', token, /discovery/);
  await rejectsWith(authFor({ jwks_uri: `${dead}/jwks` }).authenticate(token), 'UPSTREAM_UNAVAILABLE', token);
  // The discovery document must be for the configured issuer (here: a trailing slash makes it another issuer).
  await rejectsWith(authFor({ issuer: `${idp.issuer}/` }).authenticate(token), 'UPSTREAM_UNAVAILABLE', token, /is for issuer/);

  // Discovery failing once is retried on the next request.
  let fail = true;
  const flaky = ((url: string | URL | Request, init?: RequestInit) => (fail ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init))) as typeof fetch;
  const auth = authFor({}, systemClock, flaky);
  await rejectsWith(auth.authenticate(token), 'UPSTREAM_UNAVAILABLE', token);
  fail = false;
  assert.equal((await auth.authenticate(token)).id, 'alice@example.com');
});

test('one authenticator, three methods side by side', async () => {
  const keys = new MemoryKeyStore();
  const config = identityConfigSchema.parse({ oidc: idp.oidcConfig, static_tokens: [{ token_env: 'CS_DEV', id: 'dev', type: 'human', groups: ['dba'] }] });
  const auth = createAuthenticator({ config, keys, clock: systemClock, env: { CS_DEV: 'local-dev-token-1234' } });
  const { key } = await createApiKey(keys, { principalId: 'agent:ci', type: 'agent', groups: ['ci'], onBehalfOf: 'alice@example.com' }, systemClock);
  assert.equal((await auth.authenticate(key)).authMethod, 'api_key');
  assert.equal((await auth.authenticate(await idp.tokenFor('alice'))).authMethod, 'oidc');
  assert.equal((await auth.authenticate('local-dev-token-1234')).authMethod, 'static');
});

test('the test provider: unknown accounts are refused, accounts added while running get tokens', async () => {
  await assert.rejects(idp.tokenFor('nobody'), /no account "nobody"/);
  idp.accounts.erin = { email: 'erin@example.com', groups: ['oncall', 'dba'] };
  const p = await authFor().authenticate(await idp.tokenFor('erin', { kind: 'access' }));
  assert.deepEqual([p.id, p.groups], ['erin@example.com', ['oncall', 'dba']]);
});

test('the email claim is taken in canonical form (lower case, no surrounding space); a sub keeps its case', async () => {
  idp.accounts.Frank = { email: ' Frank.Miller@Example.COM', groups: [] };
  const token = await idp.tokenFor('Frank');
  assert.equal((await authFor().authenticate(token)).id, 'frank.miller@example.com');
  assert.equal((await authFor({ id_claim: 'sub' }).authenticate(token)).id, 'Frank');
});
