// A real OpenID Connect provider (`oidc-provider`) on 127.0.0.1 and a random port, for tests that need real,
// signed tokens for named people with groups. Tokens come out of a real authorization-code flow with PKCE: the
// test plays the browser (cookies, redirects) and the login page (our interaction handler logs in the account named
// by `login_hint` and grants the requested scopes), then redeems the code at the token endpoint.
//
//   const idp = await startOidcProvider({ accounts: { alice: { email: 'alice@example.com', groups: ['dba'] } } });
//   const token = await idp.tokenFor('alice');                    // ID token, aud = idp.audience
//   const at = await idp.tokenFor('alice', { kind: 'access' });   // JWT access token, aud = idp.apiAudience
//   const auth = createAuthenticator({ config: identityConfigSchema.parse({ oidc: idp.oidcConfig }), keys, clock });
//   await idp.stop();
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
// oidc-provider ships no type declarations (it is used untyped here, as `any`).
// @ts-ignore TS7016 — ts-ignore rather than ts-expect-error so that adding @types/oidc-provider later is harmless
import Provider, { errors as oidcErrors } from 'oidc-provider';

export interface OidcAccount {
  email: string;
  groups: string[];
  name?: string;
  /** Default true. Set false to get a token whose email the provider does not vouch for. */
  emailVerified?: boolean;
}

export interface StartOidcOptions {
  /** Account id → claims. Defaults to alice (dba, eng), bob (eng) and carol (security). */
  accounts?: Record<string, OidcAccount>;
  /** Client id, also the `aud` of ID tokens. Default `countersign`. */
  clientId?: string;
  /** Resource indicator, the `aud` of JWT access tokens. Default `urn:countersign:api`. */
  apiAudience?: string;
}

export interface TokenOptions {
  /** `id` (default): the ID token. `access`: a JWT access token for `apiAudience` carrying email and groups. */
  kind?: 'id' | 'access';
  /** Lifetime of the token in seconds (default 3600), to test expiry and renewal. */
  ttl?: number;
}

export interface RunningOidcProvider {
  /** Exact issuer, e.g. http://127.0.0.1:41234 */
  issuer: string;
  /** Client id = `aud` of ID tokens. */
  audience: string;
  /** `aud` of access tokens. */
  apiAudience: string;
  /** The provider's JWKS URL. */
  jwksUri: string;
  /** The public signing key (with `kid`), for tests that forge look-alike tokens. */
  signingKey: JWK;
  /** Ready for `identity.oidc`: issuer and both audiences. */
  oidcConfig: { issuer: string; audience: string[] };
  /** The accounts, mutable: add people while running. */
  accounts: Record<string, OidcAccount>;
  /** A real token for this account id. Rejects for an unknown account. */
  tokenFor(accountId: string, opts?: TokenOptions): Promise<string>;
  stop(): Promise<void>;
}

export const DEFAULT_ACCOUNTS: Record<string, OidcAccount> = {
  alice: { email: 'alice@example.com', name: 'Alice Admin', groups: ['dba', 'eng'] },
  bob: { email: 'bob@example.com', name: 'Bob Builder', groups: ['eng'] },
  carol: { email: 'carol@example.com', name: 'Carol Security', groups: ['security'] },
};

const SCOPE = 'openid email profile groups';

type Stored = { payload: Record<string, unknown>; expiresAt: number };

/** oidc-provider's storage for one provider instance, in memory (sessions, codes, grants…); one per model name. */
function memoryAdapterFactory(): (name: string) => object {
  const all = new Map<string, Stored>();
  const grants = new Map<string, Set<string>>();
  const live = (k: string) => {
    const s = all.get(k);
    if (s && s.expiresAt < Date.now()) all.delete(k);
    return all.get(k)?.payload;
  };
  return (name: string) => ({
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      const key = `${name}:${id}`;
      all.set(key, { payload, expiresAt: Date.now() + (expiresIn ?? 3600) * 1000 });
      if (typeof payload.grantId === 'string') grants.set(payload.grantId, (grants.get(payload.grantId) ?? new Set()).add(key));
      if (typeof payload.uid === 'string') all.set(`${name}:uid:${payload.uid}`, { payload: { id }, expiresAt: Date.now() + (expiresIn ?? 3600) * 1000 });
    },
    async find(id: string) { return live(`${name}:${id}`); },
    async findByUid(uid: string) {
      const ref = live(`${name}:uid:${uid}`);
      return ref ? live(`${name}:${String(ref.id)}`) : undefined;
    },
    async findByUserCode() { return undefined; },
    async consume(id: string) {
      const p = live(`${name}:${id}`);
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id: string) { all.delete(`${name}:${id}`); },
    async revokeByGrantId(grantId: string) {
      for (const k of grants.get(grantId) ?? []) all.delete(k);
      grants.delete(grantId);
    },
  });
}

