import type { Clock } from '../core/clock.js';
import { CountersignError } from '../core/errors.js';
import type { Authenticator, CredentialCheck, Principal } from '../core/identity.js';
import type { KeyStore } from '../store/types.js';
import { assertApiKeyActive, verifyApiKey } from './api-keys.js';
import type { IdentityConfig } from './config.js';
import { KEY_PREFIX } from './key-format.js';
import { createOidcVerifier, type FetchLike, type OidcVerifier } from './oidc.js';
import { loadStaticTokens, looksLikeJwt } from './static-tokens.js';

/** Longest credential looked at; anything longer is refused before any parsing or hashing. */
export const MAX_CREDENTIAL_LENGTH = 16 * 1024;

export interface AuthenticatorOptions {
  config: IdentityConfig;
  keys: KeyStore;
  clock: Clock;
  /** Used for OIDC discovery and keys; defaults to the global fetch. */
  fetch?: FetchLike;
  /** Where static tokens' variables are read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** Which method a credential is for, by its shape alone. */
export type CredentialKind = 'api_key' | 'jwt' | 'static';

/**
 * Classify a credential by shape: `cs_…` is an API key, three base64url parts whose header is a JSON object with
 * `alg` is a JWT, anything else can only be a static token.
 *
 * @example credentialKind('cs_4fT0aZ1bq9Lx_…') // 'api_key'
 */
export function credentialKind(credential: string): CredentialKind {
  if (credential.startsWith(KEY_PREFIX)) return 'api_key';
  if (looksLikeJwt(credential)) {
    try {
      const header: unknown = JSON.parse(Buffer.from(credential.slice(0, credential.indexOf('.')), 'base64url').toString('utf8'));
      if (header !== null && typeof header === 'object' && typeof (header as { alg?: unknown }).alg === 'string') return 'jwt';
    } catch {
      // not JSON: not a JWT
    }
  }
  return 'static';
}

/**
 * The gateway's one authenticator: API keys (agents, services), OIDC tokens (people) and, for development, static
 * tokens, picked by the credential's shape. Static tokens are read from the environment here, so a missing variable
 * fails at startup (SECRET_MISSING), not on the first request.
 *
 * @example
 * const auth = createAuthenticator({ config: cfg.identity, keys: store, clock: systemClock });
 * const principal = await auth.authenticate(credentialFromHeaders(req.headers));
 */
export function createAuthenticator(opts: AuthenticatorOptions): Authenticator & CredentialCheck {
  const { config, keys, clock } = opts;
  const statics = loadStaticTokens(config.static_tokens, opts.env);
  const oidc: OidcVerifier | undefined = config.oidc && createOidcVerifier({ config: config.oidc, clock, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  const trackLastUsed = config.api_keys.track_last_used;

  return {
    async authenticate(credential: string): Promise<Principal> {
      if (typeof credential !== 'string' || credential === '') throw new CountersignError('AUTH_REQUIRED');
      if (credential.length > MAX_CREDENTIAL_LENGTH) throw new CountersignError('AUTH_INVALID', `the credential is longer than ${MAX_CREDENTIAL_LENGTH} characters`);
      switch (credentialKind(credential)) {
        case 'api_key':
          return verifyApiKey(keys, credential, clock, { trackLastUsed });
        case 'jwt':
          if (!oidc) throw new CountersignError('AUTH_INVALID', 'a JWT was presented but OIDC is not configured (identity.oidc)');
          return oidc.verify(credential);
        case 'static': {
          const p = statics.match(credential);
          if (p) return p;
          throw new CountersignError('AUTH_INVALID', 'the credential is not an API key (cs_…), a JWT, or a configured static token');
        }
      }
    },
    async stillValid(principal: Principal): Promise<void> {
      if (principal.authMethod === 'api_key' && principal.keyId !== undefined) return assertApiKeyActive(keys, principal.keyId);
      if (principal.authMethod === 'oidc' && principal.expiresAt !== undefined) {
        const tolerance = (config.oidc?.clock_tolerance ?? 0) * 1000;
        if (clock.now() > principal.expiresAt + tolerance) {
          throw new CountersignError('AUTH_EXPIRED', `the OIDC token expired at ${new Date(principal.expiresAt).toISOString()}`);
        }
      }
    },
  };
}
