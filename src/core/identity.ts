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
