import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../core/clock.js';
import { CountersignError, isCountersignError } from '../core/errors.js';
import { normalizePrincipalId, type Principal } from '../core/identity.js';
import type { OidcConfig } from './config.js';

/** The fetch the verifier uses for discovery and keys (injectable for tests and proxies). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface OidcVerifierOptions {
  config: OidcConfig;
  clock: Clock;
  fetch?: FetchLike;
  /** Milliseconds before a discovery or JWKS request is abandoned. Default 5000. */
  timeoutMs?: number;
}

/** Verifies OIDC ID or access tokens (JWT) and turns them into human principals. */
export interface OidcVerifier {
  verify(token: string): Promise<Principal>;
}

// Discovery document location, OpenID Connect Discovery 1.0 §4: issuer + "/.well-known/openid-configuration".
function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * Read `jwks_uri` from the issuer's discovery document, checking the document is for this issuer.
 *
 * @example await discoverJwksUri('https://login.example.com') // 'https://login.example.com/jwks'
 */
export async function discoverJwksUri(issuer: string, fetchImpl: FetchLike = fetch, timeoutMs = 5000): Promise<string> {
  const url = discoveryUrl(issuer);
  let doc: unknown;
  try {
    const res = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    doc = await res.json();
  } catch (e) {
    throw new CountersignError('UPSTREAM_UNAVAILABLE', `could not read the OIDC discovery document at ${url}: ${(e as Error)?.message ?? e}`, undefined, { cause: e });
  }
  const d = doc as { issuer?: unknown; jwks_uri?: unknown } | null;
  // Discovery §4.3: the issuer in the document must be identical to the one it was fetched for.
  if (!d || d.issuer !== issuer) {
    throw new CountersignError('UPSTREAM_UNAVAILABLE', `the OIDC discovery document at ${url} is for issuer ${JSON.stringify(d?.issuer)}, not ${JSON.stringify(issuer)}`);
  }
  if (typeof d.jwks_uri !== 'string' || !URL.canParse(d.jwks_uri)) {
    throw new CountersignError('UPSTREAM_UNAVAILABLE', `the OIDC discovery document at ${url} has no valid jwks_uri`);
  }
  return d.jwks_uri;
}

/** Read a claim by name, or by dotted path (`realm_access.roles`) when no claim has the literal name. */
export function readClaim(payload: Record<string, unknown>, name: string): unknown {
  if (name in payload) return payload[name];
  let cur: unknown = payload;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Groups from a claim value: an array of strings, or one string separated by spaces and/or commas.
 * Absent → none. Anything else is an error (a group list we cannot read must not silently become "no groups").
 *
 * @example groupsFromClaim('dba, eng ops') // ['dba', 'eng', 'ops']
 */
export function groupsFromClaim(value: unknown, claim: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  if (Array.isArray(value) && value.every((g) => typeof g === 'string')) return [...new Set(value.map((g) => g.trim()).filter(Boolean))];
  throw new CountersignError('AUTH_INVALID', `the token's "${claim}" claim is neither a list of strings nor a string`);
}

function principalFromClaims(payload: JWTPayload, config: OidcConfig): Principal {
  const claims = payload as Record<string, unknown>;
  const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
  const chosen = readClaim(claims, config.id_claim);
  let id: string | undefined;
  if (typeof chosen === 'string' && chosen !== '') {
    // An email the provider says it has not verified must not become someone's identity.
    if (config.id_claim === 'email' && claims.email_verified === false) {
      throw new CountersignError('AUTH_INVALID', 'the token\'s email is not verified by the provider (email_verified is false)');
    }
    id = chosen;
  } else if (chosen !== undefined && chosen !== null) {
    throw new CountersignError('AUTH_INVALID', `the token's "${config.id_claim}" claim is not a string`);
  } else {
    id = sub;
  }
  // An e-mail's case is the provider's choice: the id is kept in canonical form (trimmed, e-mail lower-cased).
  id = id === undefined ? undefined : normalizePrincipalId(id);
  if (!id) throw new CountersignError('AUTH_INVALID', `the token carries neither "${config.id_claim}" nor "sub"`);
  const name = readClaim(claims, config.name_claim);
  return {
    id,
    type: 'human',
    ...(typeof name === 'string' && name !== '' ? { name } : {}),
    groups: groupsFromClaim(readClaim(claims, config.groups_claim), config.groups_claim),
    authMethod: 'oidc',
    // Kept so a principal that acts later (a held call, a long stdio session) is refused once its token expired.
    ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}),
  };
}

function audienceText(a: string | string[]): string {
  return Array.isArray(a) ? a.map((x) => JSON.stringify(x)).join(' or ') : JSON.stringify(a);
}

