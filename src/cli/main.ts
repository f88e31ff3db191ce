#!/usr/bin/env node
import { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isCountersignError } from '../core/errors.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerKeysCommands } from './commands/keys.js';
import { registerMaskCommands } from './commands/mask.js';
import { registerMcpCommands } from './commands/mcp.js';
import { registerApprovalsCommands } from './commands/approvals.js';

const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Where the config is: --config, else $COUNTERSIGN_CONFIG, else ./countersign.yaml. */
export function configPath(given?: string): string {
  return given ?? process.env.COUNTERSIGN_CONFIG ?? 'countersign.yaml';
}

// The runtime, the HTTP server, the config loader and the stores are imported when a command needs them, so
// `countersign --help` and the HTTP client commands (approvals) start in a fraction of the time.
const loadConfig = async (file: string) => (await import('../config/load.js')).loadConfig(file);

const program = new Command('countersign')
  .description('Identity-aware gateway: policy, human approval, masking and a tamper-evident audit trail for every action agents, pipelines and people take')
  .version(version)
  .option('-c, --config <path>', 'configuration file (default: $COUNTERSIGN_CONFIG or ./countersign.yaml)')
  .showHelpAfterError();

program
  .command('serve')
  .description('Run the gateway: HTTP API, MCP over Streamable HTTP, approvals, audit')
  .option('-c, --config <path>', 'configuration file (default: $COUNTERSIGN_CONFIG or ./countersign.yaml)')
  .option('--port <port>', 'override server.port', (v) => Number(v))
  .option('--host <host>', 'override server.host')
  .action(async (o: { config?: string; port?: number; host?: string }) => {
    const file = configPath(o.config ?? program.opts<{ config?: string }>().config);
    const cfg = await loadConfig(file);
    process.stderr.write(`countersign ${version}: loading ${file}\n`);
    const [{ createRuntime }, { startServer }] = await Promise.all([import('../main.js'), import('../api/server.js')]);
    const rt = await createRuntime(cfg, { startMcp: true });
    for (const w of rt.warnings) process.stderr.write(`warning: ${w}\n`);
    for (const s of rt.mcp.status()) process.stderr.write(`mcp upstream ${s.name}: ${s.state}\n`);
    let srv: Awaited<ReturnType<typeof startServer>>;
    try {
      srv = await startServer(rt, { port: o.port, host: o.host });
    } catch (e) {
      await rt.close(); // stop the upstreams too, so the process can exit with the error
      throw e;
    }
    await rt.gateway.record({ type: 'gateway.started', data: { version, store: cfg.store.driver } });
    process.stderr.write(`countersign listening on ${srv.url} (API /v1, MCP ${(cfg.mcp as { path?: string }).path ?? '/mcp'}, /healthz, /metrics)\n`);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write('countersign: shutting down\n');
      // The server stops taking requests first, and the refusals it counted are recorded: `gateway.stopped` is the
      // gateway's last event.
      await srv.close();
      await rt.gateway.refusals.flush();
      await rt.gateway.record({ type: 'gateway.stopped' }).catch(() => undefined);
      await rt.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
  });

registerMcpCommands(program, {
  async open(path) {
    const { createRuntime } = await import('../main.js');
    const rt = await createRuntime(await loadConfig(configPath(path ?? program.opts<{ config?: string }>().config)));
    return { gateway: rt.gateway, authenticator: rt.authenticator, mcp: rt.config.mcp, baseDir: rt.config.baseDir, close: () => rt.close() };
  },
});
registerApprovalsCommands(program);
// Verify and export only read: the store is opened read-only and a missing SQLite file is AUDIT_NOT_FOUND, not created.
registerAuditCommands(program, async () => {
  const cfg = await loadConfig(configPath(program.opts<{ config?: string }>().config));
  return (await import('../store/open.js')).openStoreForReading(cfg.store, cfg.baseDir);
}, async () => {
  const cfg = await loadConfig(configPath(program.opts<{ config?: string }>().config));
  const file = (await import('../main.js')).devAuditKeyFile(cfg);
  return existsSync(file) ? { file, privateKey: readFileSync(file, 'utf8').trim() } : undefined;
}, async () => (await loadConfig(configPath(program.opts<{ config?: string }>().config))).audit.signing_key_env,
async () => (await loadConfig(configPath(program.opts<{ config?: string }>().config))).audit.checkpoint_every);
registerPolicyCommands(program);
// Key changes are audit events (key.created / key.revoked), written to the gateway's own log. The log is opened on the
// first event only, so `keys list` writes nothing. Checkpoints are signed only with the key in the environment: an
// operator's shell without it must not sign with another key (verify would then report a bad checkpoint); the
// gateway signs these events with its next checkpoint.
registerKeysCommands(program, async (opts = {}) => {
  const cfg = await loadConfig(configPath(program.opts<{ config?: string }>().config));
  // Only `serve` creates a store, or `keys create --init-store` when asked: a mistyped path is refused, not given a
  // new, empty store of its own.
  const { openExistingStore, openStore } = await import('../store/open.js');
  const store = opts.create ? await openStore(cfg.store, cfg.baseDir) : await openExistingStore(cfg.store, cfg.baseDir);
  let log: import('../audit/log.js').ManagedAuditLog | undefined;
  const audit = {
    async append(event: import('../audit/types.js').AuditEventInput) {
      if (!log) {
        const [{ createAuditLog }, { createAuditSigner }] = await Promise.all([import('../audit/log.js'), import('../audit/signing.js')]);
        const key = process.env[cfg.audit.signing_key_env];
        log = createAuditLog({ store, signer: key ? createAuditSigner(key) : undefined, checkpointEvery: cfg.audit.checkpoint_every, durability: cfg.audit.durability });
      }
      return log.append(event);
    },
    close: async () => log?.close(),
  };
  async function cancelPendingForKey(key: { id: string; principalId: string }, by: string): Promise<string[]> {
    const pending = (await store.listRequests({ status: ['pending'], principalId: key.principalId, limit: 10_000 })).filter((r) => r.principal.keyId === key.id);
    if (pending.length === 0) return [];
    const [{ ApprovalService }, { systemClock, randomIds }, { isCountersignError }] = await Promise.all([import('../approvals/service.js'), import('../core/clock.js'), import('../core/errors.js')]);
    const approvals = new ApprovalService({ store, audit, clock: systemClock, ids: randomIds });
    const done: string[] = [];
    for (const r of pending) {
      try {
        await approvals.cancel(r.id, by, `the requester's API key ${key.id} was revoked`);
        done.push(r.id);
      } catch (e) {
        if (!(isCountersignError(e) && e.code === 'REQUEST_FINISHED')) throw e; // decided meanwhile: nothing to cancel
      }
    }
    return done;
  }
  return Object.assign(store, { audit, cancelPendingForKey, staticPrincipalIds: cfg.identity.static_tokens.map((t) => t.id) });
});
registerMaskCommands(program);

// Output piped into a reader that stops early (`approvals list | head`) ends the command quietly, as a closed pipe ends
// any Unix tool, instead of an unhandled EPIPE. `countersign mcp` is left out: its transport handles its own stdout.
program.hook('preAction', (_root, command) => {
  if (command.name() === 'mcp') return;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
});

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(isCountersignError(e) ? `error: ${e.code}: ${e.message}\n` : `error: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
