import { delimiter, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ErrorCode,
  McpError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type GetPromptResult,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CountersignError } from '../../core/errors.js';
import { parseDuration } from '../../config/duration.js';
import { LimitedStdioClientTransport, limitedFetch } from './limits.js';
import type { McpUpstreamConfig } from './config.js';

export type UpstreamState = 'idle' | 'connecting' | 'up' | 'down';

export interface UpstreamOptions {
  /** Environment the `*_env` fields read from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Directory relative `cwd` values resolve against, and the default working directory (the config file's). */
  baseDir?: string;
  /** Shortest gap between two restarts of a crashed upstream. */
  restartBackoffMs?: number;
  /** Called when the upstream's tool list changes, so sessions can tell their clients. */
  onToolsChanged?: () => void;
  /** Called when the upstream's prompt list changes. */
  onPromptsChanged?: () => void;
  /** Called when the upstream's resource list changes. */
  onResourcesChanged?: () => void;
  /** Told of every call, read and prompt sent to the upstream: how it ended and how long it took (metrics). */
  onCall?: (method: UpstreamMethod, outcome: UpstreamOutcome, seconds: number) => void;
  /** Called when the upstream goes down (crash, closed connection). */
  onDown?: (reason: string) => void;
  version?: string;
}

export type UpstreamMethod = 'tools/call' | 'resources/read' | 'prompts/get';
/** `ok`; `tool_error` (a tool result with isError); `error` (a JSON-RPC error); `timeout`; `unavailable` (down, crashed, cut off). */
export type UpstreamOutcome = 'ok' | 'tool_error' | 'error' | 'timeout' | 'unavailable';

export interface CallOptions {
  signal?: AbortSignal;
  /** Relay upstream progress to the caller. */
  onprogress?: (p: { progress: number; total?: number; message?: string }) => void;
}

type ResourceLists = { offered: boolean; resources: Resource[]; templates: ResourceTemplate[] };

const STDERR_TAIL = 2048;
/** Resource lists fetched less than this long ago are not fetched again on a refresh (an unknown URI read). */
export const REFRESH_MIN_MS = 2000;

/** `node_modules/.bin` of the Countersign package (this file is src/connectors/mcp/ or dist/connectors/mcp/). */
const OWN_BIN = fileURLToPath(new URL('../../../node_modules/.bin', import.meta.url));

/**
 * One upstream MCP server, spawned (stdio) or reached over Streamable HTTP, with the official SDK client. Connects
 * lazily, caches its tool list (refreshed on `tools/list_changed`), notices a crash (the connection closes: pending
 * calls fail with UPSTREAM_UNAVAILABLE) and reconnects on the next use, at most once per backoff period.
 * Every call has a timeout (`call_timeout`): a hung upstream fails with UPSTREAM_TIMEOUT.
 *
 * @example
 * const fs = new Upstream({ name: 'fs', command: 'mcp-server-filesystem', args: ['/tmp/demo'], ... });
 * const tools = await fs.tools();
 * const result = await fs.callTool('read_text_file', { path: '/tmp/demo/a.txt' });
 */
export class Upstream {
  state: UpstreamState = 'idle';
  private client?: Client;
  private connecting?: Promise<Client>;
  private toolCache?: Tool[];
  private promptCache?: Prompt[];
  private resourceCache?: ResourceLists;
  /** When the resource lists were last fetched (performance.now()): a `refresh` sooner than REFRESH_MIN_MS after is served from the cache. */
  private resourcesFetchedAt = -Infinity;
  private resourcesListing?: Promise<ResourceLists>;
  private lastStart = 0;
  private lastError = '';
  /** Why the gateway itself closed the current connection (set before it closes, cleared on reconnect). */
  private closeReason: string | undefined;
  private stderrTail = '';
  private readonly callTimeoutMs: number;
  private closed = false;

