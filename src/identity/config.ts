import { z } from 'zod';

/** `identity.oidc`: people sign in at an OpenID Connect provider; the gateway verifies their tokens (JWT). */
export const oidcConfigSchema = z.strictObject({
  /** Exact issuer (`iss`) of the tokens; discovery is read from `<issuer>/.well-known/openid-configuration`. */
  issuer: z.url().describe('Exact issuer (iss) of the tokens; discovery is read from <issuer>/.well-known/openid-configuration.'),
  /** Accepted audience(s) (`aud`): the client id for ID tokens, the API identifier for access tokens. */
  audience: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe('Accepted audience (aud): the client id for ID tokens, the API identifier for access tokens; a list accepts any of them.'),
  /** Defaults to the issuer's discovery document's jwks_uri. */
  jwks_uri: z.url().optional().describe("Where the provider's signing keys are; defaults to the discovery document's jwks_uri."),
  /** Claim holding the groups: an array of strings, or one string separated by spaces or commas. A dotted path (`realm_access.roles`) reaches into objects. */
  groups_claim: z.string().min(1).default('groups').describe('Claim holding the groups (array, or space/comma separated string); a dotted path reaches into objects.'),
  /** Claim used as the principal id; `sub` is used when the token does not carry it. */
  id_claim: z.string().min(1).default('email').describe('Claim used as the principal id; falls back to sub when absent.'),
  /** Claim used as the display name. */
  name_claim: z.string().min(1).default('name').describe('Claim used as the display name.'),
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
  clock_tolerance: z.number().int().min(0).max(300).default(30).describe('Seconds of clock skew tolerated on exp, nbf and iat.'),
  /** Signature algorithms accepted; asymmetric only (the gateway never shares a secret with the provider). */
  algorithms: z
    .array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']))
    .min(1)
    .default(['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'])
    .describe('Signature algorithms accepted (asymmetric only).'),
});
export type OidcConfig = z.infer<typeof oidcConfigSchema>;

/** One `identity.static_tokens` entry: a development-only bearer token read from an environment variable. */
export const staticTokenConfigSchema = z.strictObject({
  /** Environment variable holding the token (at least 16 characters). */
  token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').describe('Environment variable holding the token (at least 16 characters).'),
  id: z.string().min(1).describe('Principal id the token stands for.'),
  type: z.enum(['human', 'agent', 'service']),
  name: z.string().optional(),
  groups: z.array(z.string()).default([]),
  on_behalf_of: z.string().optional(),
});
export type StaticTokenConfig = z.infer<typeof staticTokenConfigSchema>;

/** `identity.api_keys`: keys for agents and services (`countersign keys create`). */
export const apiKeysConfigSchema = z
  .strictObject({
    /** Record when a key was last used, at most once a minute per key. */
    track_last_used: z.boolean().default(true).describe('Record when a key was last used (at most once a minute per key).'),
  })
  .prefault({});
export type ApiKeysConfig = z.infer<typeof apiKeysConfigSchema>;

/** `identity:` section. */
export const identityConfigSchema = z
  .strictObject({
    /** Humans: OIDC tokens verified against the provider's JWKS. */
    oidc: oidcConfigSchema.optional(),
    /** Agents and services: API keys kept (hashed) in the store. */
    api_keys: apiKeysConfigSchema,
    /** Development only: static bearer tokens, each read from an environment variable. */
    static_tokens: z.array(staticTokenConfigSchema).default([]),
  })
  .prefault({});
export type IdentityConfig = z.infer<typeof identityConfigSchema>;
/** What a file may contain (defaults not yet applied). */
export type IdentityConfigInput = z.input<typeof identityConfigSchema>;
