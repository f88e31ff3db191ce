import { delimiter, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
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
import { CachedList } from './cached-list.js';
import { watchedFetch } from './http-watch.js';
import { LimitedStdioClientTransport, limitedFetch } from './limits.js';
import type { McpUpstreamConfig } from './config.js';

export { REFRESH_MIN_MS } from './cached-list.js';

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
  /**
   * Where the operator's log lines go (default: stderr): the upstream going down, a lost session, an error the
   * gateway did not expect. One line each, with the error's name, code and message, never arguments or results.
   */
  log?: (line: string) => void;
  /** Milliseconds on a monotonic clock (default performance.now), for the listing refresh floor. */
  now?: () => number;
  version?: string;
}

export type UpstreamMethod = 'tools/call' | 'resources/read' | 'prompts/get';
/** `ok`; `tool_error` (a tool result with isError); `error` (a JSON-RPC error); `timeout` (or the caller gave up); `unavailable` (down, crashed, cut off). */
export type UpstreamOutcome = 'ok' | 'tool_error' | 'error' | 'timeout' | 'unavailable';

export interface CallOptions {
  signal?: AbortSignal;
  /** Relay upstream progress to the caller. */
  onprogress?: (p: { progress: number; total?: number; message?: string }) => void;
}

type ResourceLists = { offered: boolean; resources: Resource[]; templates: ResourceTemplate[] };

/** The options the SDK takes for one request. */
type RequestOptions = { signal: AbortSignal; timeout: number };

/** One SDK client connection to the upstream, and what the gateway knows of its end. */
interface Connection {
  readonly client: Client;
  /** Why the gateway closes it (set before it closes it): what calls in flight on it are told. */
  reason?: string;
  /** It has closed (the SDK rejects the calls in flight on it then). */
  closed: boolean;
}

/** A request's POST was answered 404: the upstream no longer knows the session and did not run the request. */
class SessionRefused extends Error {
  constructor(override readonly cause: unknown) {
    super('the upstream no longer knows the session (HTTP 404)');
  }
}

const STDERR_TAIL = 2048;
/**
 * The gateway times each request itself (`call_timeout`), so that a timeout is known to be one; the SDK's own timer
 * (which rejects with the same JSON-RPC code an upstream may send, -32001) is set this much later, never to fire first.
 */
const SDK_TIMER_SLACK_MS = 1000;

/** `node_modules/.bin` of the Countersign package (this file is src/connectors/mcp/ or dist/connectors/mcp/). */
const OWN_BIN = fileURLToPath(new URL('../../../node_modules/.bin', import.meta.url));

/**
 * One upstream MCP server, spawned (stdio) or reached over Streamable HTTP, with the official SDK client. Connects
 * lazily, caches its tool list (refreshed on `tools/list_changed`), notices a crash (the connection closes: pending
 * calls fail with UPSTREAM_UNAVAILABLE) and reconnects on the next use, at most once per backoff period. Over HTTP a
 * broken response stream or a refused connection counts as a crash, and a session the upstream forgot (HTTP 404) is
 * replaced by a new one. Every call has a timeout (`call_timeout`): a hung upstream fails with UPSTREAM_TIMEOUT.
 *
 * @example
 * const fs = new Upstream({ name: 'fs', command: 'mcp-server-filesystem', args: ['/tmp/demo'], ... });
 * const tools = await fs.tools();
 * const result = await fs.callTool('read_text_file', { path: '/tmp/demo/a.txt' });
 */
export class Upstream {
  state: UpstreamState = 'idle';
  private conn?: Connection;
  private connecting?: Promise<Connection>;
  private readonly toolList: CachedList<Tool[]>;
  private readonly promptList: CachedList<Prompt[]>;
  private readonly resourceList: CachedList<ResourceLists>;
  private lastStart = 0;
  private lastError = '';
  private stderrTail = '';
  private readonly callTimeoutMs: number;
  private closed = false;

  constructor(
    readonly config: McpUpstreamConfig,
    private readonly opts: UpstreamOptions = {},
  ) {
    this.callTimeoutMs = (parseDuration(config.call_timeout) ?? 60) * 1000;
    const now = opts.now ?? (() => performance.now());
    this.toolList = new CachedList(now);
    this.promptList = new CachedList(now);
    this.resourceList = new CachedList(now);
  }

  get name(): string {
    return this.config.name;
  }

  /** The connected client; (re)connects when needed. Throws UPSTREAM_UNAVAILABLE. */
  async connect(): Promise<Client> {
    return (await this.connection()).client;
  }

