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
}

/** Turns a bearer credential into a Principal, or throws a CountersignError (AUTH_*). */
export interface Authenticator {
  authenticate(credential: string): Promise<Principal>;
}
