/**
 * One catalog of error codes: code, HTTP status, and the line the docs show (docs/errors.md lists every code;
 * a test checks it). Internal errors stay apart from what goes back on the wire: `toWire()` gives only the code
 * and the public message, never a stack or policy internals.
 */
export const ERRORS = {
  // --- request / input (4xx) ---
  BAD_JSON: { status: 400, doc: 'The request body is not valid JSON.' },
  BAD_REQUEST: { status: 400, doc: 'The request does not match the expected shape; `details` names the fields.' },
  BODY_TOO_LARGE: { status: 413, doc: 'The request body is larger than the configured limit.' },
  HEADERS_TOO_LARGE: { status: 431, doc: 'The request headers are larger than the HTTP server accepts (16 KB in all).' },
  BAD_HTTP: { status: 400, doc: 'The request is not valid HTTP/1.1; the connection is closed.' },
  NOT_FOUND: { status: 404, doc: 'No such route or object.' },
  METHOD_NOT_ALLOWED: { status: 405, doc: 'The route exists but not with this HTTP method.' },
  // --- identity ---
  AUTH_REQUIRED: { status: 401, doc: 'No credential was presented.' },
  AUTH_INVALID: { status: 401, doc: 'The credential is unknown, malformed, revoked or its signature does not verify.' },
  AUTH_EXPIRED: { status: 401, doc: 'The token has expired.' },
  FORBIDDEN: { status: 403, doc: 'The caller is authenticated but may not do this.' },
  // --- policy ---
  POLICY_DENIED: { status: 403, doc: 'Policy denied the action; `reason` says why.' },
  POLICY_ERROR: { status: 500, doc: 'Policy could not be evaluated; the action was not run (fail closed).' },
  // --- approvals ---
  REQUEST_NOT_FOUND: { status: 404, doc: 'No approval request with this id.' },
  REQUEST_FINISHED: { status: 409, doc: 'The approval request is already resolved; resolved states are final.' },
  SELF_APPROVAL: { status: 403, doc: 'The requester, or the human an agent acts for, cannot vote on the request.' },
  NOT_AN_APPROVER: { status: 403, doc: 'The voter is not a human in one of the approver groups.' },
  ALREADY_VOTED: { status: 409, doc: 'Each approver votes once on a request.' },
  REASON_REQUIRED: { status: 400, doc: 'A denial must carry a reason.' },
  APPROVAL_DENIED: { status: 403, doc: 'A human denied the approval request.' },
  APPROVAL_EXPIRED: { status: 408, doc: 'Nobody decided the approval request before it expired.' },
  APPROVAL_CANCELLED: { status: 409, doc: 'The approval request was cancelled.' },
  DIGEST_MISMATCH: { status: 409, doc: 'The action differs from the one that was approved; approvals bind to the exact action.' },
  GRANT_USED: { status: 409, doc: 'The approval was for one execution and it has been used.' },
  APPROVAL_UNRECORDED: { status: 409, doc: 'The store holds an approval the audit log does not: an approving vote names no audit event, or one that is not its `approval.vote` (another seq, hash, request or voter). Such a vote does not count; the action was not run, and `action.failed` records why.' },
  OUTCOME_RECORDED: { status: 409, doc: 'The outcome of this allowed action was already reported (each allowance takes one report); nothing was recorded.' },
  TOO_MANY_PENDING: { status: 429, doc: 'The principal already has as many approval requests waiting as `approvals.max_pending_per_principal` allows; the action was neither held nor run.' },
  // --- config ---
  CONFIG_INVALID: { status: 500, doc: 'The configuration file is invalid; the message names the file, line and field.' },
  CONFIG_NOT_FOUND: { status: 500, doc: 'The configuration file does not exist.' },
  PRINCIPAL_TAKEN: { status: 409, doc: 'The principal id already stands for another identity (a static token in the config); give the key another name.' },
  SECRET_MISSING: { status: 500, doc: 'An environment variable the configuration names for a secret is not set.' },
  GATEWAY_STOPPING: { status: 503, doc: 'The gateway is shutting down; the action was not run. An approval request it waited on stays open: send the action again to a running gateway.' },
  LISTEN_FAILED: { status: 500, doc: 'The gateway could not listen on the configured host and port (in use, or not allowed).' },
  // --- store / audit (fail closed) ---
  STORE_UNAVAILABLE: { status: 503, doc: 'The store could not be written or read; the action was not run.' },
  AUDIT_UNAVAILABLE: { status: 503, doc: 'The audit event could not be made durable; the action was not run.' },
  AUDIT_TAMPERED: { status: 500, doc: 'Audit verification found an edited, deleted, inserted or reordered event.' },
  STORE_NOT_FOUND: { status: 404, doc: 'There is no store where the configuration points (no SQLite file, or a PostgreSQL database without Countersign\'s schema); only `serve` creates one, so nothing was created.' },
  AUDIT_NOT_FOUND: { status: 404, doc: 'There is no audit log where the configuration points (no store file, or a log without events): nothing was verified.' },
  // --- masking ---
  MASKING_FAILED: { status: 500, doc: 'The masking engine failed; the data was withheld (fail closed).' },
  TOKEN_UNKNOWN: { status: 404, doc: 'The masking token is unknown in this scope.' },
  // --- connectors / upstreams ---
  UPSTREAM_UNAVAILABLE: { status: 502, doc: 'The upstream (MCP server, database, API) is down or crashed.' },
  UPSTREAM_TIMEOUT: { status: 504, doc: 'The upstream did not answer in time.' },
  UPSTREAM_ERROR: { status: 502, doc: 'The upstream answered the call with an error of its own (recorded with its code as `rpcCode`); the agent gets that error, masked.' },
  UNKNOWN_RESOURCE: { status: 404, doc: 'The action names a resource that is not configured.' },
  TIMEOUT: { status: 408, doc: 'Waiting for an outcome took longer than the caller allowed.' },
  // --- last resort ---
  INTERNAL: { status: 500, doc: 'An unexpected error; the action was not run. The gateway log has details.' },
} as const satisfies Record<string, { status: number; doc: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** The one error type Countersign throws on purpose. `details` must never carry raw secrets. */
export class CountersignError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown, options?: { cause?: unknown }) {
    super(message ?? ERRORS[code].doc, options);
    this.name = 'CountersignError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }

  /** What goes back on the wire. */
  toWire(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export function isCountersignError(e: unknown): e is CountersignError {
  return e instanceof CountersignError;
}

/** Wrap any thrown value; unknown errors become INTERNAL with a generic message (no leak of internals). */
export function asCountersignError(e: unknown): CountersignError {
  if (e instanceof CountersignError) return e;
  return new CountersignError('INTERNAL', undefined, undefined, { cause: e });
}

/**
 * Is `x` the reason a gateway that stops gives the calls it aborts (GATEWAY_STOPPING)? The pipeline and the connectors
 * read an AbortSignal's reason with it: a stopping gateway lets go of a held request instead of cancelling it.
 *
 * @example if (isGatewayStopping(signal.reason)) return answerAndKeepTheRequest();
 */
export function isGatewayStopping(x: unknown): x is CountersignError {
  return x instanceof CountersignError && x.code === 'GATEWAY_STOPPING';
}
