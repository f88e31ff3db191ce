import { createHash, randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { ACTION_KINDS, type ActionInput } from '../core/action.js';
import { CountersignError, asCountersignError } from '../core/errors.js';
import { samePrincipalId, type Principal } from '../core/identity.js';
import { bearerChallenge, principalFromRequest } from '../identity/index.js';
import { exportLine } from '../audit/export.js';
import { verifyTicketSignature } from '../audit/signing.js';
import { canonicalJson } from '../core/canonical.js';
import { UNPRINTABLE } from '../core/text.js';
import type { RequestView } from '../approvals/service.js';
import type { Runtime } from '../main.js';
import type { Metrics } from './metrics.js';

type Env = { Variables: { principal: Principal } };

/** Preview and context in a list of requests are cut to this many bytes of JSON each; GET /v1/requests/{id} has them whole. */
export const LIST_PREVIEW_BYTES = 4096;
/** How long an outcome ticket (POST /v1/actions) is good for: an outcome is reported right after the action runs. */
const OUTCOME_TICKET_MS = 24 * 3600_000;
/**
 * How long after it ran an approved action's execution takes a report found by its request (no ticket, no memory):
 * a ticket's life, plus a few minutes for the time between the execution and the answer that carried the ticket.
 */
const OUTCOME_EXECUTION_MS = OUTCOME_TICKET_MS + 5 * 60_000;
/**
 * How long a claimed outcome is kept in the store: past the life of every ticket, remembered allowance and execution
 * that could claim it again, with an hour to spare for the clocks of gateways sharing the store disagreeing.
 */
const OUTCOME_CLAIM_KEEP_MS = OUTCOME_EXECUTION_MS + 3600_000;
/** Claims older than that are deleted at most this often, by the report that comes along. */
const OUTCOME_FORGET_EVERY_MS = 60_000;
/** How many allowances the API remembers for /v1/actions/outcome (the least recently allowed actions forgotten first)... */
const OUTCOME_MEMORY = 10_000;
/** ...and at most this many of one identical action (same caller and digest), oldest forgotten first. */
const OUTCOME_MEMORY_PER_ACTION = 100;

/**
 * One allowed action as a report finds it. `nonce` names this allowance (and no other of the identical action): its
 * report claims `outcome:<nonce>`, so it is taken once whichever way it comes (memory, ticket, another gateway).
 */
interface Allowance {
  resource: string;
  requestId: string | null;
  nonce: string;
  expires: number;
  /** Memory only: its report is known to be taken (here, or on another gateway by its ticket). */
  reported?: boolean;
}

/** An integer query parameter: absent → `dflt`; not an integer → BAD_REQUEST; else clamped to min..max. */
function intQuery(value: string | undefined, name: string, dflt: number, min: number, max: number): number {
  if (value === undefined || value === '') return dflt;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CountersignError('BAD_REQUEST', `${name} must be an integer`, [{ path: name, message: 'not an integer' }]);
  return Math.min(Math.max(n, min), max);
}

/** The shape of a configured resource name (src/config/sections.ts), required of a free one too. */
const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Who may read every request and the audit log: people. Agents and services see only their own requests. */
const isHuman = (p: Principal) => p.type === 'human';

/** A JSON value cut to `max` bytes of its JSON text: the value itself when it fits, else the cut text. */
function bounded(v: unknown, max: number): { value: unknown; truncated: boolean } {
  const text = JSON.stringify(v) ?? 'null';
  if (Buffer.byteLength(text) <= max) return { value: v, truncated: false };
  let cut = Buffer.from(text).subarray(0, max).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return { value: cut + '…', truncated: true };
}

const ONE_LINE = 'must be one line of printable text: no control characters, line breaks or bidirectional overrides';

/** What a caller submits: an action described by the caller (SDK, pipeline step, API client). */
const actionBody = z.strictObject({
  resource: z.string().min(1).max(200),
  // `unmask` is POST /v1/unmask's own kind: that route binds the approval to the token and releases the value.
  kind: z.enum(ACTION_KINDS).refine((k) => k !== 'unmask', 'an unmask is asked for with POST /v1/unmask'),
  // What approvers read comes as written: one line of printable text (no escape sequences, line breaks or bidi overrides
  // that could redraw an approver's terminal or reorder what they see).
  summary: z.string().min(1).max(2000).refine((s) => !UNPRINTABLE.test(s), ONE_LINE),
  detail: z.record(z.string(), z.unknown()).default({}),
  tags: z.array(z.string().max(64).refine((s) => !UNPRINTABLE.test(s), ONE_LINE)).max(32).default([]),
  context: z.record(z.string(), z.unknown()).default({}),
  /** Only the API's own connectors: a caller cannot pose as `mcp` or `postgres` to meet (or dodge) a connector rule. */
  connector: z.enum(['api', 'sdk']).default('api'),
});
const voteBody = z.strictObject({ reason: z.string().max(2000).optional() });
const outcomeBody = z.strictObject({
  actionDigest: z.string().regex(/^[0-9a-f]{64}$/),
  requestId: z.string().optional(),
  resource: z.string().min(1).max(200),
  status: z.enum(['succeeded', 'failed']),
  summary: z.string().max(2000).optional(),
  /** The `outcomeTicket` POST /v1/actions gave: any gateway with the same audit key takes the outcome, even after a restart. */
  ticket: z.string().max(2000).optional(),
});
const unmaskBody = z.strictObject({ scope: z.string().min(1).max(200), token: z.string().min(1).max(200), reason: z.string().max(2000).optional() });

/**
 * A request body as text, read chunk by chunk and given up past `limit` bytes (BODY_TOO_LARGE): a body sent without
 * a length (chunked) must not be held whole in memory before it is measured.
 */
async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new CountersignError('BODY_TOO_LARGE', `the body is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The gateway's HTTP API (openapi.yaml documents it). Every /v1 route is authenticated; errors come back as
 * `{ error: { code, message, details? } }` with the status from the error catalog.
 */
export function createApi(rt: Runtime, metrics: Metrics): Hono<Env> {
  const app = new Hono<Env>();
  const limit = rt.config.server.body_limit;
  const knownResources = new Set([...(rt.config.resources ?? []).map((r) => r.name), ...(rt.config.mcp?.upstreams ?? []).map((u) => u.name)]);
  /** Allowed actions by `principal id \n digest` → their allowances, oldest first, for checking reported outcomes. */
  const allowedActions = new Map<string, Allowance[]>();
  /** How many allowances `allowedActions` holds in all. */
  let rememberedCount = 0;
  const remember = (principalId: string, digest: string, a: Allowance) => {
    const key = `${principalId}\n${digest}`;
    const before = allowedActions.get(key) ?? [];
    // The action's reported and expired allowances go now; the rest stay, oldest first, the action moved to the end.
    const list = before.filter((x) => !x.reported && x.expires >= rt.clock.now());
    list.push(a);
    if (list.length > OUTCOME_MEMORY_PER_ACTION) list.shift();
    rememberedCount += list.length - before.length;
    allowedActions.delete(key);
    allowedActions.set(key, list);
    while (rememberedCount > OUTCOME_MEMORY) {
      const [oldest, gone] = allowedActions.entries().next().value as [string, Allowance[]];
      allowedActions.delete(oldest);
      rememberedCount -= gone.length;
    }
  };
  /** The unexpired allowances remembered for this caller and digest, oldest first (an expired one's claim may be forgotten). */
  const recall = (principalId: string, digest: string): Allowance[] =>
    (allowedActions.get(`${principalId}\n${digest}`) ?? []).filter((a) => a.expires >= rt.clock.now());
  /**
   * Mark a remembered allowance reported: a later report of it without the ticket is refused at once (OUTCOME_RECORDED,
   * not NOT_FOUND), without asking the store.
   */
  const markReported = (principalId: string, digest: string, nonce: string, reported = true) => {
    for (const a of allowedActions.get(`${principalId}\n${digest}`) ?? []) if (a.nonce === nonce) a.reported = reported;
  };

  /**
   * An allowed action as a signed ticket, so its outcome can be reported to any gateway sharing this one's audit key
   * (behind a load balancer, or after a restart), not only to the gateway that allowed it: base64url of the canonical
   * JSON {principal, digest, resource, request, expires, nonce}, a dot, and the audit key's signature over it.
   */
  const ticketFor = (principalId: string, digest: string, a: Allowance): string => {
    const body = Buffer.from(canonicalJson({ p: principalId, d: digest, r: a.resource, q: a.requestId, x: a.expires, n: a.nonce })).toString('base64url');
    return `${body}.${rt.signer.signTicket('outcome', body)}`;
  };
  /** The allowance an outcome ticket vouches for, when it is this gateway's audit key's, unexpired, for this caller and digest. */
  function fromTicket(p: Principal, digest: string, ticket: string | undefined): Allowance | undefined {
    // Exactly `body.signature`, both base64url: a ticket has one spelling (no extra parts, no padding, no junk).
    const m = ticket === undefined ? null : /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{86})$/.exec(ticket);
    if (!m || !verifyTicketSignature('outcome', m[1]!, m[2]!, rt.signer.publicKey)) return undefined;
    const body = m[1]!;
    let t: { p?: unknown; d?: unknown; r?: unknown; q?: unknown; x?: unknown; n?: unknown };
    try {
      t = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof t;
    } catch {
      return undefined;
    }
    if (typeof t.p !== 'string' || !samePrincipalId(t.p, p.id) || t.d !== digest || typeof t.r !== 'string' || typeof t.x !== 'number' || t.x < rt.clock.now()) return undefined;
    if (t.n !== undefined && typeof t.n !== 'string') return undefined;
    // A ticket from a gateway before nonces (a rolling upgrade) is named by its signed body: it is taken once too.
    const nonce = t.n ?? createHash('sha256').update(body).digest('base64url');
    return { resource: t.r, requestId: typeof t.q === 'string' ? t.q : null, nonce, expires: t.x };
  }

  /**
   * The claim keys of the recent executions of `digest` on an approved request, one per execution in the order they
   * ran (`request:<id>:<digest>:<i>`, i from 0): each execution takes one report. Executions older than
   * OUTCOME_EXECUTION_MS are left out: their claims may have been forgotten.
   */
  async function executionKeys(requestId: string, digest: string, now: number): Promise<string[]> {
    const runs = (await rt.store.events(requestId)).filter((e) => e.type === 'execute' && e.digest === digest);
    return runs.flatMap((e, i) => (e.at > now - OUTCOME_EXECUTION_MS ? [`request:${requestId}:${digest}:${i}`] : []));
  }

  /**
   * An approved action the store knows ran recently (so an outcome still finds it after a restart, without a ticket):
   * the caller's own request, with an execution of this digest on it — approved alone is not allowed yet (it is
   * allowed when submitted again). `executions`: the claim keys of those executions.
   */
  async function fromRequest(p: Principal, digest: string, requestId: string | undefined, now: number) {
    if (requestId === undefined) return undefined;
    const request = await rt.store.getRequest(requestId);
    if (!request || !samePrincipalId(request.principal.id, p.id) || (request.status !== 'approved' && request.status !== 'executed')) return undefined;
    const executions = await executionKeys(request.id, digest, now);
    return executions.length > 0 ? { resource: request.resource, requestId: request.id, executions } : undefined;
  }

  /** Give claims back; best effort (a failing store keeps them: the allowance then takes no more reports, fail closed). */
  const release = (keys: string[]) => Promise.all(keys.map((k) => rt.store.releaseOutcome(k).catch(() => undefined)));

  /**
   * Claim what one report of an allowance takes, all or nothing: its nonce (`outcome:<nonce>`; none for one found by
   * its request only), and for an approved action also one of its request's executions of this digest, so a report by
   * ticket and one found by the request cannot both count for one execution. Resolves the keys claimed, or undefined
   * when the allowance (or every execution) already had its report; then whatever was claimed is given back.
   */
  async function claim(a: { nonce: string | null; requestId: string | null }, digest: string, now: number, executions?: string[]): Promise<string[] | undefined> {
    const taken: string[] = [];
    try {
      if (a.nonce !== null) {
        if (!(await rt.store.claimOutcome(`outcome:${a.nonce}`, now))) return undefined;
        taken.push(`outcome:${a.nonce}`);
      }
      if (a.requestId !== null) {
        let run: string | undefined;
        for (const key of executions ?? (await executionKeys(a.requestId, digest, now))) {
          if (await rt.store.claimOutcome(key, now)) {
            run = key;
            break;
          }
        }
        if (run === undefined) {
          await release(taken);
          return undefined;
        }
        taken.push(run);
      }
      return taken;
    } catch (e) {
      await release(taken);
      throw e;
    }
  }

  /** Delete the claims no ticket, remembered allowance or execution can use any more; at most once a minute. */
  let forgotAt = -Infinity;
  async function forgetOldClaims(now: number): Promise<void> {
    if (now - forgotAt < OUTCOME_FORGET_EVERY_MS) return;
    forgotAt = now;
    // A failure changes no answer: the claims stay until the next try (a failing store fails the claim itself anyway).
    await rt.store.forgetOutcomes(now - OUTCOME_CLAIM_KEEP_MS).catch(() => undefined);
  }

  /**
   * A resource name a caller chose (the config lists none): it is recorded as is (audit log, approval cards), so it
   * must look like a configured name (letters, digits, `_`, `.`, `-`) and hold nothing the masking engine would mask.
   */
  async function checkFreeResource(name: string) {
    const bad = (why: string) => new CountersignError('BAD_REQUEST', `the resource name ${why}`, [{ path: 'resource', message: why }]);
    if (!RESOURCE_NAME.test(name)) throw bad('must be letters, digits, `_`, `.` and `-`, starting with a letter or digit');
    if ((await rt.masker.maskText(name, { field: 'resource' })).findings.length > 0) throw bad('looks like it holds sensitive data');
  }

  /** A request the caller may see: people see every request; an agent or service only its own (404 otherwise, so ids cannot be probed). */
  async function visible(c: Context<Env>, id: string): Promise<RequestView> {
    const view = await rt.approvals.get(id);
    const p = c.get('principal');
    if (!isHuman(p) && !samePrincipalId(view.request.principal.id, p.id)) throw new CountersignError('REQUEST_NOT_FOUND', `no approval request ${id}`);
    return view;
  }

  app.onError((e, c) => {
    const err = asCountersignError(e);
    if (err.code === 'INTERNAL') console.error('countersign: internal error', e);
    // RFC 6750 §3: a 401 of a bearer-protected resource says how to authenticate (and whether the credential was refused).
    return c.json(err.toWire(), err.status as 400, err.status === 401 ? { 'WWW-Authenticate': bearerChallenge(err.code) } : undefined);
  });
  // A path that is served, asked with another method: 405 with the methods it takes (Allow), not 404.
  let methodsByRoute: Array<{ re: RegExp; method: string }> | undefined;
  const methodsFor = (path: string): string[] => {
    methodsByRoute ??= app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ re: new RegExp(`^${r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}$`), method: r.method }));
    return [...new Set(methodsByRoute.filter((r) => r.re.test(path)).map((r) => r.method))];
  };
  app.notFound((c) => {
    const allowed = methodsFor(c.req.path);
    if (allowed.length > 0) {
      c.header('Allow', allowed.join(', '));
      return c.json(new CountersignError('METHOD_NOT_ALLOWED', `${c.req.path} does not take ${c.req.method}; it takes ${allowed.join(', ')}`).toWire(), 405);
    }
    return c.json(new CountersignError('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`).toWire(), 404);
  });

  app.get('/healthz', async (c) => {
    await rt.store.auditHead(); // the store answers, or this throws STORE_UNAVAILABLE (503)
    return c.json({ status: 'ok' });
  });
  app.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));

  app.use('/v1/*', async (c, next) => {
    try {
      c.set('principal', await principalFromRequest(rt.authenticator, c.req.raw.headers));
    } catch (e) {
      const err = asCountersignError(e);
      metrics.authFailures.inc({ code: err.code });
      // Recorded like a refused MCP credential (docs/audit.md): never the credential itself; a failing audit write
      // does not change the answer (the request is refused either way).
      if (err.code === 'AUTH_REQUIRED' || err.code === 'AUTH_INVALID' || err.code === 'AUTH_EXPIRED') {
        await rt.gateway.refused({ summary: `HTTP API ${c.req.method} ${c.req.path}: ${err.code}`, data: { code: err.code, transport: 'http', connector: 'api' } });
      }
      throw err;
    }
    await next();
  });

  /**
   * A request as JSON, saying whether the API key it was made with has since been revoked (the action will not run).
   * The approvers' reasons are free text a person typed (a phone number, a name), read here by the requester as much
   * as by other approvers: masked as the audit log masks them; left out when masking fails (fail closed).
   */
  async function cardJson(v: RequestView) {
    const keyId = v.request.principal.keyId;
    const key = keyId === undefined ? undefined : await rt.store.getKey(keyId);
    const json = viewJson(v, keyId === undefined ? undefined : key === undefined ? 'missing' : key.revokedAt !== undefined ? 'revoked' : 'active');
    const mask = async (t: string | null) => {
      if (t === null || t === '') return t;
      try {
        return (await rt.masker.maskText(t, { field: 'reason' })).text;
      } catch {
        return null;
      }
    };
    json.decisionReason = await mask(json.decisionReason);
    for (const vote of json.votes) if (vote) vote.reason = await mask(vote.reason);
    return json;
  }

  async function body<T extends z.ZodType>(c: Context<Env>, schema: T): Promise<z.infer<T>> {
    const len = Number(c.req.header('content-length') ?? 0);
    if (len > limit) throw new CountersignError('BODY_TOO_LARGE', `the body is larger than ${limit} bytes`);
    const text = await readLimited(c.req.raw.body, limit);
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new CountersignError('BAD_JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new CountersignError('BAD_REQUEST', 'the request does not match the expected shape', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    return parsed.data;
  }

  // Submit an action for a decision. allowed → 200; held → 202 with the request to wait on; denied → 403.
  // A held action that was approved is allowed when the identical action is submitted again.
  app.post('/v1/actions', async (c) => {
    const b = await body(c, actionBody);
    // With a `resources:` list (or MCP upstreams) in the config, an action names one of them; a config without any
    // leaves names free (policy rules still match them, and /metrics counts them as `other`).
    if (knownResources.size > 0 && !knownResources.has(b.resource)) throw new CountersignError('UNKNOWN_RESOURCE', 'the resource is not configured');
    if (knownResources.size === 0) await checkFreeResource(b.resource);
    const input: ActionInput = { ...b, principal: c.get('principal') };
    const r = await rt.gateway.run(input, async () => null, { holdMode: 'return_pending', maskResult: false });
    if (r.status === 'pending') {
      return c.json({ status: 'pending', actionDigest: r.action.digest, requestId: r.pending.requestId, expiresAt: r.pending.expiresAt, rule: r.decision.rule }, 202);
    }
    // A fresh nonce names this allowance, in memory and in its ticket alike: it takes one outcome report either way.
    const allowed: Allowance = { resource: b.resource, requestId: r.requestId ?? null, nonce: randomBytes(16).toString('base64url'), expires: rt.clock.now() + OUTCOME_TICKET_MS };
    remember(input.principal.id, r.action.digest, allowed);
    return c.json({
      status: 'allowed', actionDigest: r.action.digest, requestId: allowed.requestId, rule: r.decision.rule,
      maskProfile: 'maskProfile' in r.decision ? r.decision.maskProfile ?? null : null,
      outcomeTicket: ticketFor(input.principal.id, r.action.digest, allowed),
    });
  });

  // Report how an allowed action went (the SDK does this after running it). Each allowance takes one report.
  app.post('/v1/actions/outcome', async (c) => {
    const b = await body(c, outcomeBody);
    const p = c.get('principal');
    const now = rt.clock.now();
    // Only the principal an action was allowed for reports its outcome, for that action as it was allowed (same
    // digest, resource and request): anything else would put forged results in the tamper-evident log. Which
    // allowance: the one its ticket names, else any not yet reported that this gateway remembers for the caller and
    // digest, else an approved request's execution the store knows of (after a restart, without a ticket).
    const ticketed = fromTicket(p, b.actionDigest, b.ticket);
    const remembered = ticketed ? [ticketed] : recall(p.id, b.actionDigest);
    const stored = remembered.length === 0 ? await fromRequest(p, b.actionDigest, b.requestId, now) : undefined;
    const found: Array<{ resource: string; requestId: string | null; nonce: string | null; reported?: boolean }> = stored ? [{ ...stored, nonce: null }] : remembered;
    // The digest covers the resource: every allowance found for it names the same one.
    if (found.length === 0) throw new CountersignError('NOT_FOUND', 'no action with this digest was allowed to you');
    if (found[0]!.resource !== b.resource) throw new CountersignError('BAD_REQUEST', 'resource differs from the allowed action', [{ path: 'resource', message: 'not the allowed action\'s resource' }]);
    const candidates = b.requestId === undefined ? found : found.filter((a) => a.requestId === b.requestId);
    if (candidates.length === 0) throw new CountersignError('REQUEST_NOT_FOUND', 'the allowed action has no such request');
    const summary = b.summary ? (await rt.masker.maskText(b.summary)).text : undefined;

    // Everything is checked: claim, then record. Of two reports of one allowance (a replayed ticket, a second gateway,
    // a retry whose first answer was lost) only the claimer records; the other gets OUTCOME_RECORDED and records nothing.
    await forgetOldClaims(now);
    let known: { allowance: (typeof candidates)[number]; keys: string[] } | undefined;
    for (const a of candidates) {
      if (a.reported) continue;
      const keys = await claim(a, b.actionDigest, now, stored?.executions);
      if (keys) {
        known = { allowance: a, keys };
        break;
      }
      if (a.nonce !== null) markReported(p.id, b.actionDigest, a.nonce); // reported already (perhaps elsewhere)
    }
    if (!known) throw new CountersignError('OUTCOME_RECORDED', 'the outcome of this allowed action was already reported');
    try {
      await rt.gateway.record({
        type: b.status === 'succeeded' ? 'action.result' : 'action.failed',
        principal: { id: p.id, type: p.type, onBehalfOf: p.onBehalfOf },
        resource: b.resource,
        actionDigest: b.actionDigest,
        requestId: known.allowance.requestId ?? undefined,
        summary,
        data: { status: b.status },
      });
    } catch (e) {
      // The event did not make the log (AUDIT_UNAVAILABLE): the claim is given back, so the retry that follows can
      // record the allowance's only report — a report that never happened must not block it. The price: an append
      // that committed but whose acknowledgement was lost (a connection dropped at commit) is given back too, and
      // a retry then records a second event for the allowance. A rare duplicate is preferred to an outcome that can
      // never be reported. (A release that fails as well leaves the claim: no more reports, fail closed.)
      await release(known.keys);
      if (known.allowance.nonce !== null) markReported(p.id, b.actionDigest, known.allowance.nonce, false); // a concurrent report may have marked it
      throw e;
    }
    if (known.allowance.nonce !== null) markReported(p.id, b.actionDigest, known.allowance.nonce);
    return c.json({ recorded: true });
  });

  app.get('/v1/requests', async (c) => {
    const status = c.req.query('status');
    const allowed = ['pending', 'approved', 'denied', 'expired', 'cancelled', 'executed'] as const;
    // `all` (as the CLI's --status all) is the same as no filter.
    const list = status === undefined || status === 'all' ? undefined : status.split(',').map((s) => {
      if (!(allowed as readonly string[]).includes(s)) throw new CountersignError('BAD_REQUEST', `unknown status ${s}; use ${allowed.join(', ')} (comma-separated), or all`);
      return s as (typeof allowed)[number];
    });
    const limitN = intQuery(c.req.query('limit'), 'limit', 100, 1, 1000);
    const p = c.get('principal');
    const views = await rt.approvals.list({ status: list, limit: limitN, ...(isHuman(p) ? {} : { principalId: p.id }) });
    // A list carries a bounded preview and context per request (a request's detail may be up to body_limit);
    // GET /v1/requests/{id} has them whole.
    const cards = await Promise.all(views.map(cardJson));
    return c.json({
      requests: cards.map((card) => {
        const preview = bounded(card.preview, LIST_PREVIEW_BYTES);
        const context = bounded(card.context, LIST_PREVIEW_BYTES);
        return { ...card, preview: preview.value, context: context.value as typeof card.context, truncated: preview.truncated || context.truncated };
      }),
    });
  });

  app.get('/v1/requests/:id', async (c) => c.json(await cardJson(await visible(c, c.req.param('id')))));

  // Long-poll: returns when the request leaves pending, or after `timeout` seconds (max 60) with its current state.
  app.get('/v1/requests/:id/wait', async (c) => {
    const timeout = intQuery(c.req.query('timeout'), 'timeout', 30, 0, 60);
    const first = await visible(c, c.req.param('id'));
    const view = timeout === 0 ? first : await rt.approvals.wait(first.request.id, { timeoutMs: timeout * 1000, signal: c.req.raw.signal });
    return c.json(await cardJson(view));
  });

  // Server-sent events: one `state` event now and on every change until the request is resolved.
  app.get('/v1/requests/:id/events', async (c) => {
    const id = c.req.param('id');
    const first = await visible(c, id);
    return streamSSE(c, async (stream) => {
      await stream.writeSSE({ event: 'state', data: JSON.stringify(await cardJson(first)) });
      if (first.state.status !== 'pending') return;
      const final = await rt.approvals.wait(id, { signal: c.req.raw.signal });
      await stream.writeSSE({ event: 'state', data: JSON.stringify(await cardJson(final)) });
    });
  });

  for (const v of ['approve', 'deny'] as const) {
    app.post(`/v1/requests/:id/${v}`, async (c) => {
      const b = await body(c, voteBody);
      const view = await rt.approvals.vote((await visible(c, c.req.param('id'))).request.id, c.get('principal'), v, { reason: b.reason, channel: 'api' });
      metrics.votes.inc({ vote: v });
      return c.json(await cardJson(view));
    });
  }

  app.post('/v1/requests/:id/cancel', async (c) => {
    const b = await body(c, voteBody);
    const p = c.get('principal');
    const view = await visible(c, c.req.param('id'));
    if (!samePrincipalId(view.request.principal.id, p.id)) throw new CountersignError('FORBIDDEN', 'only the requester may cancel a request');
    return c.json(await cardJson(await rt.approvals.cancel(view.request.id, p.id, b.reason)));
  });

  // Reveal a masked token: an action like any other (kind `unmask`), so policy and approval apply first.
  app.post('/v1/unmask', async (c) => {
    const b = await body(c, unmaskBody);
    const asked = (token: string, type: string | undefined): ActionInput => ({
      principal: c.get('principal'), resource: `tokens:${b.scope}`, connector: 'api', kind: 'unmask',
      summary: `unmask ${type ?? 'a'} value ${token} in scope ${b.scope}`, detail: { scope: b.scope, token, type: type ?? null }, context: b.reason ? { reason: b.reason } : {},
    });
    let input = asked(b.token, undefined);
    // Unless policy refuses this caller any unmask here (then the pipeline records that, and nothing is looked up),
    // what is asked for is stated as the gateway knows it: the token's own type (a caller's `[TYPE:…]` could lie to
    // the approver), and no request at all for a token this scope never issued (404 TOKEN_UNKNOWN).
    if (rt.gateway.decide(input).effect !== 'deny') {
      const type = await rt.masker.tokenType(b.scope, b.token);
      input = asked(/tok_[A-Za-z0-9_-]{22}/.exec(b.token)![0], type);
    }
    const r = await rt.gateway.run(input, async () => rt.masker.reveal(b.scope, b.token), { holdMode: 'return_pending', maskResult: false });
    if (r.status === 'pending') return c.json({ status: 'pending', actionDigest: r.action.digest, requestId: r.pending.requestId, expiresAt: r.pending.expiresAt, rule: r.decision.rule }, 202);
    await rt.gateway.record({ type: 'unmask.released', principal: { id: input.principal.id, type: input.principal.type, onBehalfOf: input.principal.onBehalfOf }, resource: input.resource, actionDigest: r.action.digest, requestId: r.requestId, summary: input.summary });
    return c.json({ status: 'released', value: r.result });
  });

  // The audit log tells who did what across every principal: people only (agents and services get 403).
  app.get('/v1/audit', async (c) => {
    if (!isHuman(c.get('principal'))) throw new CountersignError('FORBIDDEN', 'the audit log is for people; an agent or service may not read it');
    const after = intQuery(c.req.query('after'), 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limitN = intQuery(c.req.query('limit'), 'limit', 100, 1, 1000);
    const records = await rt.store.readAudit(after, limitN);
    return c.body(records.map(exportLine).join(''), 200, { 'content-type': 'application/x-ndjson' });
  });

  return app;
}

/**
 * The JSON shape of a request: masked summary and preview, state, votes. `keyStatus`: whether the API key the
 * request was made with is still active (a revoked key's held action does not run, even when approved).
 */
export function viewJson(v: RequestView, keyStatus?: 'active' | 'revoked' | 'missing') {
  const r = v.request;
  return {
    id: r.id,
    status: v.state.status,
    createdAt: new Date(r.createdAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
    principal: { id: r.principal.id, type: r.principal.type, onBehalfOf: r.principal.onBehalfOf ?? null, keyId: r.principal.keyId ?? null, keyStatus: keyStatus ?? null },
    resource: r.resource,
    connector: r.connector,
    kind: r.kind,
    tags: r.tags,
    summary: r.summary,
    preview: r.preview,
    context: r.context,
    maskProfile: r.maskProfile ?? null,
    rule: r.rule,
    reason: r.reason ?? null,
    actionDigest: r.digest,
    review: r.review,
    approvedBy: v.state.approvedBy,
    decidedBy: v.state.decidedBy,
    decisionReason: v.state.reason ?? null,
    grantEndsAt: v.state.grantEndsAt ? new Date(v.state.grantEndsAt).toISOString() : null,
    // `auditSeq`: the audit event that recorded the vote; `counted: false`: an approving vote that names none (written
    // past the gateway, or stored before votes named theirs), passed over.
    votes: v.events.flatMap((e) => e.type === 'vote'
      ? [{ voter: e.voter.id, vote: e.vote, reason: e.reason ?? null, channel: e.channel, at: new Date(e.at).toISOString(), auditSeq: e.audit?.seq ?? null, counted: !v.state.unrecorded.includes(e.seq) }]
      : []),
  };
}
