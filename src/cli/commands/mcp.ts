import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Authenticator } from '../../core/identity.js';
import { isCountersignError } from '../../core/errors.js';
import type { Gateway } from '../../pipeline/types.js';
import type { McpConfig, McpGateway } from '../../connectors/mcp/index.js';

/** What `countersign mcp` needs from the running gateway parts; src/cli/main.ts builds them from the config. */
export interface McpRuntime {
  /** The pipeline (policy, approvals, masking, audit) as the Gateway interface. */
  gateway: Gateway;
  /** Turns the agent's credential (COUNTERSIGN_TOKEN) into its Principal: API key, OIDC token or static token. */
  authenticator: Authenticator;
  /** The validated `mcp:` section. */
  mcp: McpConfig;
  /** The config file's directory (spawned upstreams run there). */
  baseDir?: string;
  /** Release what open() took (store, audit log, approval timers). */
  close(): Promise<void>;
}

export interface McpCommandDeps {
  /** Load the configuration (path from --config, else the usual lookup) and build the runtime. */
  open(configPath: string | undefined): Promise<McpRuntime>;
  /** Streams and environment; default the process's. Only JSON-RPC goes to `stdout`. */
  stdin?: Readable;
  stdout?: Writable;
  stderr?: (text: string) => void;
  env?: Record<string, string | undefined>;
  setExitCode?: (code: number) => void;
  /** Resolves when the process is asked to stop (default: SIGTERM or SIGINT); the session then closes cleanly. */
  stopSignal?: () => Promise<string>;
}

/** SIGTERM or SIGINT, once; the listeners go away with the first. */
function processSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(sig);
    };
    process.once('SIGTERM', on);
    process.once('SIGINT', on);
  });
}

/**
 * Add `countersign mcp`: serve one agent over stdio (for client configs such as Claude Desktop's `mcpServers`),
 * authenticated by the credential in COUNTERSIGN_TOKEN. Runs until the client closes stdin. Diagnostics go to
 * stderr; stdout carries JSON-RPC only.
 *
 * @example
 * registerMcpCommands(program, { open: async (path) => {
 *   const cfg = await loadConfig(path ?? locateConfig());
 *   const p = await createPipeline(...);
 *   return { gateway: p, authenticator: createAuthenticator({ config: cfg.identity, keys: store, clock }), mcp: cfg.mcp, close: () => p.close() };
 * } });
 */
export function registerMcpCommands(program: Command, deps: McpCommandDeps): void {
  const err = deps.stderr ?? ((t: string) => void process.stderr.write(t));
  const setExitCode = deps.setExitCode ?? ((c: number) => void (process.exitCode = c));
  program
    .command('mcp')
    .description('Serve MCP over stdio to one agent (credential in COUNTERSIGN_TOKEN); every tool call passes policy, approval and masking')
    .option('-c, --config <path>', 'configuration file (default: $COUNTERSIGN_CONFIG or ./countersign.yaml)')
    .option('--hold-mode <mode>', 'wait (default) or return_pending: answer "pending approval <id>" at once for clients with short timeouts')
    .action(async (opts: { config?: string; holdMode?: string }) => {
      const env = deps.env ?? process.env;
      const token = env.COUNTERSIGN_TOKEN?.trim();
      if (!token) {
        err('error: AUTH_REQUIRED: set COUNTERSIGN_TOKEN to the agent\'s API key (countersign keys create) or token\n');
        return setExitCode(1);
      }
      if (opts.holdMode !== undefined && opts.holdMode !== 'wait' && opts.holdMode !== 'return_pending') {
        err('error: BAD_REQUEST: --hold-mode is wait or return_pending\n');
        return setExitCode(1);
      }
      let runtime: McpRuntime | undefined;
      let mcp: McpGateway | undefined;
      try {
        runtime = await deps.open(opts.config);
        const rt = runtime;
        const principal = await rt.authenticator.authenticate(token).catch(async (e: unknown) => {
          // Recorded like an HTTP auth failure (code and reason, never the credential), then the process exits 1.
          if (isCountersignError(e) && e.code.startsWith('AUTH_')) {
            await rt.gateway.record({ type: 'auth.failed', summary: `MCP over stdio: ${e.code}`, data: { code: e.code, reason: e.message, transport: 'stdio' } }).catch(() => undefined);
          }
          throw e;
        });
        const { createMcpGateway, mcpGatewayOptions } = await import('../../connectors/mcp/index.js');
        const options = mcpGatewayOptions(runtime.mcp);
        mcp = createMcpGateway({ gateway: runtime.gateway, ...options, baseDir: runtime.baseDir, holdMode: (opts.holdMode as 'wait' | 'return_pending' | undefined) ?? options.holdMode });
        const status = await mcp.start();
        for (const s of status) if (s.state !== 'up') err(`warning: upstream ${s.name} is ${s.state}; retrying on first use\n`);
        err(`countersign mcp: serving ${principal.id} over stdio (${status.length} upstreams)\n`);
        const { closed } = await mcp.serveStdio(principal, { input: deps.stdin, output: deps.stdout });
        // Asked to stop (the client's host quits, a supervisor stops it): as `serve` does, the calls waiting for an
        // approval are answered (GATEWAY_STOPPING; their requests stay open), the session's close is recorded and the
        // audit log signs its last checkpoint before the process exits.
        const stopped = await Promise.race([closed.then(() => undefined), (deps.stopSignal ?? processSignal)()]);
        if (stopped !== undefined) err(`countersign mcp: ${stopped}: shutting down\n`);
      } catch (e) {
        err(isCountersignError(e) ? `error: ${e.code}: ${e.message}\n` : `error: ${(e as Error)?.message ?? String(e)}\n`);
        setExitCode(1);
      } finally {
        await mcp?.close().catch(() => undefined);
        await runtime?.close().catch(() => undefined);
        // stdin may still be open (stopped by a signal): nothing is left to do once the last answers are out (a pipe
        // is written asynchronously on some platforms).
        if (!deps.stdin) {
          if (process.stdout.writableLength > 0) await new Promise((r) => (process.stdout.once('drain', r), setTimeout(r, 2000).unref()));
          process.exit();
        }
      }
    });
}
