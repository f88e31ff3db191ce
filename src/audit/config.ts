import { z } from 'zod';

/** `audit:` section. */
export const auditConfigSchema = z
  .strictObject({
    /** Environment variable holding the Ed25519 private key (PKCS#8 PEM or base64url seed) for checkpoints. */
    signing_key_env: z.string().default('COUNTERSIGN_AUDIT_KEY'),
    /** Write a signed checkpoint every N events (and on shutdown). */
    checkpoint_every: z.number().int().positive().default(1000),
  })
  .prefault({});
export type AuditConfig = z.infer<typeof auditConfigSchema>;
