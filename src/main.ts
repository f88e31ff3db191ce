import { systemClock, randomIds, type Clock, type IdSource } from './core/clock.js';
import { normalizePrincipalId, type Authenticator } from './core/identity.js';
import { ApprovalService } from './approvals/service.js';
import { createAuditLog } from './audit/log.js';
import type { AuditSigner } from './audit/signing.js';
import { auditSignerForConfig } from './audit/config-signer.js';
import type { LoadedConfig } from './config/load.js';
import { missingUpstreamSecrets } from './config/secrets.js';
import { CountersignError, isCountersignError } from './core/errors.js';
import { createAuthenticator } from './identity/index.js';
import { loadStaticTokens } from './identity/static-tokens.js';
import { createMasker, type MaskingEngine } from './masking/index.js';
import { parseDuration } from './config/duration.js';
import { createPipeline } from './pipeline/pipeline.js';
import type { RefusalRecorder } from './pipeline/refusals.js';
import { openStore } from './store/open.js';
import type { Store, TokenStore } from './store/types.js';
import { createMcpGateway, mcpGatewayOptions, type McpGateway } from './connectors/mcp/index.js';
import type { Gateway } from './pipeline/types.js';
import { createMetrics, type Metrics } from './api/metrics.js';

/** Everything a running gateway is made of. main.ts is the only place that picks concrete implementations. */
export interface Runtime {
  config: LoadedConfig;
  store: Store;
  masker: MaskingEngine;
  audit: ReturnType<typeof createAuditLog>;
  signer: AuditSigner;
  approvals: ApprovalService;
  gateway: Gateway & { approvals: ApprovalService; refused: NonNullable<Gateway['refused']>; refusals: RefusalRecorder };
  authenticator: Authenticator;
  mcp: McpGateway;
  /** Prometheus metrics, fed by the pipeline and the MCP gateway; served at /metrics by `serve`. */
  metrics: Metrics;
  clock: Clock;
  warnings: string[];
  close(): Promise<void>;
}

export interface RuntimeOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  ids?: IdSource;
  /** Start MCP upstreams now (serve does; short-lived CLI commands need not). */
  startMcp?: boolean;
  /** Use this store instead of opening the configured one (tests). */
  store?: Store;
}

/**
 * Build a gateway from a loaded config: store → masker → audit → policy → approvals → pipeline → identity → MCP.
 *
 * @example
 * const rt = await createRuntime(await loadConfig('countersign.yaml'));
 * await rt.gateway.run(input, () => doIt());
 */
