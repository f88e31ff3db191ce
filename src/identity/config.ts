import { z } from 'zod';

/** `identity:` section. */
export const identityConfigSchema = z
  .strictObject({
    /** Humans: OIDC tokens verified against the provider's JWKS. */
    oidc: z
      .strictObject({
        issuer: z.string().url(),
        audience: z.string(),
        /** Defaults to the issuer's discovery document's jwks_uri. */
        jwks_uri: z.string().url().optional(),
        groups_claim: z.string().default('groups'),
        /** Claim used as the principal id. */
        id_claim: z.string().default('email'),
      })
      .optional(),
    /** Development only: static bearer tokens, each read from an environment variable. */
    static_tokens: z
      .array(
        z.strictObject({
          token_env: z.string(),
          id: z.string(),
          type: z.enum(['human', 'agent', 'service']),
          groups: z.array(z.string()).default([]),
          on_behalf_of: z.string().optional(),
        }),
      )
      .default([]),
  })
  .prefault({});
export type IdentityConfig = z.infer<typeof identityConfigSchema>;