  constructor(
    readonly config: McpUpstreamConfig,
    private readonly opts: UpstreamOptions = {},
  ) {
    this.callTimeoutMs = (parseDuration(config.call_timeout) ?? 60) * 1000;
  }

  get name(): string {
    return this.config.name;
  }

  /** The connected client; (re)connects when needed. Throws UPSTREAM_UNAVAILABLE. */
  async connect(): Promise<Client> {
    if (this.closed) throw this.unavailable('the gateway is shutting down');
    if (this.client && this.state === 'up') return this.client;
    if (this.connecting) return this.connecting;
    const backoff = this.opts.restartBackoffMs ?? 1000;
    const since = Date.now() - this.lastStart;
    if (this.state === 'down' && since < backoff) {
      throw this.unavailable(`it is down (${this.lastError || 'connection closed'}); retrying in ${backoff - since} ms`);
    }
    this.lastStart = Date.now();
    this.state = 'connecting';
    this.connecting = this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client({ name: 'countersign', version: this.opts.version ?? '0.1.0' }, { capabilities: {} });
    this.closeReason = undefined;
    let transport: Transport;
    try {
      transport = this.transport(() => {
        this.closeReason = `it sent a message over ${this.config.max_message_bytes} bytes (max_message_bytes), so the gateway closed the connection`;
        void client.close().catch(() => undefined);
      });
    } catch (e) {
      // A variable env_from / headers_env names is unset (the gateway checks them at start, src/main.ts): the
      // upstream is down, not stuck "connecting", and the agent is not told the operator's variable names.
      this.state = 'down';
      this.lastError = 'a secret its configuration names is not set';
      throw this.unavailable(`it is not configured correctly (${this.lastError}; the operator can see which in the gateway log)`, e);
    }
    client.onclose = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.toolCache = undefined;
      this.promptCache = undefined;
      this.resourceCache = undefined;
      this.state = 'down';
      this.lastError = this.closeReason ?? 'the connection closed';
      this.opts.onDown?.(this.lastError);
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      this.toolCache = undefined;
      this.opts.onToolsChanged?.();
    });
    client.setNotificationHandler(PromptListChangedNotificationSchema, async () => {
      this.promptCache = undefined;
      this.opts.onPromptsChanged?.();
    });
    client.setNotificationHandler(ResourceListChangedNotificationSchema, async () => {
      this.resourceCache = undefined;
      this.opts.onResourcesChanged?.();
    });
    try {
      await client.connect(transport, { timeout: this.callTimeoutMs });
    } catch (e) {
      this.state = 'down';
      this.lastError = describe(e);
      await client.close().catch(() => undefined);
      throw this.unavailable(`it could not be started: ${this.lastError}`, e);
    }
    this.client = client;
    this.state = 'up';
    return client;
  }

  /** The SDK transport for this upstream, with the message ceiling; `oversize` is called when it is crossed. */
  private transport(oversize: () => void): Transport {
    const c = this.config;
    const env = this.opts.env ?? process.env;
    if (c.command !== undefined) {
      const childEnv: Record<string, string> = { ...getDefaultEnvironment(), ...c.env };
      // Commands installed with Countersign itself (the demo's reference servers) resolve even when the gateway
      // is started as `node dist/cli/main.js` rather than through npm; the operator's own PATH comes first.
      if (c.env.PATH === undefined) childEnv.PATH = childEnv.PATH ? `${childEnv.PATH}${delimiter}${OWN_BIN}` : OWN_BIN;
      for (const [name, from] of Object.entries(c.env_from)) {
        const v = env[from];
        if (v === undefined) throw new CountersignError('SECRET_MISSING', `environment variable ${from} (for upstream ${c.name}) is not set`);
        childEnv[name] = v;
      }
      const t = new LimitedStdioClientTransport(
        { command: c.command, args: c.args, env: childEnv, cwd: resolve(this.opts.baseDir ?? process.cwd(), c.cwd ?? '.'), stderr: 'pipe' },
        c.max_message_bytes,
        oversize,
      );
      this.stderrTail = '';
      t.stderr?.on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
      return t;
    }
    const headers: Record<string, string> = {};
    for (const [name, from] of Object.entries(c.headers_env)) {
      const v = env[from];
      if (v === undefined) throw new CountersignError('SECRET_MISSING', `environment variable ${from} (for upstream ${c.name}) is not set`);
      headers[name] = v;
    }
    return new StreamableHTTPClientTransport(new URL(c.url!), { requestInit: { headers }, fetch: limitedFetch(c.max_message_bytes, oversize) });
  }

  /** The last lines the spawned process wrote to stderr, for the operator (never sent to agents: may hold secrets). */
  get stderr(): string {
    return lastLine(this.stderrTail);
  }

  /** The upstream's tools (cached until it says they changed or it restarts). */
  async tools(): Promise<Tool[]> {
    if (this.toolCache && this.state === 'up') return this.toolCache;
    const client = await this.connect();
    const all = await this.paged((params, opts) => client.listTools(params, opts).then((p) => ({ items: p.tools, next: p.nextCursor })));
    if (this.client === client) this.toolCache = all;
    return all;
  }

  /** Find one tool by its upstream name; refreshes the list once when it is not known. */
  async tool(name: string): Promise<Tool | undefined> {
    const found = (await this.tools()).find((t) => t.name === name);
    if (found) return found;
    this.toolCache = undefined;
    return (await this.tools()).find((t) => t.name === name);
  }

  async callTool(name: string, args: Record<string, unknown>, opts: CallOptions = {}): Promise<CallToolResult> {
    return this.timed('tools/call', async () => {
      const client = await this.connect();
      const result = await this.guard(
        client.callTool({ name, arguments: args }, undefined, {
          signal: opts.signal,
          timeout: this.callTimeoutMs,
          ...(opts.onprogress ? { onprogress: opts.onprogress } : {}),
        }),
      );
      return result as CallToolResult;
    });
  }

  /** The upstream's prompts (cached until it says they changed or it restarts); none when it offers no prompts. */
  async prompts(): Promise<Prompt[]> {
    if (this.promptCache && this.state === 'up') return this.promptCache;
    const client = await this.connect();
    if (!client.getServerCapabilities()?.prompts) return [];
    const all = await this.paged((params, opts) => client.listPrompts(params, opts).then((p) => ({ items: p.prompts, next: p.nextCursor })));
    if (this.client === client) this.promptCache = all;
    return all;
  }

  /** Find one prompt by its upstream name; refreshes the list once when it is not known. */
  async prompt(name: string): Promise<Prompt | undefined> {
    const found = (await this.prompts()).find((p) => p.name === name);
    if (found) return found;
    this.promptCache = undefined;
    return (await this.prompts()).find((p) => p.name === name);
  }

  async getPrompt(name: string, args: Record<string, string>, opts: CallOptions = {}): Promise<GetPromptResult> {
    return this.timed('prompts/get', async () => {
      const client = await this.connect();
      return this.guard(client.getPrompt({ name, arguments: args }, { signal: opts.signal, timeout: this.callTimeoutMs }));
    });
  }

  /**
   * Resources and templates (cached until it says they changed or it restarts; `refresh` lists again unless the last
   * listing is less than REFRESH_MIN_MS old); `offered: false` and empty lists when the upstream does not offer
   * resources. Concurrent callers share one listing.
   */
  async resources(opts: { refresh?: boolean } = {}): Promise<ResourceLists> {
    // A read of a URI nobody lists asks for a refresh: an agent reading unknown URIs in a loop must not make every
    // upstream list its resources each time.
    if (this.resourceCache && this.state === 'up' && (!opts.refresh || performance.now() - this.resourcesFetchedAt < REFRESH_MIN_MS)) return this.resourceCache;
    this.resourcesListing ??= this.listResources().finally(() => (this.resourcesListing = undefined));
    return this.resourcesListing;
  }

  private async listResources(): Promise<ResourceLists> {
    const client = await this.connect();
    if (!client.getServerCapabilities()?.resources) {
      const none = { offered: false, resources: [], templates: [] };
      if (this.client === client) this.resourceCache = none;
      return none;
    }
    const resources = await this.paged((params, opts) => client.listResources(params, opts).then((p) => ({ items: p.resources, next: p.nextCursor })));
    const templates = await this.paged((params, opts) => client.listResourceTemplates(params, opts).then((p) => ({ items: p.resourceTemplates, next: p.nextCursor }))).catch(
      () => [] as ResourceTemplate[],
    );
    const listed = { offered: true, resources, templates };
    if (this.client === client) (this.resourceCache = listed), (this.resourcesFetchedAt = performance.now());
    return listed;
  }

  async readResource(uri: string, opts: CallOptions = {}): Promise<ReadResourceResult> {
    return this.timed('resources/read', async () => {
      const client = await this.connect();
      return this.guard(client.readResource({ uri }, { signal: opts.signal, timeout: this.callTimeoutMs }));
    });
  }

  /** Run one call and tell `onCall` how it ended and how long it took. */
  private async timed<T>(method: UpstreamMethod, call: () => Promise<T>): Promise<T> {
    const onCall = this.opts.onCall;
    if (!onCall) return call();
    const t = performance.now();
    const report = (outcome: UpstreamOutcome) => {
      try {
        onCall(method, outcome, (performance.now() - t) / 1000);
      } catch {
        // metrics are best effort
      }
    };
    try {
      const r = await call();
      report((r as { isError?: unknown }).isError === true ? 'tool_error' : 'ok');
      return r;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      report(code === 'UPSTREAM_TIMEOUT' ? 'timeout' : code === 'UPSTREAM_UNAVAILABLE' ? 'unavailable' : 'error');
      throw e;
    }
  }

  /** Every page of a paginated MCP list (`cursor` → `nextCursor`), each request under the call timeout. */
  private async paged<T>(list: (params: { cursor?: string }, opts: { timeout: number }) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.guard(list(cursor ? { cursor } : {}, { timeout: this.callTimeoutMs }));
      all.push(...page.items);
      cursor = page.next;
    } while (cursor);
    return all;
  }

  /** Map SDK faults to Countersign errors: closed connection → UPSTREAM_UNAVAILABLE, timeout → UPSTREAM_TIMEOUT. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      // The gateway cut this connection itself (a message over the ceiling): say so, whatever error the SDK saw.
      if (this.closeReason) throw this.unavailable(this.closeReason, e);
      if (e instanceof McpError && e.code === ErrorCode.ConnectionClosed) {
        throw this.unavailable('it closed the connection while the call was running (crashed?)', e);
      }
      if (e instanceof McpError && e.code === ErrorCode.RequestTimeout) {
        throw new CountersignError('UPSTREAM_TIMEOUT', `upstream ${this.name} did not answer within ${this.callTimeoutMs / 1000}s`, { upstream: this.name }, { cause: e });
      }
      if (e instanceof TypeError && this.config.url) {
        // fetch failed: the remote server is unreachable.
        this.state = 'down';
        this.lastError = describe(e);
        throw this.unavailable(`it is unreachable (${describe(e)})`, e);
      }
      throw e;
    }
  }

  private unavailable(why: string, cause?: unknown): CountersignError {
    return new CountersignError('UPSTREAM_UNAVAILABLE', `upstream ${this.name} is unavailable: ${why}`, { upstream: this.name }, { cause });
  }

  /** Close the connection (and the spawned process). */
  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    this.state = 'down';
    await this.connecting?.catch(() => undefined);
    await (c ?? this.client)?.close().catch(() => undefined);
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message.slice(0, 300);
  return String(e).slice(0, 300);
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
