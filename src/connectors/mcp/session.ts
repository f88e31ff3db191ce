import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { z } from 'zod';
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type GetPromptResult,
  type Prompt,
  type ReadResourceResult,
  type RequestId,
  type Resource,
  type ServerResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { MAX_ACTION_DEPTH, type ActionInput } from '../../core/action.js';
import { nestedDeeperThan } from '../../core/canonical.js';
import type { Principal } from '../../core/identity.js';
import type { MaskContext } from '../../core/masking.js';
import { CountersignError, asCountersignError, isGatewayStopping } from '../../core/errors.js';
import type { Gateway, PendingInfo } from '../../pipeline/types.js';
import { exposedToolName, promptGetInput, resourceReadInput, splitToolName, toolCallInput, toolSummary } from './action.js';
import { describeIssues, heldText, logInternal, maskRefusal, maskUpstreamError, pendingResult, pendingText, refusalError, rpcError, toMcpError, toolErrorOrThrow } from './errors.js';
import { maskMcpResult } from './mask.js';
import { ResourceCatalog, type UpstreamResources } from './resources.js';
import { listedOutputSchema } from './schema.js';
import type { Upstream } from './upstream.js';

/** What the SDK hands a request handler besides the request (signal, request id, notifications). */
type Extra = Parameters<Parameters<Server['setRequestHandler']>[1]>[1];

export type HoldMode = 'wait' | 'return_pending';

/** What every session of one MCP gateway shares. */
export interface SessionContext {
  gateway: Gateway;
  upstreams: Map<string, Upstream>;
  holdMode: HoldMode;
  heartbeatMs: number;
  version: string;
}

/** One downstream client: its principal, its SDK server, and its calls in flight (to cancel on disconnect). */
export interface McpSession {
  readonly id: string;
  readonly principal: Principal;
  readonly server: Server;
  /**
   * The client proved its credential again on this session (a request with a credential `sameCredential` accepts):
   * a renewed OIDC token's later expiry holds from now on, for calls in flight (held ones included) too. Never
   * shortens it: a request that still carried the older token was valid when it came.
   */
  renew(proof: Principal): void;
  /** Cancel one in-flight request (the client went away): a held call's approval request is cancelled. */
  abort(requestId: RequestId, reason?: string): void;
  /** How many tool calls or reads are running or held. */
  readonly inflight: number;
  /**
   * The gateway is stopping: every call not running upstream yet (held, or being decided) is answered now (a tool
   * error, GATEWAY_STOPPING: an approval request it waited on stays open, to be waited on again at a running gateway)
   * and calls running upstream get up to `waitMs` to finish, so no client is left without an answer when the
   * transport closes.
   */
  stopHeld(waitMs?: number): Promise<void>;
  /** Tell the client the tool list changed (an upstream restarted or changed its tools). */
  toolsChanged(): void;
  /** Tell the client the prompt list changed. */
  promptsChanged(): void;
  /** Tell the client the resource list changed. */
  resourcesChanged(): void;
  close(): Promise<void>;
}

/** Protocol's own handler registration: the Server's override re-validates tools/call and dumps raw schema issues. */
const register = Protocol.prototype.setRequestHandler as unknown as (this: Server, schema: z.ZodType, handler: (req: unknown, extra: Extra) => Promise<ServerResult>) => void;

/** `_meta` key a client may set on one call to choose the hold mode: `wait` or `return_pending`. */
export const HOLD_MODE_META = 'countersign/holdMode';

const LISTINGS = new Set(['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']);

/**
 * Build the SDK server for one downstream session. Handlers: tools/list (prefixed, hidden when policy denies),
 * tools/call (policy → hold → upstream → mask), resources/list, resources/templates/list, resources/read.
 * Unknown methods get the SDK's JSON-RPC "method not found".
 *
 * @example
 * const s = createSession(ctx, principal, 'sess_1', 'stdio');
 * await s.server.connect(transport);
 */
