import { z } from 'zod';

/** `mcp:` section: upstream MCP servers and the downstream listener. Owned by the MCP connector; extend freely. */
export const mcpConfigSchema = z
  .strictObject({
    upstreams: z
      .array(
        z.strictObject({
          /** Prefix under which its tools are exposed: `<name>.<tool>`. Also the policy resource name. */
          name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
          command: z.string().optional(),
          args: z.array(z.string()).default([]),
          env: z.record(z.string(), z.string()).default({}),
          url: z.string().url().optional(),
          /** Header name → environment variable holding its value (credentials stay with the gateway). */
          headers_env: z.record(z.string(), z.string()).default({}),
        }),
      )
      .default([]),
  })
  .prefault({});
export type McpConfig = z.infer<typeof mcpConfigSchema>;
