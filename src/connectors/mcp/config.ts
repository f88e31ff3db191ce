import { z } from 'zod';
import { durationSchema } from '../../config/duration.js';

const HOLD_MODES = ['wait', 'return_pending'] as const;

/** One upstream MCP server: a command to spawn (stdio) or a Streamable HTTP URL, never both. */
export const mcpUpstreamSchema = z
  .strictObject({
    /** Prefix under which its tools are exposed: `<name>.<tool>`. Also the policy resource name. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, `_` and `-`, starting with a letter or digit')
      .describe('Prefix under which its tools are exposed (`<name>.<tool>`); also the policy resource name.'),
    /** Program to spawn; the gateway talks MCP to it over stdin/stdout. */
    command: z.string().min(1).optional().describe('Program to spawn; MCP over its stdin/stdout.'),
    args: z.array(z.string()).default([]).describe('Arguments for `command`.'),
    /** Extra environment for the spawned process. Values are literal (no secrets here: use `env_from`). */
    env: z.record(z.string(), z.string()).default({}).describe('Extra environment for the spawned process (no secrets).'),
    /** Variable name in the spawned process → variable in the gateway's environment that holds its value. */
    env_from: z
      .record(z.string(), z.string())
      .default({})
      .describe('Variable for the spawned process → gateway environment variable holding its value.'),
    /** Working directory for the spawned process; relative to the config file's directory, which is the default. */
    cwd: z.string().optional().describe("Working directory for the spawned process (default: the config file's directory)."),
    /** Streamable HTTP endpoint of a remote MCP server. */
    url: z.url().optional().describe('Streamable HTTP endpoint of a remote MCP server.'),
    /** Header name → environment variable holding its value (credentials stay with the gateway). */
    headers_env: z
      .record(z.string(), z.string())
      .default({})
      .describe('Header name → environment variable holding its value (credentials stay with the gateway).'),
    /** Longest a single upstream call may take before it fails with UPSTREAM_TIMEOUT (the hold is not counted). */
    call_timeout: durationSchema.default('60s').describe('Longest one upstream call may take (the approval hold is not counted).'),
    /** Largest JSON-RPC message accepted from this upstream (one stdio line, one HTTP response or event). */
    max_message_bytes: z
      .number()
      .int()
      .min(1024)
      .default(16 * 1024 * 1024)
      .describe('Largest message accepted from this upstream, in bytes; a larger one closes the connection and fails the call.'),
    /** `return_pending`: a held call answers "pending approval <id>" at once; an identical later call proceeds once approved. */
    hold_mode: z.enum(HOLD_MODES).optional().describe('Override `mcp.hold_mode` for this upstream.'),
    /** Hide from tools/list the tools policy denies to the principal. */
    hide_denied_tools: z.boolean().default(true).describe('Hide from tools/list the tools policy denies to the principal.'),
  })
  .superRefine((u, ctx) => {
    if ((u.command === undefined) === (u.url === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'set exactly one of `command` (stdio) or `url` (Streamable HTTP)' });
    }
    if (u.url !== undefined && (u.args.length || Object.keys(u.env).length || Object.keys(u.env_from).length || u.cwd)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: '`args`, `env`, `env_from` and `cwd` apply to `command` upstreams only' });
    }
    if (u.command !== undefined && Object.keys(u.headers_env).length) {
      ctx.addIssue({ code: 'custom', path: ['headers_env'], message: '`headers_env` applies to `url` upstreams only' });
    }
  });
export type McpUpstreamConfig = z.infer<typeof mcpUpstreamSchema>;

/** `mcp:` section: upstream MCP servers and the downstream listener. Owned by the MCP connector. */
export const mcpConfigSchema = z
  .strictObject({
    upstreams: z
      .array(mcpUpstreamSchema)
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((u, i) => {
          if (seen.has(u.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate upstream name "${u.name}"` });
          seen.add(u.name);
        });
      }),
    /** Path on the gateway's HTTP server where agents connect over Streamable HTTP. */
    path: z.string().regex(/^\/[A-Za-z0-9/_-]*$/).default('/mcp').describe('Path of the Streamable HTTP endpoint on the gateway.'),
    /** `wait` holds a call until a human decides; `return_pending` answers at once (for clients with short timeouts). */
    hold_mode: z.enum(HOLD_MODES).default('wait').describe('wait: hold the call until decided; return_pending: answer "pending approval <id>" at once.'),
    /** How often a held call sends a progress notification to keep the client alive. */
    heartbeat: durationSchema.default('10s').describe('How often a held call sends a progress notification.'),
    /** Largest JSON-RPC message accepted from an agent, in bytes. */
    max_message_bytes: z
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024)
      .describe('Largest JSON-RPC message accepted from an agent, in bytes.'),
    /** Idle Streamable HTTP sessions are closed after this long. */
    session_idle: durationSchema.default('30m').describe('Idle Streamable HTTP sessions are closed after this long.'),
    /** Open Streamable HTTP sessions one principal may hold; a new one closes that principal's longest-idle session. */
    max_sessions_per_principal: z
      .number()
      .int()
      .min(1)
      .default(32)
      .describe("Open Streamable HTTP sessions per principal; a new session closes the principal's longest-idle one (429 when every one has a call in flight)."),
  })
  .prefault({});
export type McpConfig = z.infer<typeof mcpConfigSchema>;
export type McpConfigInput = z.input<typeof mcpConfigSchema>;
