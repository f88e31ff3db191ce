import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * The JSON Schema of `countersign.yaml` for editors (yaml-language-server). Describes what a file may contain,
 * so fields with defaults are optional. scripts/gen-schema.mjs writes it to schema/countersign.schema.json.
 *
 * @example JSON.stringify(buildJsonSchema(), null, 2)
 */
export function buildJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'Countersign configuration (countersign.yaml)',
    ...schema,
  };
}
