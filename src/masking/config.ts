import { z } from 'zod';

export const TRANSFORMS = ['redact', 'partial', 'hash', 'token', 'keep'] as const;
export type TransformName = (typeof TRANSFORMS)[number];

const profileSchema = z.strictObject({
  /**
   * Per finding type: redact | partial | hash | token | keep. `*` is the fallback (default: redact). A card security
   * code is always redacted (transforms.ts ALWAYS_REDACTED): naming another transform for it is a config error.
   */
  transforms: z
    .record(z.string(), z.enum(TRANSFORMS))
    .default({})
    .refine((t) => t.CARD_SECURITY_CODE === undefined || t.CARD_SECURITY_CODE === 'redact', {
      message: 'CARD_SECURITY_CODE is always redacted (PCI DSS: a card security code is never kept, tokenised or hashed)',
      path: ['CARD_SECURITY_CODE'],
    }),
  /** Findings below this confidence are left alone. */
  min_confidence: z.number().min(0).max(1).default(0.5),
  /** Detector names to switch off in this profile (e.g. `person`, `address`). */
  disabled_detectors: z.array(z.string()).default([]),
});
export type MaskingProfile = z.infer<typeof profileSchema>;

/** `masking:` section. Owned by the masking engine. */
export const maskingConfigSchema = z
  .strictObject({
    /** Environment variable with the key for keyed hashes and reversible tokens (32+ bytes, base64 or hex). */
    key_env: z.string().default('COUNTERSIGN_MASKING_KEY'),
    default_profile: z.string().default('default'),
    profiles: z.record(z.string(), profileSchema).default({}),
  })
  .prefault({});
export type MaskingConfig = z.infer<typeof maskingConfigSchema>;

/** Built-in transforms when a profile names none for a type: cards keep their last 4 digits, the rest is redacted. */
export const DEFAULT_TRANSFORMS: Readonly<Record<string, TransformName>> = { CREDIT_CARD: 'partial', '*': 'redact' };

/** The built-in `default` profile, used when the config defines no profile of that name. */
export const DEFAULT_PROFILE: MaskingProfile = { transforms: {}, min_confidence: 0.5, disabled_detectors: [] };