  private async connection(): Promise<Connection> {
    if (this.closed) throw this.unavailable('the gateway is shutting down');
    if (this.conn && this.state === 'up') return this.conn;
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

  private async open(): Promise<Connection> {
    const client = new Client({ name: 'countersign', version: this.opts.version ?? '0.1.0' }, { capabilities: {} });
    const conn: Connection = { client, closed: false };
    let transport: Transport;
    try {
      transport = this.transport(conn);
    } catch (e) {
      // A variable env_from / headers_env names is unset (the gateway checks them at start, src/main.ts): the
      // upstream is down, not stuck "connecting", and the agent is not told the operator's variable names.
      this.state = 'down';
      this.lastError = 'a secret its configuration names is not set';
      throw this.unavailable(`it is not configured correctly (${this.lastError}; the operator can see which in the gateway log)`, e);
    }
    // The SDK calls this before it rejects the calls in flight, so they can tell why.
    client.onclose = () => {
      conn.closed = true;
      if (this.conn !== conn) return;
      this.conn = undefined;
      this.clearLists();
      this.state = 'down';
      this.lastError = conn.reason ?? 'the connection closed';
      if (!this.closed) this.log(`down: ${this.lastError}`);
      this.opts.onDown?.(this.lastError);
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      this.toolList.clear();
      this.opts.onToolsChanged?.();
    });
    client.setNotificationHandler(PromptListChangedNotificationSchema, async () => {
      this.promptList.clear();
      this.opts.onPromptsChanged?.();
    });
    client.setNotificationHandler(ResourceListChangedNotificationSchema, async () => {
      this.resourceList.clear();
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
    if (conn.closed) {
      this.state = 'down';
      this.lastError = conn.reason ?? 'the connection closed';
      throw this.unavailable(`it could not be started: ${this.lastError}`);
    }
    this.conn = conn;
    this.state = 'up';
    return conn;
  }

  private clearLists(): void {
    this.toolList.clear();
    this.promptList.clear();
    this.resourceList.clear();
  }

  /**
   * Close `conn` because of what the gateway saw (`reason`, told to the calls in flight on it as "upstream … is
   * unavailable: <reason>"). Closing rejects those calls at once; the next use reconnects.
   */
  private drop(conn: Connection, reason: string): void {
    if (conn.closed || conn.reason !== undefined) return;
    conn.reason = reason;
    void conn.client.close().catch(() => undefined);
  }

  /** The SDK transport for this upstream, with the message ceiling; crossing it, or a broken HTTP connection, drops `conn`. */
  private transport(conn: Connection): Transport {
    const c = this.config;
    const env = this.opts.env ?? process.env;
    const oversize = () => this.drop(conn, `it sent a message over ${c.max_message_bytes} bytes (max_message_bytes), so the gateway closed the connection`);
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
    // The SDK leaves a call whose response stream broke (the upstream died mid-call) waiting for its timeout, and
    // reports a refused connection only to the one request: either means the upstream is gone (a restarted one has
    // lost the session too), so the connection is closed, every call in flight fails now, and the next use reconnects.
    const watched = watchedFetch(fetch, {
      broken: (e, during) => this.drop(conn, during === 'request' ? `it is unreachable (${describe(e)})` : `its connection broke while calls were running (${describe(e)})`),
      sessionLost: (status) => this.drop(conn, `it no longer knows the gateway's session (HTTP ${status}; restarted?)`),
    });
    return new StreamableHTTPClientTransport(new URL(c.url!), { requestInit: { headers }, fetch: limitedFetch(c.max_message_bytes, oversize, watched) });
  }

  /** The last lines the spawned process wrote to stderr, for the operator (never sent to agents: may hold secrets). */
  get stderr(): string {
    return lastLine(this.stderrTail);
  }

  /** The upstream's tools (cached until it says they changed or it restarts; `refresh`: see CachedList). */
  async tools(opts: { refresh?: boolean } = {}): Promise<Tool[]> {
    return this.toolList.get(
      () => this.withConnection('tools/list', (conn) => this.paged(conn, 'tools/list', (params, o) => conn.client.listTools(params, o).then((p) => ({ items: p.tools, next: p.nextCursor })))),
      opts.refresh === true,
    );
  }

  /** Find one tool by its upstream name; lists again when it is not known, unless the list is fresh (REFRESH_MIN_MS). */
  async tool(name: string): Promise<Tool | undefined> {
    return (await this.tools()).find((t) => t.name === name) ?? (await this.tools({ refresh: true })).find((t) => t.name === name);
  }

  async callTool(name: string, args: Record<string, unknown>, opts: CallOptions = {}): Promise<CallToolResult> {
    return this.timed('tools/call', () =>
      this.withConnection('tools/call', (conn) =>
        this.request(
          conn,
          'tools/call',
          (o) => conn.client.callTool({ name, arguments: args }, undefined, { ...o, ...(opts.onprogress ? { onprogress: opts.onprogress } : {}) }) as Promise<CallToolResult>,
          opts.signal,
        ),
      ),
    );
  }

  /** The upstream's prompts (cached as tools are); none when it offers no prompts. */
  async prompts(opts: { refresh?: boolean } = {}): Promise<Prompt[]> {
    return this.promptList.get(
      () =>
        this.withConnection('prompts/list', async (conn) => {
          if (!conn.client.getServerCapabilities()?.prompts) return [];
          return this.paged(conn, 'prompts/list', (params, o) => conn.client.listPrompts(params, o).then((p) => ({ items: p.prompts, next: p.nextCursor })));
        }),
      opts.refresh === true,
    );
  }

  /** Find one prompt by its upstream name; lists again when it is not known, unless the list is fresh (REFRESH_MIN_MS). */
  async prompt(name: string): Promise<Prompt | undefined> {
    return (await this.prompts()).find((p) => p.name === name) ?? (await this.prompts({ refresh: true })).find((p) => p.name === name);
  }

  async getPrompt(name: string, args: Record<string, string>, opts: CallOptions = {}): Promise<GetPromptResult> {
    return this.timed('prompts/get', () =>
      this.withConnection('prompts/get', (conn) => this.request(conn, 'prompts/get', (o) => conn.client.getPrompt({ name, arguments: args }, o), opts.signal)),
    );
  }

  /**
   * Resources and templates (cached until it says they changed or it restarts; `refresh` lists again unless the last
   * listing is less than REFRESH_MIN_MS old); `offered: false` and empty lists when the upstream does not offer
   * resources. Concurrent callers share one listing.
   */
  async resources(opts: { refresh?: boolean } = {}): Promise<ResourceLists> {
    // A read of a URI nobody lists asks for a refresh: an agent reading unknown URIs in a loop must not make every
    // upstream list its resources each time.
    return this.resourceList.get(() => this.withConnection('resources/list', (conn) => this.listResources(conn)), opts.refresh === true);
  }

  private async listResources(conn: Connection): Promise<ResourceLists> {
    if (!conn.client.getServerCapabilities()?.resources) return { offered: false, resources: [], templates: [] };
    const client = conn.client;
    const resources = await this.paged(conn, 'resources/list', (params, o) => client.listResources(params, o).then((p) => ({ items: p.resources, next: p.nextCursor })));
    const templates = await this.paged(conn, 'resources/templates/list', (params, o) => client.listResourceTemplates(params, o).then((p) => ({ items: p.resourceTemplates, next: p.nextCursor }))).catch((e) => {
      // A session the upstream forgot fails the whole listing (retried on a new one); anything else: no templates.
      if (e instanceof SessionRefused) throw e;
      return [] as ResourceTemplate[];
    });
    return { offered: true, resources, templates };
  }

  async readResource(uri: string, opts: CallOptions = {}): Promise<ReadResourceResult> {
    return this.timed('resources/read', () =>
      this.withConnection('resources/read', (conn) => this.request(conn, 'resources/read', (o) => conn.client.readResource({ uri }, o), opts.signal)),
    );
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
      // TIMEOUT: the caller stopped waiting while the upstream ran the call.
      report(code === 'UPSTREAM_TIMEOUT' || code === 'TIMEOUT' ? 'timeout' : code === 'UPSTREAM_UNAVAILABLE' ? 'unavailable' : 'error');
      throw e;
    }
  }

  /**
   * Run `work` on the connection (connecting first when needed). When the upstream refused a request of it because it
   * no longer knows the session (SessionRefused: HTTP 404 to the request's POST), `work` runs once more on a new
   * session. That is safe because a 404 to the POST means the upstream did not take the request: under MCP
   * Streamable HTTP a server that accepts a request answers it on a 200 (JSON or an event stream), and 404 is its
   * answer for a session it no longer has. Nothing else is retried: a call that failed any other way may have run.
   */
  private async withConnection<T>(what: string, work: (conn: Connection) => Promise<T>): Promise<T> {
    try {
      return await work(await this.connection());
    } catch (e) {
      if (!(e instanceof SessionRefused)) throw e;
      this.log(`${what}: it no longer knows the gateway's session (HTTP 404; restarted?); opening a new session and sending the request once more`);
    }
    try {
      return await work(await this.connection());
    } catch (e) {
      if (e instanceof SessionRefused) throw this.unavailable('it refused a new session too (HTTP 404)', e.cause);
      throw e;
    }
  }

  /** Every page of a paginated MCP list (`cursor` → `nextCursor`), each request under the call timeout. */
  private async paged<T>(conn: Connection, what: string, list: (params: { cursor?: string }, opts: RequestOptions) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.request(conn, what, (o) => list(cursor ? { cursor } : {}, o));
      all.push(...page.items);
      cursor = page.next;
    } while (cursor);
    return all;
  }