/** Map a jose failure to our codes. Messages describe the problem, never the token. */
function mapJoseError(e: unknown, config: OidcConfig): CountersignError {
  if (isCountersignError(e)) return e;
  const opt = { cause: e };
  if (e instanceof joseErrors.JWTExpired) {
    const exp = typeof e.payload.exp === 'number' ? ` at ${new Date(e.payload.exp * 1000).toISOString()}` : '';
    return new CountersignError('AUTH_EXPIRED', `the OIDC token expired${exp}`, undefined, opt);
  }
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'iss':
        return new CountersignError('AUTH_INVALID', `the OIDC token was not issued by ${JSON.stringify(config.issuer)}`, undefined, opt);
      case 'aud':
        return new CountersignError('AUTH_INVALID', `the OIDC token is not meant for this gateway (audience must be ${audienceText(config.audience)})`, undefined, opt);
      case 'nbf':
        return new CountersignError('AUTH_INVALID', 'the OIDC token is not valid yet (nbf is in the future)', undefined, opt);
      case 'exp':
        return new CountersignError('AUTH_INVALID', 'the OIDC token has no usable expiry (exp)', undefined, opt);
      default:
        return new CountersignError('AUTH_INVALID', `the OIDC token's "${e.claim}" claim is invalid`, undefined, opt);
    }
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return new CountersignError('AUTH_INVALID', 'the OIDC token\'s signature does not verify', undefined, opt);
  if (e instanceof joseErrors.JWKSNoMatchingKey) return new CountersignError('AUTH_INVALID', 'the OIDC token is signed with a key the provider does not publish', undefined, opt);
  if (e instanceof joseErrors.JWKSMultipleMatchingKeys) return new CountersignError('AUTH_INVALID', 'the OIDC token names no key id and the provider publishes several keys', undefined, opt);
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return new CountersignError('AUTH_INVALID', `the OIDC token's signature algorithm is not accepted (allowed: ${config.algorithms.join(', ')})`, undefined, opt);
  if (e instanceof joseErrors.JWKSTimeout) return new CountersignError('UPSTREAM_TIMEOUT', 'the OIDC provider did not serve its keys in time', undefined, opt);
  if (e instanceof joseErrors.JWKSInvalid) return new CountersignError('UPSTREAM_UNAVAILABLE', 'the OIDC provider\'s key set is not a valid JWKS', undefined, opt);
  if (e instanceof joseErrors.JWSInvalid || e instanceof joseErrors.JWTInvalid || e instanceof joseErrors.JOSENotSupported || e instanceof joseErrors.JWKInvalid) {
    return new CountersignError('AUTH_INVALID', `the OIDC token is malformed or unsupported (${e.code})`, undefined, opt);
  }
  // jose raises a plain JOSEError only when fetching the key set fails (not 200, not JSON); fetch itself raises
  // TypeError/AbortError. Either way the provider is unreachable: not the caller's fault, but still no entry.
  if (e instanceof joseErrors.JOSEError && e.code === 'ERR_JOSE_GENERIC') {
    return new CountersignError('UPSTREAM_UNAVAILABLE', `could not fetch the OIDC provider's keys: ${e.message}`, undefined, opt);
  }
  if (e instanceof joseErrors.JOSEError) return new CountersignError('AUTH_INVALID', `the OIDC token does not verify (${e.code})`, undefined, opt);
  return new CountersignError('UPSTREAM_UNAVAILABLE', `could not fetch the OIDC provider's keys: ${(e as Error)?.message ?? e}`, undefined, opt);
}

/**
 * Build a verifier for one OIDC provider. Keys are fetched lazily on first use and cached by jose (refetched when a
 * token names an unknown `kid`, at most every 30 s); the discovery document is read once (retried after a failure).
 *
 * @example
 * const oidc = createOidcVerifier({ config: { issuer, audience: 'countersign', groups_claim: 'groups', … }, clock: systemClock });
 * const alice = await oidc.verify(idToken); // { id: 'alice@example.com', type: 'human', groups: ['dba'], authMethod: 'oidc' }
 */
export function createOidcVerifier(opts: OidcVerifierOptions): OidcVerifier {
  const { config, clock } = opts;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const fetchImpl = opts.fetch;
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  const getKeys = (): Promise<ReturnType<typeof createRemoteJWKSet>> => {
    if (keys) return keys;
    const pending = (async () => {
      const uri = config.jwks_uri ?? (await discoverJwksUri(config.issuer, fetchImpl ?? fetch, timeoutMs));
      return createRemoteJWKSet(new URL(uri), {
        timeoutDuration: timeoutMs,
        ...(fetchImpl ? { [customFetch]: (url: string, init: RequestInit) => fetchImpl(url, init) } : {}),
      });
    })();
    keys = pending;
    pending.catch(() => {
      if (keys === pending) keys = undefined; // a failed discovery is retried by the next request
    });
    return pending;
  };

  return {
    async verify(token: string): Promise<Principal> {
      let payload: JWTPayload;
      try {
        const jwks = await getKeys();
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: config.algorithms,
          clockTolerance: config.clock_tolerance,
          currentDate: new Date(clock.now()),
          requiredClaims: ['exp'],
        }));
      } catch (e) {
        throw mapJoseError(e, config);
      }
      // jose checks iat only against a maximum age; a token issued in the future means the clocks disagree.
      if (typeof payload.iat === 'number' && payload.iat * 1000 > clock.now() + config.clock_tolerance * 1000) {
        throw new CountersignError('AUTH_INVALID', 'the OIDC token was issued in the future (iat); check the clocks of the gateway and the provider');
      }
      return principalFromClaims(payload, config);
    },
  };
}
