import { z } from 'zod';
import { durationSchema } from './duration.js';

/** `server:` section: where the gateway listens. */
export const serverConfigSchema = z
  .strictObject({
    /** Interface to bind. Loopback by default; set `0.0.0.0` deliberately to expose it. */
    host: z.string().min(1).default('127.0.0.1').describe('Interface to bind.'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Largest request body accepted, in bytes. */
    body_limit: z.number().int().positive().default(1_048_576).describe('Largest request body accepted, in bytes.'),
    /** URL people use to reach the gateway (links in approval cards). Defaults to http://host:port. */
    public_url: z.url().optional().describe('URL people use to reach the gateway (links in approval cards; the MCP endpoint in its OAuth metadata).'),
  })
  .prefault({});
export type ServerConfig = z.infer<typeof serverConfigSchema>;

/** `approvals:` section: defaults for review rules. */
export const approvalsConfigSchema = z
  .strictObject({
    /** How long a request waits when its rule names no `timeout`. */
    default_timeout: durationSchema.default('1h').describe('How long a review waits when its rule names no timeout.'),
    /** Longest `timeout` any rule may set; longer ones are a config error. */
    max_wait: durationSchema.default('24h').describe('Longest timeout any rule may set.'),
    /** Approval requests one principal may have waiting at once; a further held action is refused (TOO_MANY_PENDING). */
    max_pending_per_principal: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('Approval requests one principal (an agent, a service) may have waiting at once; a further action that needs review is refused with TOO_MANY_PENDING, so a looping agent cannot flood the approvers.'),
  })
  .prefault({});
export type ApprovalsConfig = z.infer<typeof approvalsConfigSchema>;

export const RESOURCE_TYPES = ['postgres', 'mcp', 'http', 'generic'] as const;

/** One entry of `resources:`: a named target policy rules refer to. */
export const resourceSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, `_`, `.` and `-`, starting with a letter or digit'),
  type: z.enum(RESOURCE_TYPES),
  description: z.string().optional(),
  tags: z.array(z.string()).default([]),
});
export type ResourceConfig = z.infer<typeof resourceSchema>;

/** `resources:` section: names must be unique. */
export const resourcesConfigSchema = z
  .array(resourceSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate resource name "${r.name}"` });
      seen.add(r.name);
    });
  });
