import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ERRORS, CountersignError, asCountersignError, type ErrorCode as CsCode } from '../../core/errors.js';
import type { MaskContext, Masker } from '../../core/masking.js';
import type { PendingInfo } from '../../pipeline/types.js';
import type { z } from 'zod';

/**
 * How each Countersign error, and a held request, reaches an MCP client. Refusals and upstream faults become a tool result with
 * `isError: true` and a text the model can read (so it can change course); faults of the request itself or of the
 * gateway become JSON-RPC errors. Only the public reason is told, never policy internals.
 */
export const MCP_ERROR_MAP = {
  POLICY_DENIED: 'tool_error',
  APPROVAL_DENIED: 'tool_error',
  APPROVAL_EXPIRED: 'tool_error',
  APPROVAL_CANCELLED: 'tool_error',
  DIGEST_MISMATCH: 'tool_error',
  GRANT_USED: 'tool_error',
  APPROVAL_UNRECORDED: 'tool_error',
  TOO_MANY_PENDING: 'tool_error',
  GATEWAY_STOPPING: 'tool_error',
  UPSTREAM_UNAVAILABLE: 'tool_error',
  UPSTREAM_TIMEOUT: 'tool_error',
  TIMEOUT: 'tool_error',
  FORBIDDEN: 'tool_error',
  // A key revoked, or a token expired, while the session was open: every later call is refused with this text.
  AUTH_INVALID: 'tool_error',
  AUTH_EXPIRED: 'tool_error',
  BAD_REQUEST: ErrorCode.InvalidParams,
  UNKNOWN_RESOURCE: ErrorCode.InvalidParams,
  NOT_FOUND: ErrorCode.InvalidParams,
  BODY_TOO_LARGE: ErrorCode.InvalidRequest,
  BAD_JSON: ErrorCode.ParseError,
} as const satisfies Partial<Record<CsCode, 'tool_error' | number>>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Who decided, from `details.decidedBy` (a list of principal ids, or one id). */
function deciders(v: unknown): string | undefined {
  const ids = (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x.length > 0);
  return ids.length ? ids.join(', ') : undefined;
}

/** The sentence the model reads for a refusal. An approver's reason must already be masked (`maskRefusal`). */
export function refusalText(e: CountersignError): string {
  const d = (e.details ?? {}) as Record<string, unknown>;
  const req = str(d.requestId) ? ` (approval request ${d.requestId})` : '';
  switch (e.code) {
    case 'POLICY_DENIED':
      return `Countersign policy denied this call: ${e.message}. Do not retry it unchanged.`;
    case 'APPROVAL_DENIED': {
      // Built from the details, not the message: the message quotes the approver's reason unmasked.
      const who = deciders(d.decidedBy);
      const given = typeof d.reason === 'string' ? d.reason.trim() : '';
      const reason = given ? (given.endsWith('.') ? given.slice(0, -1) : given) : 'no reason given';
      return `A human approver${who ? ` (${who})` : ''} denied this call${req}; it was not run. Reason: ${reason}. Do not retry it unchanged: change course, or ask the person you act for.`;
    }
    case 'APPROVAL_EXPIRED':
      // Approved, but not called again before the approval lapsed (return_pending): say so, not "nobody approved".
      if (d.lapsed === true) return `The approval for this call${req} lapsed before the call was made again; it was not run. ${e.message}`;
      return `Nobody approved this call in time${req}; it was not run. ${e.message}`;
    case 'APPROVAL_CANCELLED':
      return `The approval request for this call was cancelled${req}; it was not run. ${e.message}`;
    case 'AUTH_INVALID':
    case 'AUTH_EXPIRED':
      return `Countersign refused this call: ${e.message}. The credential this agent connected with is no longer valid; no call will run until it reconnects with a valid one (ask the operator).`;
    case 'UPSTREAM_UNAVAILABLE':
    case 'UPSTREAM_TIMEOUT':
      return `The tool could not be run: ${e.message}`;
    case 'GATEWAY_STOPPING':
      if (d.running === true) return `Countersign is shutting down and cut this call while the tool was running; it may have run, in part. Check before calling again.`;
      return str(d.requestId)
        ? `Countersign is shutting down; this call was not run. Approval request ${d.requestId} stays open: send the same call again to wait on it.`
        : `Countersign is shutting down; this call was not run. Send it again once the gateway is back.`;
    case 'TOO_MANY_PENDING':
      return `Countersign refused this call: ${e.message}. Do not retry now: wait for your pending approval requests to be decided.`;
    default:
      return `Countersign refused this call (${e.code}): ${e.message}`;
  }
}

/**
 * An approval refusal with the approver's free text (`details.reason`) masked by the engine, as the audit log masks
 * it (its default profile; the text is the approver's, not the tool's), before it is told to an agent. Other errors
 * are returned as they are. Fails closed: when masking fails, the reason is left out.
 *
 * @example
 * await maskRefusal(masker, new CountersignError('APPROVAL_DENIED', 'denied by bob: call 415-555-0172', { reason: 'call 415-555-0172' }))
 * // details.reason: 'call ***-***-**72'
 */
