/** How a principal proved who it is. */
export type AuthMethod = 'api_key' | 'oidc' | 'static';

/** Who acts: a person (OIDC) or an agent/service (API key), optionally on behalf of a person. */
export interface Principal {
  /** Stable identifier: OIDC `sub`/email for humans, `agent:<name>` for keys. */
  id: string;
  type: 'human' | 'agent' | 'service';
  /** Display name. */
  name?: string;
  groups: string[];
  /** The human an agent or service acts for (their id). Neither may approve the agent's requests. */
  onBehalfOf?: string;
  authMethod: AuthMethod;
  /** API keys: the public id of the key that authenticated this principal, so the key can be re-checked (revoked?)
   *  before each action and before a held action runs. Never the secret. */
  keyId?: string;
  /** OIDC: when the token that authenticated this principal expires (epoch ms, from `exp`). */
  expiresAt?: number;
}

/** Turns a bearer credential into a Principal, or throws a CountersignError (AUTH_*). */
export interface Authenticator {
  authenticate(credential: string): Promise<Principal>;
  /**
   * Re-check a principal this authenticator made earlier, before it acts again: its API key still exists and is not
   * revoked (one read by key id), its OIDC token has not expired. Throws AUTH_INVALID / AUTH_EXPIRED, or
   * STORE_UNAVAILABLE when the key store cannot say (fail closed). Static tokens cannot be revoked: nothing to check.
   */
  stillValid?(principal: Principal): Promise<void>;
}

/** What the pipeline needs to re-check a principal's credential (see Authenticator.stillValid). */
export type CredentialCheck = Required<Pick<Authenticator, 'stillValid'>>;

/** An e-mail-like principal id: one `@` with something on both sides, no whitespace. */
const EMAIL_LIKE = /^[^\s@]+@[^\s@]+$/;

/** Is this (already trimmed) principal id an e-mail address? */
export function isEmailLikeId(id: string): boolean {
  return EMAIL_LIKE.test(id);
}

/**
 * The canonical form of a principal id, applied where identities enter (OIDC claims, API keys, static tokens) and
 * wherever two ids are compared: surrounding whitespace removed, and an e-mail-like id lower-cased as a whole (local
 * part too: no provider hands out `Alice@x` and `alice@x` to two people, and for self-approval and policy denies
 * folding fails closed). Other ids (`agent:etl`, an OIDC `sub`) keep their case.
 *
 * @example normalizePrincipalId(' Alice@Example.COM') // 'alice@example.com'
 */
export function normalizePrincipalId(id: string): string {
  const t = id.trim();
  return EMAIL_LIKE.test(t) ? t.toLowerCase() : t;
}

/** Do two principal ids name the same principal? Compares canonical forms (stored data may predate normalisation). */
export function samePrincipalId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizePrincipalId(a) === normalizePrincipalId(b);
}

/**
 * Did the same credential make both principals: same id, type and way of authenticating, the same API key, acting for
 * the same person, with the same groups? A session opened with one credential is used only with that one: another key
 * of the same principal id (a rotated key, with other groups or another `on_behalf_of`) must not act with the rights
 * the first one opened it with. An OIDC token renewed for the same person with the same groups counts as the same.
 *
 * @example sameCredential(openedWith, thisRequest) // false when thisRequest came with another API key
 */
export function sameCredential(a: Principal, b: Principal): boolean {
  if (!samePrincipalId(a.id, b.id) || a.type !== b.type || a.authMethod !== b.authMethod || a.keyId !== b.keyId || a.onBehalfOf !== b.onBehalfOf) return false;
  if (a.groups.length !== b.groups.length) return false;
  const g = new Set(a.groups);
  return b.groups.every((x) => g.has(x));
}
