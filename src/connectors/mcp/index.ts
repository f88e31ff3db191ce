// MCP connector: Countersign between AI agents and upstream MCP servers. Every tools/call becomes an Action run
// through the Gateway (policy → hold → execute → mask → audit); tools/list hides what policy denies.
import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Principal } from '../../core/identity.js';
import { randomIds } from '../../core/clock.js';
import { parseDuration } from '../../config/duration.js';
import type { Gateway } from '../../pipeline/types.js';
import type { McpConfig, McpUpstreamConfig } from './config.js';
import { createHttpHandler, type Authenticate, type McpHttpHandler, type SessionCloseReason } from './http.js';
import { createSession, type HoldMode, type McpSession } from './session.js';
import { StreamServerTransport } from './stdio.js';
import { Upstream, type UpstreamMethod, type UpstreamOutcome, type UpstreamState } from './upstream.js';

export interface McpGatewayOptions {
  gateway: Gateway;
  /** `mcp.upstreams` from the config (validated by mcpConfigSchema). */
  upstreams: McpConfig['upstreams'];
  /** Default hold mode (`mcp.hold_mode`). Default `wait`. */
  holdMode?: HoldMode;
  /** Progress notification interval while a call is held. Default 10 000. */
  heartbeatMs?: number;
  /** Largest JSON-RPC message from an agent. Default 4 MiB. */
  maxMessageBytes?: number;
  /** Idle Streamable HTTP sessions close after this long. Default 30 min. */
  sessionIdleMs?: number;
  /** Open HTTP sessions per principal (default 32); see `mcp.max_sessions_per_principal`. */
  maxSessionsPerPrincipal?: number;
  /** Where `env_from` / `headers_env` values are read. Default process.env. */
  env?: Record<string, string | undefined>;
  /** The config file's directory: spawned upstreams run there and relative `cwd` values resolve against it. */
  baseDir?: string;
  /** Shortest gap between restarts of a crashed upstream. Default 1000. */
  restartBackoffMs?: number;
  /** On close, how long calls running upstream may go on before they are cut (held calls are answered at once). Default 5000. */
  shutdownGraceMs?: number;
  version?: string;
  /** The operator's log (default stderr): an upstream going down, a lost session, an error the gateway did not expect. */
  log?: (line: string) => void;
  /** Told of every call, read and prompt sent to an upstream (metrics). */
  onUpstreamCall?: (upstream: string, method: UpstreamMethod, outcome: UpstreamOutcome, seconds: number) => void;
}

export interface UpstreamStatus {
  name: string;
  state: UpstreamState;
  error?: string;
}

/** A downstream session served over a pair of streams (stdio). */
export interface McpStdioSession {
  session: McpSession;
  /** Resolves when the client closes its end (stdin ends) or the session is closed. */
  closed: Promise<void>;
}

export interface McpGateway {
  /** Connect every upstream (a failing one is reported, not thrown: it is retried on first use). */
  start(): Promise<UpstreamStatus[]>;
  /** Close every session and upstream (spawned servers are stopped). */
  close(): Promise<void>;
  /** Serve one agent over a stream pair, as `principal`. Default: this process's stdin/stdout. */
  serveStdio(principal: Principal, io?: { input?: Readable; output?: Writable }): Promise<McpStdioSession>;
  /** Serve one agent over any MCP SDK server transport (e.g. an in-memory pair in tests). */
  connect(principal: Principal, transport: Transport): Promise<McpSession>;
  /** A plain Node `(req, res)` handler for Streamable HTTP; mount it at `mcp.path`. */
  /** `challenge`: the `WWW-Authenticate` of a 401 (resourceMetadata(…).challenge when OIDC is configured). */
  httpHandler(opts: { authenticate: Authenticate; challenge?: (req: IncomingMessage) => string }): McpHttpHandler;
  /** Upstream status, for health checks. */
  status(): UpstreamStatus[];
  upstream(name: string): Upstream | undefined;
}

/**
 * Options from the validated `mcp:` config section.
 *
 * @example createMcpGateway({ gateway, ...mcpGatewayOptions(config.mcp) })
 */
export function mcpGatewayOptions(mcp: McpConfig): Omit<McpGatewayOptions, 'gateway'> {
  return {
    upstreams: mcp.upstreams,
    holdMode: mcp.hold_mode,
    heartbeatMs: (parseDuration(mcp.heartbeat) ?? 10) * 1000,
    maxMessageBytes: mcp.max_message_bytes,
    sessionIdleMs: (parseDuration(mcp.session_idle) ?? 1800) * 1000,
    maxSessionsPerPrincipal: mcp.max_sessions_per_principal,
  };
}

/**
 * Build the MCP gateway: one connection per upstream, shared by every downstream session.
 *
 * @example
 * const mcp = createMcpGateway({ gateway: pipeline, ...mcpGatewayOptions(config.mcp) });
 * await mcp.start();
 * server.on('request', (req, res) => req.url?.startsWith('/mcp') && mcp.httpHandler({ authenticate })(req, res));
 * // or, for `countersign mcp`: await (await mcp.serveStdio(principal)).closed;
 */