export async function maskRefusal(masker: Masker, err: unknown): Promise<unknown> {
  if (err instanceof McpError) return err;
  const e = asCountersignError(err);
  const d = e.details as Record<string, unknown> | undefined;
  if (e.code !== 'APPROVAL_DENIED' || !d || typeof d.reason !== 'string') return err;
  let reason: string;
  try {
    reason = (await masker.maskValue({ reason: d.reason })).value.reason;
  } catch {
    reason = 'not shown (it could not be masked); the approval request has it';
  }
  // The message quoted the raw reason too: rebuilt from the masked one.
  return new CountersignError(e.code, `denied by ${deciders(d.decidedBy) ?? 'an approver'}: ${reason}`, { ...d, reason }, { cause: e.cause });
}

/**
 * Errors whose text may reach an agent as it is: made by the gateway (`rpcError`), or an upstream's masked by
 * `maskUpstreamError`. Any other McpError carries what an upstream wrote (or what the SDK client said about its
 * answer), and its text never goes on the wire unmasked (`onWire`).
 */
const agentSafe = new WeakSet<Error>();

/** What an agent reads when an upstream's error text could not be masked: the code only (fail closed). */
function withheld(code: number | string): string {
  return `The upstream answered with error ${code}; its message is not shown because it could not be masked.`;
}

/**
 * An error that carries an upstream's text, masked by the engine before an agent reads it, as a result would be:
 * an McpError (the upstream's JSON-RPC error, or one the SDK client raised about its answer) has its message and
 * `data` masked; an UPSTREAM_UNAVAILABLE / UPSTREAM_TIMEOUT error its message (it may quote what the upstream said).
 * `ctx` is the decision's mask context while the action runs, else the default profile. Other errors, and errors
 * already masked, are returned as they are. Never throws: when masking fails, the code is kept and the text left out.
 *
 * @example
 * await maskUpstreamError(masker, new McpError(-32603, 'insert failed for carol@example.com'), { profile: 'default' })
 * // McpError -32603 'insert failed for [EMAIL]' (whatever the profile gives)
 */
export async function maskUpstreamError(masker: Masker, err: unknown, ctx?: MaskContext): Promise<unknown> {
  if (err instanceof Error && agentSafe.has(err)) return err;
  if (err instanceof McpError) {
    const message = unprefixed(err.message);
    try {
      const { value } = await masker.maskValue({ message, data: err.data ?? null }, ctx);
      return rpcError(err.code, typeof value.message === 'string' ? value.message : withheld(err.code), value.data ?? undefined);
    } catch {
      return rpcError(err.code, withheld(err.code));
    }
  }
  if (err instanceof CountersignError && (err.code === 'UPSTREAM_UNAVAILABLE' || err.code === 'UPSTREAM_TIMEOUT')) {
    let message: string | undefined;
    try {
      message = (await masker.maskText(err.message, ctx)).text;
    } catch {
      message = undefined; // the code's public message
    }
    const masked = new CountersignError(err.code, message, err.details, { cause: err });
    agentSafe.add(masked);
    return masked;
  }
  return err;
}

/**
 * One line on stderr for an unexpected error (INTERNAL) an agent was told about ("the gateway log has details"):
 * where it happened, the error's name, its message masked by the engine (left out when that fails), and the first
 * frame of its stack. Never the arguments or the result. Errors of other codes are expected and not logged.
 *
 * @example
 * await logInternal(masker, e, 'tools/call evil.broken') // countersign: internal error in MCP tools/call evil.broken: ZodError: … at …
 */
export async function logInternal(masker: Masker, err: unknown, where: string): Promise<void> {
  if (err instanceof McpError) return; // an upstream's or a request's error, not the gateway's
  const e = asCountersignError(err);
  if (e.code !== 'INTERNAL') return;
  const cause = (e.cause ?? e) as { name?: unknown; message?: unknown; stack?: unknown };
  const name = typeof cause.name === 'string' ? cause.name : typeof cause;
  let message = typeof cause.message === 'string' ? cause.message.replace(/\s+/g, ' ').slice(0, 500) : String(cause).slice(0, 500);
  try {
    message = (await masker.maskText(message)).text;
  } catch {
    message = '(message not shown: it could not be masked)';
  }
  const frame = typeof cause.stack === 'string' ? cause.stack.split('\n').find((l) => /^\s+at /.test(l))?.trim() : undefined;
  console.error(`countersign: internal error in MCP ${where}: ${name}: ${message}${frame ? ` ${frame}` : ''}`);
}

/**
 * Turn an error thrown while serving a tool call into what goes back: a tool result, or a thrown McpError
 * (JSON-RPC error). Unknown errors become INTERNAL with the generic public message.
 *
 * @example
 * toolErrorOrThrow(new CountersignError('POLICY_DENIED', 'writes are not allowed'))
 * // { isError: true, content: [{ type: 'text', text: 'Countersign policy denied this call: writes are not allowed. …' }] }
 */