export function createSession(ctx: SessionContext, openedBy: Principal, id: string, transport: 'stdio' | 'http' | 'custom'): McpSession {
  const { gateway } = ctx;
  // The session's own copy: `renew` moves its expiry, and every action of the session refers to it.
  const principal: Principal = { ...openedBy };
  const server = new Server(
    { name: 'countersign', version: ctx.version },
    {
      // Declared whatever the upstreams offer (they connect lazily, restart and change): the lists may be empty,
      // and a prompt or resource nobody offers is answered -32602, never -32601 (the methods exist).
      capabilities: { tools: { listChanged: true }, resources: { listChanged: true }, prompts: { listChanged: true } },
      instructions:
        'Tools are provided through Countersign. Each call is checked by policy; some wait for a human approver. ' +
        'A refused call returns an error that says why: change course rather than retrying it unchanged.',
    },
  );
  /**
   * `server.setRequestHandler`, with bad params answered as JSON-RPC -32602 (invalid params) in one short line. The
   * SDK checks a request against its schema before the handler and reports a mismatch as -32603 (internal error),
   * which blames the gateway for the client's mistake, and for tools/call as -32602 with the raw list of schema
   * issues; here the SDK sees only the method (registered below the Server's tools/call wrapper) and the handler
   * checks the rest.
   */
  function handle<S extends z.ZodType<{ method: string }>>(schema: S, handler: (req: z.output<S>, extra: Extra) => Promise<ServerResult>): void {
    const method = (schema as unknown as { shape: { method: { value: string } } }).shape.method.value;
    register.call(server, z.looseObject({ method: z.literal(method) }), async (req: unknown, extra: Extra) => {
      const parsed = schema.safeParse(req);
      if (!parsed.success) throw rpcError(ErrorCode.InvalidParams, `Invalid params for ${method}: ${describeIssues(parsed.error)}`);
      // A listing is no action, so the pipeline does not see it: the session's key is checked here (revoked while the
      // session is open: nothing more is listed either). Calls, reads and prompts are checked by the pipeline.
      if (LISTINGS.has(method) && gateway.stillValid) {
        try {
          await gateway.stillValid(principal, method);
        } catch (e) {
          const err = asCountersignError(e);
          await logInternal(gateway.masker, err, method);
          throw err.code === 'AUTH_INVALID' || err.code === 'AUTH_EXPIRED' ? rpcError(ErrorCode.InvalidRequest, `${err.message}: nothing is listed`, { code: err.code }) : toMcpError(err);
        }
      }
      try {
        return await handler(parsed.data, extra);
      } catch (e) {
        // Handlers convert their errors; whatever escapes still leaves as a JSON-RPC error with public text only
        // (an McpError the gateway did not make or mask keeps its code only).
        if (!(e instanceof McpError)) await logInternal(gateway.masker, e, method);
        throw toMcpError(e);
      }
    });
  }
  const controllers = new Map<RequestId, AbortController>();
  /** The requests among them whose action runs upstream now (the others are being decided, or held). */
  const running = new Set<RequestId>();
  const who = { id: principal.id, type: principal.type, ...(principal.onBehalfOf ? { onBehalfOf: principal.onBehalfOf } : {}) };

  /**
   * How one request is held: the hold mode (`_meta` of the request, else the upstream's, else the gateway's) and the
   * progress notifications that keep a waiting client informed (only when it sent a progressToken).
   */
  function holding(meta: Record<string, unknown> | undefined, upstream: Upstream, extra: Extra, signal: AbortSignal) {
    const progressToken = meta?.progressToken as string | number | undefined;
    const metaMode = meta?.[HOLD_MODE_META];
    const holdMode: HoldMode = metaMode === 'wait' || metaMode === 'return_pending' ? metaMode : upstream.config.hold_mode ?? ctx.holdMode;
    let lastProgress = 0;
    /**
     * One progress notification. Progress must increase, and the gateway's own notifications (held, heartbeats) come
     * first: an upstream's value is raised past them when needed, and its `total` by as much (what remains is kept).
     */
    const progress = (message: string | undefined, value?: number, total?: number): void => {
      if (progressToken === undefined || signal.aborted) return;
      const sent = Math.max(lastProgress + 1, value ?? 0);
      const params = {
        progressToken,
        progress: sent,
        ...(total !== undefined ? { total: total + (value === undefined ? 0 : sent - value) } : {}),
        ...(message !== undefined ? { message } : {}),
      };
      lastProgress = sent;
      void extra.sendNotification({ method: 'notifications/progress', params }).catch(() => undefined);
    };
    /**
     * The upstream's progress while the action runs, relayed in order: its message masked as the result will be
     * (`mask`), and left out when masking fails. `drained` settles once every notification so far is sent, so none
     * arrives after the answer.
     */
    const relay = (mask: MaskContext) => {
      let queue = Promise.resolve();
      return {
        onprogress: (p: { progress: number; total?: number; message?: string }) => {
          queue = queue.then(async () => {
            let message: string | undefined;
            if (p.message !== undefined) message = await gateway.masker.maskText(p.message, mask).then((m) => m.text, () => undefined);
            progress(message, p.progress, p.total);
          });
        },
        drained: () => queue,
      };
    };
    return {
      progress,
      relay,
      options: {
        signal,
        holdMode,
        // An agent learns how a request it was handed ended only by calling again: tell it then.
        tellOutcome: true,
        heartbeatMs: ctx.heartbeatMs,
        onPending: (info: PendingInfo) => progress(heldText(info)),
        onHeartbeat: (ms: number, info: PendingInfo) => progress(`still waiting for approval ${info.requestId} (${Math.round(ms / 1000)}s)`),
        maskWith: (r: unknown, c: MaskContext) => maskMcpResult(gateway.masker, r as never, c),
      },
    };
  }

  function track(requestId: RequestId, signal: AbortSignal): AbortController {
    const c = new AbortController();
    if (signal.aborted) c.abort(signal.reason);
    else signal.addEventListener('abort', () => c.abort(signal.reason), { once: true });
    controllers.set(requestId, c);
    return c;
  }

  /** `requestId` is the JSON-RPC id; `e` the error the call ended with, whose approval request (if any) is named too. */
  async function cancelled(requestId: RequestId, resource: string, summary: string, e: unknown): Promise<void> {
    const err = asCountersignError(e);
    const approval = (err.details as { requestId?: unknown } | undefined)?.requestId;
    await gateway
      .record({ type: 'mcp.call_cancelled', principal: who, resource, summary, data: { session: id, requestId: String(requestId), stage: err.code, ...(typeof approval === 'string' ? { approvalRequestId: approval } : {}) } })
      .catch(() => undefined);
  }

  /**
   * Hide an item of `u` from a listing when policy denies it to the principal with empty arguments (`probe` builds
   * that action). A policy that cannot be evaluated hides it too: the call would be refused as well.
   */
  function deniedProbe(u: Upstream, probe: () => ActionInput): boolean {
    if (!u.config.hide_denied_tools) return false;
    try {
      return gateway.decide(probe()).effect === 'deny';
    } catch {
      return true;
    }
  }
  const hidden = (u: Upstream, t: Tool) =>
    deniedProbe(u, () => toolCallInput({ principal, upstream: u.name, tool: t.name, annotations: t.annotations, arguments: {}, summary: toolSummary(u.name, t.name, {}) }));
  const promptHidden = (u: Upstream, p: Prompt) =>
    deniedProbe(u, () => promptGetInput({ principal, upstream: u.name, prompt: p.name, arguments: {}, summary: toolSummary(u.name, p.name, {}) }));

  /** The summary of a read of `uri` (the upstream's own URI) from `u`: the URI masked. */
  const readSummary = async (u: Upstream, uri: string) => `${u.name} read ${(await gateway.masker.maskText(uri)).text}`;

  /**
   * The resources of `c` this principal may read: a resource is hidden, as a tool is, when policy denies the read
   * the gateway would build for it (its own URI, its summary). A summary that cannot be built (masking failed)
   * hides it too (fail closed). Templates stand for many URIs that conditions may tell apart, so they are not probed.
   */
  async function readable(c: ResourceCatalog): Promise<{ resources: Resource[]; hidden: number }> {
    const probes = new Map<string, Map<string, string | undefined>>(); // upstream → own URI → summary
    await Promise.all(
      c.entries().map(async ({ upstream, resource }) => {
        const u = ctx.upstreams.get(upstream);
        if (!u?.config.hide_denied_tools) return;
        const summary = await readSummary(u, resource.uri).catch(() => undefined);
        let m = probes.get(upstream);
        if (!m) probes.set(upstream, (m = new Map()));
        m.set(resource.uri, summary);
      }),
    );
    let hidden = 0;
    const resources = c.resources((upstream, r) => {
      const u = ctx.upstreams.get(upstream);
      const summaries = probes.get(upstream);
      if (!u || !summaries?.has(r.uri)) return true;
      const summary = summaries.get(r.uri);
      const deny = summary === undefined || deniedProbe(u, () => resourceReadInput({ principal, upstream: u.name, uri: r.uri, summary }));
      if (deny) hidden++;
      return !deny;
    });
    return { resources, hidden };
  }

  /**
   * One listing across every upstream: each item renamed `<upstream>.<name>` (`expose`), those policy denies dropped
   * (`isHidden`), upstreams that failed to answer named; recorded as `type` with the counts.
   */
  async function listAll<T extends { name: string }>(
    type: 'mcp.tools_listed' | 'mcp.prompts_listed',
    what: string,
    fetch: (u: Upstream) => Promise<T[]>,
    isHidden: (u: Upstream, item: T) => boolean,
    expose: (u: Upstream, item: T) => T,
  ): Promise<T[]> {
    const lists = await Promise.all([...ctx.upstreams.values()].map((u) => fetch(u).then((items) => ({ u, items }), () => ({ u, items: undefined }))));
    const out: T[] = [];
    const unavailable: string[] = [];
    let hiddenCount = 0;
    for (const { u, items } of lists) {
      if (!items) {
        unavailable.push(u.name);
        continue;
      }
      for (const item of items) {
        if (isHidden(u, item)) hiddenCount++;
        else out.push(expose(u, item));
      }
    }
    await gateway.record({
      type,
      principal: who,
      summary: `${out.length} ${what} listed, ${hiddenCount} hidden${unavailable.length ? `, unavailable: ${unavailable.join(', ')}` : ''}`,
      data: { session: id, listed: out.length, hidden: hiddenCount, unavailable },
      flush: 'soon', // a listing gates no action: committed before the list goes back, on disk within 200 ms
    });
    return out;
  }

  handle(ListToolsRequestSchema, async () => ({
    tools: await listAll('mcp.tools_listed', 'tools', (u) => u.tools(), hidden, (u, t) => ({
      ...t,
      name: exposedToolName(u.name, t.name),
      ...(t.outputSchema ? { outputSchema: listedOutputSchema(t.outputSchema) } : {}),
    })),
  }));

  handle(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
    const name = req.params.name;
    const split = splitToolName(name);
    const upstream = split && ctx.upstreams.get(split.upstream);
    if (!split || !upstream) throw rpcError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const args = (req.params.arguments ?? {}) as Record<string, unknown>;
    // The action's detail is { tool, arguments }: one level above the arguments.
    if (nestedDeeperThan(args, MAX_ACTION_DEPTH - 1)) throw rpcError(ErrorCode.InvalidParams, `Invalid params for tools/call: arguments nest deeper than ${MAX_ACTION_DEPTH - 1} levels`);
    const controller = track(extra.requestId, extra.signal);
    const signal = controller.signal;
    let summary = name;
    try {
      const tool = await upstream.tool(split.tool);
      if (!tool) throw rpcError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
      summary = toolSummary(upstream.name, split.tool, (await gateway.masker.maskValue(args)).value);
      const input = toolCallInput({ principal, upstream: upstream.name, tool: split.tool, annotations: tool.annotations, arguments: args, summary, context: { session: id } });
      const { relay, options } = holding(req.params._meta, upstream, extra, signal);
      const run = await gateway.run(
        input,
        async (action, mask) => {
          const d = action.detail as { tool: string; arguments: Record<string, unknown> };
          running.add(extra.requestId);
          const progress = relay(mask);
          try {
            return await upstream.callTool(d.tool, d.arguments, { signal, onprogress: progress.onprogress });
          } catch (e) {
            // The upstream's error text reaches the agent: masked with the decision's profile, as the result would be.
            throw await maskUpstreamError(gateway.masker, e, mask);
          } finally {
            await progress.drained();
          }
        },
        { ...options, summaryMasked: true }, // the summary is built from the masked arguments above
      );
      if (run.status === 'pending') return pendingResult(run.pending);
      return run.result as CallToolResult;
    } catch (thrown) {
      // An upstream's error from before the decision (listing its tools) has no decision's profile: the default.
      const e = await maskUpstreamError(gateway.masker, thrown, { scope: principal.id });
      if (signal.aborted) {
        await cancelled(extra.requestId, upstream.name, summary, e);
        // A gateway that stops answers the client, who is still there (the SDK sends what this returns); a request
        // the client cancelled gets nothing.
        if (isGatewayStopping(e)) return toolErrorOrThrow(e);
        if (isGatewayStopping(signal.reason)) return toolErrorOrThrow(signal.reason);
        throw toMcpError(e); // the SDK sends nothing for a cancelled request
      }
      await logInternal(gateway.masker, e, `tools/call ${name}`);
      // An approver's reason is free text: masked before the model reads it.
      return toolErrorOrThrow(await maskRefusal(gateway.masker, e));
    } finally {
      controllers.delete(extra.requestId);
      running.delete(extra.requestId);
    }
  });

  /** The last catalog and the upstream lists it was built from (each upstream caches its list object). */
  let lastCatalog: { from: object[]; catalog: ResourceCatalog } | undefined;

  /** Every upstream's resources (cached by each upstream; `refresh` lists again), and the upstreams that did not answer. */
  async function catalog(refresh = false): Promise<{ catalog: ResourceCatalog; unavailable: string[] }> {
    const names = [...ctx.upstreams.keys()];
    const from = await Promise.all([...ctx.upstreams.values()].map((u) => u.resources({ refresh }).catch(() => undefined)));
    const unavailable = names.filter((_, i) => !from[i]);
    // Unchanged lists (the same cached objects): the catalog built from them still holds.
    if (!unavailable.length && lastCatalog && lastCatalog.from.length === from.length && lastCatalog.from.every((o, i) => o === from[i])) {
      return { catalog: lastCatalog.catalog, unavailable };
    }
    const lists = from.map((r, i): UpstreamResources => ({ upstream: names[i]!, ...(r ?? { offered: false, resources: [], templates: [] }) }));
    const c = new ResourceCatalog(lists);
    lastCatalog = unavailable.length ? undefined : { from: from as object[], catalog: c };
    return { catalog: c, unavailable };
  }

  handle(ListResourcesRequestSchema, async () => {
    const { catalog: c, unavailable } = await catalog();
    const { resources, hidden: hiddenCount } = await readable(c);
    await gateway.record({
      type: 'mcp.resources_listed',
      principal: who,
      summary: `${resources.length} resources listed, ${hiddenCount} hidden${c.collisions ? `, ${c.collisions} listed by several upstreams (prefixed)` : ''}${unavailable.length ? `, unavailable: ${unavailable.join(', ')}` : ''}`,
      data: { session: id, listed: resources.length, hidden: hiddenCount, collisions: c.collisions, unavailable },
      flush: 'soon',
    });
    return { resources: await described(resources) };
  });

  handle(ListResourceTemplatesRequestSchema, async () => {
    const { catalog: c, unavailable } = await catalog();
    const resourceTemplates = c.templates();
    await gateway.record({
      type: 'mcp.resources_listed',
      principal: who,
      summary: `${resourceTemplates.length} resource templates listed${unavailable.length ? `, unavailable: ${unavailable.join(', ')}` : ''}`,
      data: { session: id, templates: resourceTemplates.length, unavailable },
      flush: 'soon',
    });
    return { resourceTemplates: await described(resourceTemplates) };
  });

  /**
   * A listing's words about each resource — its name, title and description, which an upstream may fill with what it
   * holds (a customer's e-mail, a file named after a person) — masked as an upstream's other words are (the default
   * profile, the principal's token scope); the URI stays as it is, since reads are routed by it. Fails closed.
   */
  async function described<T extends { name?: string; title?: string; description?: string }>(items: T[]): Promise<T[]> {
    const mask = async (v: unknown) => (typeof v === 'string' && v ? (await gateway.masker.maskText(v, { scope: principal.id })).text : v);
    return Promise.all(
      items.map(async (it) => {
        const [name, title, description] = await Promise.all([mask(it.name), mask(it.title), mask(it.description)]);
        return { ...it, ...(name !== undefined ? { name } : {}), ...(title !== undefined ? { title } : {}), ...(description !== undefined ? { description } : {}) } as T;
      }),
    );
  }

  handle(ListPromptsRequestSchema, async () => ({
    prompts: await listAll('mcp.prompts_listed', 'prompts', (u) => u.prompts(), promptHidden, (u, p) => ({ ...p, name: exposedToolName(u.name, p.name) })),
  }));

  /**
   * A read-like request (a resource read, a prompt) through the pipeline: decided, held as a tool call is (progress
   * notifications while held; `return_pending` answers at once), its result masked. Refusals and a pending answer
   * are JSON-RPC errors (these results have no isError); a client that goes away is recorded.
   */
  async function runRead<T>(
    extra: Extra,
    meta: Record<string, unknown> | undefined,
    upstream: Upstream,
    what: 'prompt' | 'resource read',
    /** Checks the request and builds the summary, from masked values only (the pipeline does not mask it again). */
    prepare: () => Promise<string>,
    input: (summary: string) => ActionInput,
    execute: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const method = what === 'prompt' ? 'prompts/get' : 'resources/read';
    const controller = track(extra.requestId, extra.signal);
    let summary = upstream.name;
    try {
      summary = await prepare();
      const { options } = holding(meta, upstream, extra, controller.signal);
      const run = await gateway.run(
        input(summary),
        // The upstream's error text reaches the agent: masked with the decision's profile, as the result would be.
        (_action, mask) => (running.add(extra.requestId), execute(controller.signal)).catch(async (e: unknown) => Promise.reject(await maskUpstreamError(gateway.masker, e, mask))),
        { ...options, summaryMasked: true },
      );
      if (run.status === 'pending') {
        const p = run.pending;
        throw rpcError(ErrorCode.InvalidRequest, pendingText(p, what), { code: 'APPROVAL_PENDING', requestId: p.requestId, expiresAt: p.expiresAt });
      }
      return run.result as T;
    } catch (thrown) {
      // An upstream's error from before the decision (looking the prompt up) has no decision's profile: the default.
      const e = await maskUpstreamError(gateway.masker, thrown, { scope: principal.id });
      if (controller.signal.aborted) await cancelled(extra.requestId, upstream.name, summary, e);
      else await logInternal(gateway.masker, e, method);
      // Cut by a gateway that stops, while it ran upstream: said so (the client is still there to read it).
      const reason = controller.signal.reason;
      if (isGatewayStopping(reason) && !isGatewayStopping(e)) throw refusalError(reason);
      throw refusalError(await maskRefusal(gateway.masker, e));
    } finally {
      controllers.delete(extra.requestId);
      running.delete(extra.requestId);
    }
  }

  handle(GetPromptRequestSchema, async (req, extra) => {
    const name = req.params.name;
    const split = splitToolName(name);
    const upstream = split && ctx.upstreams.get(split.upstream);
    if (!split || !upstream) throw rpcError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
    const args = req.params.arguments ?? {};
    return runRead<GetPromptResult>(
      extra,
      req.params._meta,
      upstream,
      'prompt',
      async () => {
        // Known prompts only (as for tools): a name the upstream does not offer is the client's mistake, not an action.
        if (!(await upstream.prompt(split.tool))) throw rpcError(ErrorCode.InvalidParams, `Unknown prompt: ${name} (list prompts first)`);
        return toolSummary(upstream.name, split.tool, (await gateway.masker.maskValue(args)).value);
      },
      (summary) => promptGetInput({ principal, upstream: upstream.name, prompt: split.tool, arguments: args, summary, context: { session: id } }),
      (signal) => upstream.getPrompt(split.tool, args, { signal }),
    );
  });

  handle(ReadResourceRequestSchema, async (req, extra) => {
    const asked = req.params.uri;
    let route = (await catalog()).catalog.resolve(asked);
    let unavailable: string[] = [];
    if (route.kind === 'unknown') {
      const fresh = await catalog(true);
      route = fresh.catalog.resolve(asked);
      unavailable = fresh.unavailable;
    }
    if (route.kind === 'ambiguous') {
      throw rpcError(ErrorCode.InvalidParams, `Ambiguous resource: ${asked} is listed by ${route.upstreams.join(' and ')}; read ${route.choices.join(' or ')}`, {
        uri: asked,
        choices: route.choices,
      });
    }
    if (route.kind === 'unknown') {
      const down = unavailable.length ? `; unavailable now: ${unavailable.join(', ')}` : '';
      throw rpcError(ErrorCode.InvalidParams, `Resource not found: ${asked} (no upstream lists it; list resources first${down})`, { uri: asked });
    }
    const upstream = ctx.upstreams.get(route.upstream)!;
    const uri = route.uri;
    return runRead<ReadResourceResult>(
      extra,
      req.params._meta,
      upstream,
      'resource read',
      () => readSummary(upstream, uri),
      (summary) => resourceReadInput({ principal, upstream: upstream.name, uri, summary }),
      (signal) => upstream.readResource(uri, { signal }),
    );
  });

  return {
    id,
    principal,
    server,
    renew(proof) {
      if (proof.expiresAt !== undefined && principal.expiresAt !== undefined && proof.expiresAt > principal.expiresAt) principal.expiresAt = proof.expiresAt;
    },
    abort(requestId, reason = 'the client disconnected') {
      controllers.get(requestId)?.abort(new Error(reason));
    },
    get inflight() {
      return controllers.size;
    },
    async stopHeld(waitMs = 5000) {
      const reason = new CountersignError('GATEWAY_STOPPING', 'the gateway is shutting down');
      // Every call not yet running upstream: held, or on its way to a decision (which would otherwise hold it).
      for (const [rid, c] of controllers) if (!running.has(rid)) c.abort(reason);
      const settle = async (ms: number) => {
        const until = Date.now() + ms;
        while (controllers.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      };
      await settle(waitMs);
      // Still running past the grace: cut (the upstream is told to cancel), and answered as such before the transport
      // closes; its action.failed is recorded before the gateway's last event.
      const cut = new CountersignError('GATEWAY_STOPPING', 'the gateway stopped while the call was running upstream; it may have run', { running: true });
      for (const c of controllers.values()) c.abort(cut);
      await settle(2000);
      await new Promise((r) => setImmediate(r)); // the last answers reach the transport before it closes
    },
    toolsChanged() {
      void server.sendToolListChanged().catch(() => undefined);
    },
    promptsChanged() {
      void server.sendPromptListChanged().catch(() => undefined);
    },
    resourcesChanged() {
      void server.sendResourceListChanged().catch(() => undefined);
    },
    async close() {
      for (const c of controllers.values()) c.abort(new Error('the session closed'));
      await server.close().catch(() => undefined);
    },
  };
}
