import { z } from 'zod';

/** `masking:` section. Owned by the masking engine; extend freely. */
export const maskingConfigSchema = z
  .strictObject({
    /** Environment variable with the key for keyed hashes and reversible tokens (32+ bytes, base64 or hex). */
    key_env: z.string().default('COUNTERSIGN_MASKING_KEY'),
    default_profile: z.string().default('default'),
    profiles: z
      .record(
        z.string(),
        z.strictObject({
          /** Per finding type: redact | partial | hash | token | keep. `*` is the fallback. */
          transforms: z.record(z.string(), z.enum(['redact', 'partial', 'hash', 'token', 'keep'])).default({}),
          min_confidence: z.number().min(0).max(1).default(0.5),
        }),
      )
      .default({}),
  })
  .prefault({});
export type MaskingConfig = z.infer<typeof maskingConfigSchema>;
