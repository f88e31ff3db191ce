import type { Principal } from './identity.js';
import { canonicalJson, nestedDeeperThan, sha256Hex } from './canonical.js';
import { CountersignError } from './errors.js';

/** What kind of thing an action does. Connectors map their wire traffic onto these. */
export const ACTION_KINDS = [
  'read', 'write', 'delete', 'ddl', 'export', 'privilege', 'exec', 'tool_call', 'unmask', 'other',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** What a connector knows before the action is described; the digest is computed from it. */
export interface ActionInput {
  principal: Principal;
  /** Name of a configured resource (a database, an MCP upstream, an HTTP API). */
  resource: string;
  /** Which connector produced it: `mcp`, `postgres`, `http`, `sdk`, `api`. */
  connector: string;
  kind: ActionKind;
  /** Risk tags, e.g. `destructive`, `read_only`, `pii`, `bulk`. */
  tags?: string[];
  /** One human-readable line: what an approver reads. Part of the digest, as given (the pipeline masks it before it is
   *  stored or shown, unless the connector built it from masked values already). */
  summary: string;
  /** The raw detail the connector will execute (SQL text, tool name + arguments, HTTP request). */
  detail: Record<string, unknown>;
  /** Free context from the caller: why it wants to do this, ticket ids. Not part of the digest. */
  context?: Record<string, unknown>;
}

/** One intercepted action, in the same shape for every connector. */
export interface Action extends Required<Omit<ActionInput, 'context'>> {
  context: Record<string, unknown>;
  /** SHA-256 over the canonical form of principal, resource, connector, kind, summary and detail. */
  digest: string;
}

/**
 * How deeply an action's detail and context may nest arrays and objects. Real tool arguments and API bodies stay far
 * below; a value built to be thousands of levels deep is refused with BAD_REQUEST before anything encodes it.
 */
export const MAX_ACTION_DEPTH = 64;

/**
 * The fields the digest covers: an approval binds to exactly these. The summary is one of them because it is what the
 * approver reads: an API or SDK action often has no detail, and an approval of "purge sessions older than 90 days"
 * must not run "DELETE FROM customers". It is hashed as given (raw, before masking): the identical action sent again
 * has the same digest, and two summaries that differ only in a masked value (two different e-mail addresses) differ.
 */
export function digestOf(input: ActionInput): string {
  return sha256Hex(
    canonicalJson({
      principal: { id: input.principal.id, type: input.principal.type, onBehalfOf: input.principal.onBehalfOf ?? null },
      resource: input.resource,
      connector: input.connector,
      kind: input.kind,
      summary: input.summary,
      detail: input.detail,
    }),
  );
}

/**
 * Describe an action: normalise it and compute its digest.
 *
 * @example
 * const a = describeAction({ principal, resource: 'prod-db', connector: 'postgres', kind: 'delete',
 *   summary: 'DELETE FROM users WHERE id = $1', detail: { sql: 'DELETE FROM users WHERE id = 42' } });
 * a.digest // 'e3b0c442…'
 */
export function describeAction(input: ActionInput): Action {
  for (const field of ['detail', 'context'] as const) {
    if (nestedDeeperThan(input[field], MAX_ACTION_DEPTH)) {
      const message = `nests deeper than ${MAX_ACTION_DEPTH} levels`;
      throw new CountersignError('BAD_REQUEST', `the action's ${field} ${message}`, [{ path: field, message }]);
    }
  }
  return {
    principal: input.principal,
    resource: input.resource,
    connector: input.connector,
    kind: input.kind,
    tags: [...new Set(input.tags ?? [])].sort(),
    summary: input.summary,
    detail: input.detail,
    context: input.context ?? {},
    digest: digestOf(input),
  };
}