/** Start a provider; `stop()` it in an `after` hook. */
export async function startOidcProvider(opts: StartOidcOptions = {}): Promise<RunningOidcProvider> {
  const accounts: Record<string, OidcAccount> = { ...(opts.accounts ?? DEFAULT_ACCOUNTS) };
  const clientId = opts.clientId ?? 'countersign';
  const clientSecret = randomBytes(24).toString('base64url');
  const apiAudience = opts.apiAudience ?? 'urn:countersign:api';

  let provider: any;
  // The lifetime of the token being issued (tokenFor's `ttl`; calls are not expected to overlap with different ttls).
  let tokenTtl = 3600;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) void interact(req, res);
    else provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const redirectUri = `${issuer}/cb`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: `test-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
  const { d, p, q, dp, dq, qi, ...signingKey } = privateJwk;
  void [d, p, q, dp, dq, qi];

  const claimsOf = (accountId: string) => {
    const a = accounts[accountId];
    return a && { sub: accountId, email: a.email, email_verified: a.emailVerified ?? true, name: a.name ?? accountId, groups: [...a.groups] };
  };

  provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' }],
    adapter: memoryAdapterFactory(),
    jwks: { keys: [privateJwk] },
    ttl: { Interaction: 600, Grant: 3600, Session: 3600, AccessToken: () => tokenTtl, IdToken: () => tokenTtl, AuthorizationCode: 60 },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    // Put the scope's claims into the ID token itself (the gateway reads them there), not only into userinfo.
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, id: string) => {
      const claims = claimsOf(id);
      return claims && { accountId: id, claims: async () => claims };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => undefined,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          if (resource !== apiAudience) throw new oidcErrors.InvalidTarget();
          return { scope: 'api', audience: apiAudience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    // JWT access tokens carry who the person is, as a gateway in front of an API would need.
    extraTokenClaims: async (_ctx: unknown, token: { kind: string; accountId?: string }) => {
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const c = claimsOf(token.accountId);
      return c && { email: c.email, email_verified: c.email_verified, name: c.name, groups: c.groups };
    },
  });
  provider.on('server_error', (_ctx: unknown, err: Error) => console.error('oidc-provider server_error:', err));

  // The "login page": logs in the account named by login_hint and grants what was asked.
  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const details = await provider.interactionDetails(req, res);
      const accountId = String(details.params.login_hint ?? '');
      if (!accounts[accountId]) {
        await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown account' }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: details.params.client_id });
      grant.addOIDCScope(String(details.params.scope));
      if (details.params.resource) grant.addResourceScope(String(details.params.resource), 'api');
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
    } catch (e) {
      res.statusCode = 500;
      res.end(`interaction failed: ${(e as Error).message}`);
    }
  }

  async function tokenFor(accountId: string, tokenOpts: TokenOptions = {}): Promise<string> {
    if (!accounts[accountId]) throw new Error(`startOidcProvider: no account "${accountId}" (known: ${Object.keys(accounts).join(', ')})`);
    const kind = tokenOpts.kind ?? 'id';
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const state = randomBytes(8).toString('hex');
    const auth = new URL('/auth', issuer);
    for (const [k, v] of Object.entries({
      client_id: clientId, response_type: 'code', scope: SCOPE, redirect_uri: redirectUri, state, nonce: randomBytes(8).toString('hex'),
      code_challenge: challenge, code_challenge_method: 'S256', login_hint: accountId, ...(kind === 'access' ? { resource: apiAudience } : {}),
    })) auth.searchParams.set(k, v);

    // Play the browser: follow redirects by hand, keeping cookies, until the provider redirects to the client.
    const jar = new Map<string, string>();
    let url = auth.href;
    let code: string | undefined;
    for (let hop = 0; hop < 10 && !code; hop++) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) throw new Error(`startOidcProvider: login flow stopped at ${new URL(url).pathname} with HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer();
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) {
        if (next.searchParams.get('error')) throw new Error(`startOidcProvider: ${next.searchParams.get('error')}: ${next.searchParams.get('error_description')}`);
        if (next.searchParams.get('state') !== state) throw new Error('startOidcProvider: state mismatch');
        code = next.searchParams.get('code') ?? undefined;
      }
      url = next.href;
    }
    if (!code) throw new Error('startOidcProvider: no authorization code after 10 redirects');

    tokenTtl = tokenOpts.ttl ?? 3600;
    const res = await fetch(new URL('/token', issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: clientId, client_secret: clientSecret,
        ...(kind === 'access' ? { resource: apiAudience } : {}),
      }),
    });
    const body = (await res.json()) as { id_token?: string; access_token?: string; error?: string; error_description?: string };
    tokenTtl = 3600;
    if (!res.ok) throw new Error(`startOidcProvider: token endpoint: ${body.error}: ${body.error_description}`);
    const token = kind === 'id' ? body.id_token : body.access_token;
    if (!token || token.split('.').length !== 3) throw new Error(`startOidcProvider: the provider returned no JWT ${kind} token`);
    return token;
  }

  return {
    issuer,
    audience: clientId,
    apiAudience,
    jwksUri: `${issuer}/jwks`,
    signingKey,
    oidcConfig: { issuer, audience: [clientId, apiAudience] },
    accounts,
    tokenFor,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