  /**
   * Send one request on `conn` under the call timeout and map how it failed. Crash and timeout are told from what the
   * gateway saw (the connection closed, its own timer fired), never from the JSON-RPC code of an error: the SDK's
   * "connection closed" (-32000) and "request timed out" (-32001) share their codes with errors any upstream may
   * send, and an upstream's own error is its answer, passed on as it came.
   */
  private async request<T>(conn: Connection, what: string, send: (opts: RequestOptions) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new Error(`no answer within ${this.callTimeoutMs / 1000}s`)); // the SDK sends the upstream a cancellation
    }, this.callTimeoutMs);
    const cancel = () => ac.abort(signal?.reason);
    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await send({ signal: ac.signal, timeout: this.callTimeoutMs + SDK_TIMER_SLACK_MS });
    } catch (e) {
      throw this.failure(conn, what, e, timedOut, signal?.aborted === true);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** What a failed request on `conn` becomes (see `request`). */
  private failure(conn: Connection, what: string, e: unknown, timedOut: boolean, cancelled: boolean): unknown {
    // The connection closed under the call: the upstream crashed, or the gateway closed it (and says why).
    if (conn.reason !== undefined || conn.closed) return this.unavailable(conn.reason ?? 'it closed the connection while the call was running (crashed?)', e);
    if (timedOut) return new CountersignError('UPSTREAM_TIMEOUT', `upstream ${this.name} did not answer within ${this.callTimeoutMs / 1000}s`, { upstream: this.name }, { cause: e });
    if (cancelled) return new CountersignError('TIMEOUT', `the caller cancelled the call while upstream ${this.name} was running it`, { upstream: this.name }, { cause: e });
    // An error the upstream sent (or the SDK raised about its answer, e.g. a result that does not fit the tool's
    // output schema): the upstream's answer.
    if (e instanceof McpError) return e;
    if (e instanceof StreamableHTTPError) {
      // The HTTP status of the request's POST (the SDK's message quotes the response body: not logged).
      if (e.code === 404) {
        this.drop(conn, "it no longer knows the gateway's session (HTTP 404; restarted?)");
        return new SessionRefused(e);
      }
      if (e.code === 400) {
        // Servers built like the SDK's examples (server-everything among them) answer a session they do not know with
        // 400, not 404: the session is presumed gone and the next call opens a new one. The request is not sent again:
        // a 400 does not say for certain that the upstream did not run it.
        this.drop(conn, "it refused the gateway's session (HTTP 400; restarted?)");
        this.log(`${what}: HTTP 400 to the request; opening a new session on the next call`);
        return this.unavailable(`it refused the request (HTTP 400; restarted?); the next call opens a new session`, e);
      }
      this.log(`${what}: HTTP ${e.code} to the request`);
      return this.unavailable((e.code ?? -1) > 0 ? `it refused the request (HTTP ${e.code})` : 'it answered in a way the gateway cannot read', e);
    }
    // Nothing the gateway knows how to map: the agent gets INTERNAL ("the gateway log has details"), so log it here.
    this.log(`${what}: unexpected error: ${oneLine(e)}`);
    return e;
  }

  private unavailable(why: string, cause?: unknown): CountersignError {
    return new CountersignError('UPSTREAM_UNAVAILABLE', `upstream ${this.name} is unavailable: ${why}`, { upstream: this.name }, { cause });
  }

  private log(text: string): void {
    const line = `mcp upstream ${this.name}: ${text}`;
    try {
      if (this.opts.log) this.opts.log(line);
      else process.stderr.write(`${line}\n`);
    } catch {
      // logging is best effort
    }
  }

  /** Close the connection (and the spawned process). */
  async close(): Promise<void> {
    this.closed = true;
    const c = this.conn;
    this.conn = undefined;
    this.state = 'down';
    const pending = await this.connecting?.catch(() => undefined);
    const last = c ?? pending;
    if (last) last.reason ??= 'the gateway is shutting down';
    await last?.client.close().catch(() => undefined);
  }
}

/** An error as one log line: its name, code and message (no stack; the message cut at 300 characters). */
function oneLine(e: unknown): string {
  if (!(e instanceof Error)) return `${typeof e}: ${String(e).replace(/\s+/g, ' ').slice(0, 300)}`;
  const code = (e as { code?: unknown }).code;
  return `${e.name}${code !== undefined ? ` (code ${String(code)})` : ''}: ${e.message.replace(/\s+/g, ' ').slice(0, 300)}`;
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message.slice(0, 300);
  return String(e).slice(0, 300);
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
