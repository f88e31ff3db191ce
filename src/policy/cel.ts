import { Environment } from '@marcbachmann/cel-js';
import type { Action } from '../core/action.js';
import { normalizePrincipalId } from '../core/identity.js';

// Values handed to CEL are instances of these classes, registered as CEL types with declared fields, so that
// `principal.grups` is a load-time error and no per-evaluation conversion happens.
class CelPrincipal {
  constructor(
    readonly id: string,
    readonly type: string,
    readonly groups: string[],
    readonly onBehalfOf: string,
  ) {}
}

class CelAction {
  constructor(
    readonly kind: string,
    readonly tags: string[],
    readonly summary: string,
    readonly connector: string,
    readonly detail: Record<string, unknown>,
  ) {}
}

/** The variables a `when:` condition sees. */
export interface CelActivation {
  principal: CelPrincipal;
  resource: string;
  action: CelAction;
  context: Record<string, unknown>;
}

const env = new Environment({ homogeneousAggregateLiterals: false })
  .registerType('Principal', {
    ctor: CelPrincipal,
    fields: { id: 'string', type: 'string', groups: 'list<string>', onBehalfOf: 'string' },
  })
  .registerType('Action', {
    ctor: CelAction,
    fields: { kind: 'string', tags: 'list<string>', summary: 'string', connector: 'string', detail: 'map<string, dyn>' },
  })
  .registerVariable('principal', 'Principal')
  .registerVariable('resource', 'string')
  .registerVariable('action', 'Action')
  .registerVariable('context', 'map<string, dyn>');

/** A compiled condition: returns true/false, throws on a runtime error or a non-bool result. */
export type CelCondition = (activation: CelActivation) => boolean;

/** First line of a cel-js error (its message continues with a source excerpt). */
export function celErrorSummary(e: unknown): string {
  const err = e as { summary?: unknown; message?: unknown };
  if (typeof err?.summary === 'string' && err.summary) return err.summary;
  return String(err?.message ?? e).split('\n')[0] ?? 'unknown error';
}

/**
 * Parse and type-check a condition once. Throws an Error with a one-line message when the expression does not
 * parse, does not type-check against the declared variables, or cannot yield a bool.
 *
 * @example compileCondition('"dba" in principal.groups && context.ticket != ""')
 */
export function compileCondition(expression: string): CelCondition {
  let fn: ReturnType<typeof env.parse>;
  try {
    fn = env.parse(expression);
  } catch (e) {
    throw new Error(`CEL syntax error: ${celErrorSummary(e)}`);
  }
  const checked = env.check(expression);
  if (!checked.valid) throw new Error(`CEL type error: ${celErrorSummary(checked.error)}`);
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    throw new Error(`CEL condition must yield a bool, this one yields ${checked.type}`);
  }
  return (activation) => {
    const v = fn(activation as unknown as Record<string, unknown>);
    if (typeof v !== 'boolean') throw new Error(`condition yielded ${typeof v}, not a bool`);
    return v;
  };
}

/** Build the CEL variables for one action (once per evaluation, only when a condition needs them). */
export function activationOf(action: Action): CelActivation {
  const p = action.principal;
  return {
    principal: new CelPrincipal(normalizePrincipalId(p.id), p.type, p.groups, p.onBehalfOf === undefined ? '' : normalizePrincipalId(p.onBehalfOf)),
    resource: action.resource,
    action: new CelAction(action.kind, action.tags, action.summary, action.connector, action.detail),
    context: action.context,
  };
}