export async function createRuntime(config: LoadedConfig, opts: RuntimeOptions = {}): Promise<Runtime> {
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? systemClock;
  const ids = opts.ids ?? randomIds;
  const warnings = [...config.warnings];
  if (config.identity.static_tokens.length > 0) {
    warnings.push(
      `identity.static_tokens: ${config.identity.static_tokens.length} development bearer token(s) that never expire are accepted; ` +
        'use API keys (countersign keys create) and OIDC in production',
    );
  }
  // Every secret is checked before anything is created (the store file, the development audit key), and every missing
  // one is named in one error: a start refused for a secret leaves nothing behind and needs one fix, not several.
  const maskKeyText = env[config.masking.key_env];
  let opened: Store | undefined = opts.store;
  // The engine reaches the token store through this, so it can be built (and refuse a missing key) before the store opens.
  const tokens: TokenStore = {
    putToken: (...a) => opened!.putToken(...a),
    getToken: (...a) => opened!.getToken(...a),
  };
  const problems: CountersignError[] = [];
  const check = <T>(build: () => T): T | undefined => {
    try {
      return build();
    } catch (e) {
      if (!isCountersignError(e) || (e.code !== 'SECRET_MISSING' && e.code !== 'CONFIG_INVALID')) throw e;
      problems.push(e);
      return undefined;
    }
  };
  const missing = missingUpstreamSecrets(config.mcp.upstreams, env);
  if (missing.length > 0) {
    const list = missing.map((m) => `${m.variable} (upstream ${m.upstream}, ${m.field}.${m.name})`).join(', ');
    problems.push(new CountersignError('SECRET_MISSING', `environment variable${missing.length === 1 ? '' : 's'} ${list} ${missing.length === 1 ? 'is' : 'are'} not set`, missing));
  }
  const built = check(() => createMasker(config.masking, { key: maskKeyText ? decodeKey(maskKeyText) : undefined, tokens, clock }));
  check(() => loadStaticTokens(config.identity.static_tokens, env));
  // A signing key that is set is checked now (a malformed one is refused with the rest); an unset one is the
  // development key's case, made beside the store once it opens.
  if (env[config.audit.signing_key_env]) check(() => auditSignerForConfig(config, env, []));
  if (!opened && config.store.driver === 'postgres') {
    if (!env[config.store.url_env]) problems.push(new CountersignError('SECRET_MISSING', `environment variable ${config.store.url_env} (PostgreSQL URL for the store) is not set`));
    if (!env[config.audit.signing_key_env]) check(() => auditSignerForConfig(config, env, []));
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    const code = problems.some((e) => e.code === 'SECRET_MISSING') ? 'SECRET_MISSING' : 'CONFIG_INVALID';
    throw new CountersignError(code, problems.map((e) => e.message).join('; '), problems.map((e) => ({ code: e.code, message: e.message })));
  }
  if (!built) throw new Error('invariant: the masking engine was built when no secret was missing');
  const masker = built;
  const store = opened ?? (await openStore(config.store, config.baseDir, env));
  opened = store;
  try {
    // One principal id, one identity: a static token for the principal of an active API key would share its
    // approvals and masking tokens (`keys create` refuses the other order).
    const statics = new Set(config.identity.static_tokens.map((t) => normalizePrincipalId(t.id)));
    if (statics.size > 0) {
      const taken = (await store.listKeys()).filter((k) => k.revokedAt === undefined && statics.has(normalizePrincipalId(k.principal.id)));
      if (taken.length > 0) {
        throw new CountersignError('PRINCIPAL_TAKEN', `identity.static_tokens: ${[...new Set(taken.map((k) => k.principal.id))].join(', ')} ${taken.length === 1 ? 'is' : 'are'} also the principal of active API key${taken.length === 1 ? '' : 's'} ${taken.map((k) => k.id).join(', ')}: give the static token another id, or revoke the key`);
      }
    }
    const signer = auditSignerForConfig(config, env, warnings);
    // `audit verify` checks every checkpoint against one public key: a gateway that signs with another key than the
    // log's newest checkpoint (a wrong key variable on one of several gateways, or a rotation) is told at start.
    const newest = (await store.checkpoints()).at(-1);
    if (newest && newest.keyId !== signer.keyId) {
      warnings.push(
        `the audit log's newest checkpoint (event ${newest.seq}) was signed with key ${newest.keyId}; this gateway signs with ${signer.keyId}. ` +
          '`audit verify` checks one key: unless this is a deliberate rotation (verify the log with the old key first), give every gateway the same audit key',
      );
    }
    const audit = createAuditLog({ store, signer, clock, checkpointEvery: config.audit.checkpoint_every,
      checkpointIntervalMs: (parseDuration(config.audit.checkpoint_interval) ?? 60) * 1000,
      durability: config.audit.durability,
      masker,
    });
    const approvals = new ApprovalService({ store, audit, clock, ids, masker, maxPendingPerPrincipal: config.approvals.max_pending_per_principal });
    await approvals.start();
    let mcp: McpGateway | undefined;
    const metrics = createMetrics({ approvals, mcp: { status: () => mcp?.status() ?? [] }, resources: [...config.resources.map((r) => r.name), ...config.mcp.upstreams.map((u) => u.name)] });
    const authenticator = createAuthenticator({ config: config.identity, keys: store, clock, env });
    const gateway = createPipeline({ policy: config.compiledPolicy, approvals, audit, masker, clock, observer: metrics.observer, credentials: authenticator });
    mcp = createMcpGateway({ gateway, ...mcpGatewayOptions(config.mcp), baseDir: config.baseDir, env, onUpstreamCall: metrics.upstreamCall });
    if (opts.startMcp) await mcp.start();
    let closed = false;
    return {
      config, store, masker, audit, signer, approvals, gateway, authenticator, mcp, metrics, clock, warnings,
      async close() {
        if (closed) return;
        closed = true;
        approvals.stop();
        await mcp.close().catch(() => undefined);
        await gateway.refusals.flush();
        await audit.close().catch(() => undefined);
        if (!opts.store) await store.close();
      },
    };
  } catch (e) {
    if (!opts.store) await store.close().catch(() => undefined);
    throw e;
  }
}

/** Keys from the environment may be base64, base64url or hex. */
function decodeKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-f]{64,}$/i.test(t)) return Buffer.from(t, 'hex');
  return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export { devAuditKeyFile } from './audit/config-signer.js';
