import { z } from 'zod';
import { storeConfigSchema } from '../store/config.js';
import { auditConfigSchema } from '../audit/config.js';
import { identityConfigSchema } from '../identity/config.js';
import { maskingConfigSchema } from '../masking/config.js';
import { mcpConfigSchema } from '../connectors/mcp/config.js';
import { policyConfigSchema } from '../policy/schema.js';
import { approvalsConfigSchema, resourcesConfigSchema, serverConfigSchema } from './sections.js';

/**
 * The whole `countersign.yaml`. Each section's schema lives with its owner and is imported here; every object is
 * strict, so an unknown or misspelt field is an error. Secrets never appear: fields ending in `_env` name the
 * environment variable that holds them.
 */
export const configSchema = z.strictObject({
  /** Editors read this; the gateway ignores it. */
  $schema: z.string().optional(),
  server: serverConfigSchema,
  store: storeConfigSchema,
  audit: auditConfigSchema,
  identity: identityConfigSchema,
  masking: maskingConfigSchema,
  mcp: mcpConfigSchema,
  approvals: approvalsConfigSchema,
  resources: resourcesConfigSchema,
  policy: policyConfigSchema,
});

/** The validated configuration with every default applied. */
export type CountersignConfig = z.infer<typeof configSchema>;
/** What a file may contain (defaults not yet applied). */
export type CountersignConfigInput = z.input<typeof configSchema>;