export function toolErrorOrThrow(err: unknown): CallToolResult {
  if (err instanceof McpError) throw onWire(err);
  const e = asCountersignError(err);
  const mapped = (MCP_ERROR_MAP as Partial<Record<CsCode, 'tool_error' | number>>)[e.code];
  if (mapped === 'tool_error') {
    return { isError: true, content: [{ type: 'text', text: refusalText(e) }], _meta: { 'countersign/error': e.code } };
  }
  throw toMcpError(e);
}

/** A JSON-RPC error for a Countersign error: mapped code, public message, `data.code` the Countersign code. */
export function toMcpError(err: unknown): McpError {
  if (err instanceof McpError) return onWire(err);
  const e = asCountersignError(err);
  const mapped = (MCP_ERROR_MAP as Partial<Record<CsCode, 'tool_error' | number>>)[e.code];
  const code = typeof mapped === 'number' ? mapped : ErrorCode.InternalError;
  const message = e.code === 'INTERNAL' ? ERRORS.INTERNAL.doc : e.message;
  return rpcError(code, message, { code: e.code });
}

/**
 * An McpError ready to pass on: the gateway's own or a masked one as it is; any other (an upstream's text that was
 * not masked) with its code only (fail closed).
 */
function onWire(e: McpError): McpError {
  if (agentSafe.has(e)) return e;
  return rpcError(e.code, withheld(e.code));
}

/** A message without the "MCP error <code>: " prefixes the SDK put in front on each hop, so the agent reads it once. */
function unprefixed(message: string): string {
  return message.replace(/^(?:MCP error -?\d+: )+/, '');
}

/**
 * A JSON-RPC error whose message goes on the wire as given. `McpError` puts "MCP error <code>: " in front of its
 * message and the SDK server sends that; the agent's SDK client puts its own in front again, so the model would
 * read the prefix twice.
 *
 * @example rpcError(ErrorCode.InvalidParams, 'Unknown tool: fs.nope') // wire message: 'Unknown tool: fs.nope'
 */
export function rpcError(code: number, message: string, data?: unknown): McpError {
  const e = new McpError(code, message, data);
  e.message = message;
  agentSafe.add(e);
  return e;
}

/**
 * A refused read or prompt as a JSON-RPC error (these results have no `isError`): a refusal a tool call would get as a
 * tool error (policy, approval, a revoked key, an upstream fault) keeps its readable text and code, as -32600.
 */
export function refusalError(e: unknown): McpError {
  if (e instanceof McpError) return toMcpError(e);
  const err = asCountersignError(e);
  if ((MCP_ERROR_MAP as Partial<Record<CsCode, 'tool_error' | number>>)[err.code] === 'tool_error') return rpcError(ErrorCode.InvalidRequest, refusalText(err), { code: err.code });
  return toMcpError(err);
}

/** A held request as one line: its approval request, what it needs from whom, when it expires. */
export function heldText(info: PendingInfo): string {
  const who = info.approverGroups.length ? ` from ${info.approverGroups.join(', ')}` : '';
  return `held for approval ${info.requestId}: needs ${info.approvalsNeeded} approval(s)${who}, expires ${new Date(info.expiresAt).toISOString()}`;
}

/** What a held request that was not run says: its approval request, what it waits for, and how to proceed. */
export function pendingText(info: PendingInfo, what: 'call' | 'prompt' | 'resource read' = 'call'): string {
  const again = what === 'call' ? 'Call the tool again' : what === 'prompt' ? 'Get the prompt again' : 'Read the resource again';
  return (
    `pending approval ${info.requestId}: this ${what} was not run yet; it ${heldText(info).replace(/^held for approval \S+: /, '')}. ` +
    `${again} with exactly the same ${what === 'resource read' ? 'URI' : 'arguments'} once it is approved.`
  );
}

/** What a `return_pending` call answers: not run yet, and how to proceed. */
export function pendingResult(info: PendingInfo): CallToolResult & { content: [{ type: 'text'; text: string }] } {
  return {
    isError: true,
    content: [{ type: 'text', text: pendingText(info) }],
    _meta: { 'countersign/pending': { requestId: info.requestId, expiresAt: info.expiresAt } },
  };
}

/**
 * Schema issues as one short line for the client: `params.name: expected string, received undefined`.
 *
 * @example describeIssues(err) // 'params.name: expected string, received undefined'
 */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => {
    const where = i.path.length ? i.path.map((k) => (typeof k === 'number' ? `[${k}]` : String(k))).join('.').replace(/\.\[/g, '[') : 'request';
    return `${where}: ${i.message.replace(/^Invalid input: /, '')}`;
  });
  const more = error.issues.length > shown.length ? `; and ${error.issues.length - shown.length} more` : '';
  return shown.join('; ') + more;
}
