import { z } from 'zod';
import { FINDING_TYPES } from './types.js';
import { DETECTORS } from './scan.js';

export const TRANSFORMS = ['redact', 'partial', 'hash', 'token', 'keep'] as const;
export type TransformName = (typeof TRANSFORMS)[number];

const profileSchema = z.strictObject({
  /**
   * Per finding type: redact | partial | hash | token | keep. `*` is the fallback (default: redact). A card security
   * code is always redacted (transforms.ts ALWAYS_REDACTED): naming another transform for it is a config error.
   */
  transforms: z
    .record(z.string().meta({ enum: [...FINDING_TYPES, '*'] }), z.enum(TRANSFORMS))
    .default({})
    // A misspelt type would leave the values the operator meant to mask in clear: every key is a finding type. Checked
    // with the transform names, so one run reports every problem.
    .superRefine(
      (t, ctx) => {
        for (const k of Object.keys(t)) {
          if (k === '*' || (FINDING_TYPES as readonly string[]).includes(k)) continue;
          ctx.addIssue({ code: 'custom', path: [k], message: `unknown finding type "${k}"${hint(k, FINDING_TYPES)}; the types are ${FINDING_TYPES.join(', ')}, and "*" for the rest` });
        }
        if (t.CARD_SECURITY_CODE !== undefined && t.CARD_SECURITY_CODE !== 'redact') {
          ctx.addIssue({ code: 'custom', path: ['CARD_SECURITY_CODE'], message: 'CARD_SECURITY_CODE is always redacted (PCI DSS: a card security code is never kept, tokenised or hashed)' });
        }
      },
      { when: (p) => typeof p.value === 'object' && p.value !== null },
    ),
  /** Findings below this confidence are left alone. */
  min_confidence: z.number().min(0).max(1).default(0.5),
  /** Detector names to switch off in this profile (e.g. `person`, `address`): each must be a registered detector. */
  disabled_detectors: z
    .array(z.string())
    .default([])
    .superRefine((names, ctx) => {
      const known = Object.keys(DETECTORS);
      names.forEach((n, i) => {
        if (!known.includes(n)) ctx.addIssue({ code: 'custom', path: [i], message: `unknown detector "${n}"${hint(n, known)}; the detectors are ${known.join(', ')}` });
      });
    }),
});

/** ` (did you mean X?)` for a name that differs from a known one by case, separators or up to two letters. */
function hint(name: string, known: readonly string[]): string {
  const flat = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const f = flat(name);
  const near = known.find((k) => flat(k) === f) ?? known.find((k) => distance(flat(k), f) <= 2);
  return near ? ` (did you mean ${near}?)` : '';
}

/** Levenshtein distance of two short strings. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
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