export function createMcpGateway(opts: McpGatewayOptions): McpGateway {
  const sessions = new Set<McpSession>();
  const handlers = new Set<McpHttpHandler>();
  const upstreams = new Map<string, Upstream>();
  const notifyAll = (): void => {
    for (const s of sessions) s.toolsChanged();
  };
  for (const cfg of opts.upstreams as McpUpstreamConfig[]) {
    upstreams.set(
      cfg.name,
      new Upstream(cfg, {
        env: opts.env,
        baseDir: opts.baseDir,
        restartBackoffMs: opts.restartBackoffMs,
        version: opts.version,
        ...(opts.log ? { log: opts.log } : {}),
        ...(opts.onUpstreamCall ? { onCall: (method: UpstreamMethod, outcome: UpstreamOutcome, seconds: number) => opts.onUpstreamCall!(cfg.name, method, outcome, seconds) } : {}),
        onToolsChanged: notifyAll,
        onPromptsChanged: () => {
          for (const s of sessions) s.promptsChanged();
        },
        onResourcesChanged: () => {
          for (const s of sessions) s.resourcesChanged();
        },
        onDown: () => {
          notifyAll();
          for (const s of sessions) {
            s.promptsChanged();
            s.resourcesChanged();
          }
        },
      }),
    );
  }
  const ctx = {
    gateway: opts.gateway,
    upstreams,
    holdMode: opts.holdMode ?? 'wait',
    heartbeatMs: opts.heartbeatMs ?? 10_000,
    version: opts.version ?? '0.1.0',
  } as const;
  const maxMessageBytes = opts.maxMessageBytes ?? 4 * 1024 * 1024;

  function open(principal: Principal, transport: 'stdio' | 'http' | 'custom'): McpSession {
    const session = createSession(ctx, principal, randomIds('mcps'), transport);
    sessions.add(session);
    void opts.gateway
      .record({ type: 'mcp.session_opened', principal: who(principal), summary: `MCP session over ${transport}`, data: { session: session.id, transport } })
      .catch(() => undefined);
    return session;
  }

  function closed(session: McpSession, reason: SessionCloseReason = 'client'): void {
    if (!sessions.delete(session)) return;
    void session.close();
    void opts.gateway
      .record({ type: 'mcp.session_closed', principal: who(session.principal), summary: 'MCP session closed', data: { session: session.id, reason } })
      .catch(() => undefined);
  }

  async function connect(principal: Principal, transport: Transport, kind: 'stdio' | 'custom' = 'custom'): Promise<McpSession> {
    const session = open(principal, kind);
    const prev = transport.onclose;
    transport.onclose = () => {
      prev?.();
      closed(session);
    };
    await session.server.connect(transport);
    return session;
  }

  return {
    async start() {
      await Promise.all([...upstreams.values()].map((u) => u.tools().catch(() => undefined)));
      return this.status();
    },
    status() {
      return [...upstreams.values()].map((u) => ({ name: u.name, state: u.state }));
    },
    upstream: (name) => upstreams.get(name),
    connect: (principal, transport) => connect(principal, transport),
    async serveStdio(principal, io = {}) {
      const transport = new StreamServerTransport(io.input ?? process.stdin, io.output ?? process.stdout, { maxMessageBytes });
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      const prev = transport.onclose;
      transport.onclose = () => {
        prev?.();
        resolve();
      };
      const session = await connect(principal, transport, 'stdio');
      return { session, closed: done };
    },
    httpHandler({ authenticate, challenge }) {
      const h = createHttpHandler({
        authenticate,
        ...(challenge ? { challenge } : {}),
        maxMessageBytes,
        sessionIdleMs: opts.sessionIdleMs ?? 30 * 60_000,
        maxSessionsPerPrincipal: opts.maxSessionsPerPrincipal ?? 32,
        ...(opts.shutdownGraceMs !== undefined ? { shutdownGraceMs: opts.shutdownGraceMs } : {}),
        openSession: (p) => open(p, 'http'),
        onSessionClosed: closed,
        recordAuthFailure: (code) => {
          const r = { summary: `MCP over HTTP: ${code}`, data: { code, transport: 'http', connector: 'mcp' } };
          return opts.gateway.refused ? opts.gateway.refused(r) : opts.gateway.record({ ...r, type: 'auth.failed', flush: 'soon' });
        },
      });
      handlers.add(h);
      return h;
    },
    async close() {
      await Promise.all([...handlers].map((h) => h.close()));
      await Promise.all([...sessions].map((s) => s.stopHeld(opts.shutdownGraceMs)));
      for (const s of [...sessions]) closed(s, 'gateway_stopped');
      await Promise.all([...upstreams.values()].map((u) => u.close()));
    },
  };
}

function who(p: Principal): { id: string; type: string; onBehalfOf?: string } {
  return { id: p.id, type: p.type, ...(p.onBehalfOf ? { onBehalfOf: p.onBehalfOf } : {}) };
}

export { mcpConfigSchema, mcpUpstreamSchema, type McpConfig, type McpConfigInput, type McpUpstreamConfig } from './config.js';
export { Upstream, type UpstreamMethod, type UpstreamOutcome, type UpstreamState } from './upstream.js';
export type { McpSession, HoldMode } from './session.js';
export { HOLD_MODE_META } from './session.js';
export { resourceMetadata, METADATA_PREFIX, type ResourceMetadata } from './resource-metadata.js';
export type { McpHttpHandler, Authenticate } from './http.js';
export { StreamServerTransport, LineParser } from './stdio.js';
export { toolCallInput, annotationTags, toolKind, exposedToolName, splitToolName } from './action.js';
export { maskMcpResult } from './mask.js';
export { MCP_ERROR_MAP, toolErrorOrThrow, toMcpError } from './errors.js';
