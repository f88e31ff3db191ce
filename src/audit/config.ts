import { z } from 'zod';
import { durationSchema } from '../config/duration.js';

/** `audit:` section. */
export const auditConfigSchema = z
  .strictObject({
    /** Environment variable holding the Ed25519 private key (PKCS#8 PEM or base64url seed) for checkpoints. */
    signing_key_env: z.string().default('COUNTERSIGN_AUDIT_KEY'),
    /** Write a signed checkpoint every N events (and on shutdown). */
    checkpoint_every: z.number().int().positive().default(1000),
    /** Also sign a checkpoint this often when events were appended since the last one, so a quiet gateway's newest events are signed too. */
    checkpoint_interval: durationSchema.default('1m'),
    /**
     * `disk`: an event that lets an action run is on disk (fsync) before the action runs. `commit`: it is
     * committed (survives a crash of the gateway; a failed write still stops the action) and on disk within
     * 200 ms, so an OS crash or power cut can lose the last 200 ms of events. Saves one fsync per action.
     */
    durability: z.enum(['disk', 'commit']).default('disk'),
  })
  .prefault({});
export type AuditConfig = z.infer<typeof auditConfigSchema>;
