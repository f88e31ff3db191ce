import type { Action } from '../core/action.js';
import type { Decision, PolicyEngine } from '../core/decision.js';
import { activationOf, celErrorSummary, type CelActivation, type CelCondition } from './cel.js';
import type { NameMatcher } from './glob.js';

/** One rule after compilation: cheap matchers first, the CEL condition last. */
export interface CompiledRule {
  name: string;
  index: number;
  effect: Decision['effect'];
  /** The frozen decision this rule gives when it wins. */
  decision: Decision;
  mask?: string;
  ids?: NameMatcher;
  types?: Set<string>;
  groups?: string[];
  onBehalfOf?: boolean;
  resource?: NameMatcher;
  resourcePatterns?: string[];
  kinds?: Set<string>;
  tagsAny?: string[];
  tagsAll?: string[];
  connectors?: Set<string>;
  /** `action.detail.tool` (MCP tool calls); an action without one does not match. */
  tool?: NameMatcher;
  condition?: CelCondition;
}

/** A condition that threw at run time; the rule was treated as matching (deny/review) or not (allow). */
export interface ConditionError {
  rule: string;
  message: string;
  treatedAs: 'match' | 'no_match';
}

/** Everything about one evaluation, for `policy test`, audit and debugging. */
export interface Evaluation {
  decision: Decision;
  /** Names of the rules that matched, in rule order. */
  matched: string[];
  conditionErrors: ConditionError[];
}

export const DEFAULT_RULE = 'default';
export const DEFAULT_REASON = 'no policy rule allows this action';

/**
 * The compiled policy. `evaluate()` only matches: rules are pre-indexed by action kind, glob patterns are
 * pre-compiled, CEL conditions are parsed and type-checked, and decisions are built at load time.
 * Semantics: any matching deny wins; else the first matching review; else the first matching allow; else deny.
 */
export class CompiledPolicy implements PolicyEngine {
  constructor(
    readonly rules: readonly CompiledRule[],
    private readonly byKind: Map<string, CompiledRule[]>,
  ) {}

  get ruleCount(): number {
    return this.rules.length;
  }

  /**
   * Decide one action. Never throws for a well-formed action: a condition that fails at run time fails closed.
   *
   * @example engine.evaluate(describeAction({ ... })) // { effect: 'deny', rule: 'default', reason: 'no policy rule allows this action' }
   */
  evaluate(action: Action): Decision {
    return this.run(action, false).decision;
  }

  /** Like evaluate(), but checks every rule and reports all matches and condition errors. */
  explain(action: Action): Evaluation {
    return this.run(action, true);
  }

  private run(action: Action, full: boolean): Evaluation {
    const candidates = this.byKind.get(action.kind) ?? this.byKind.get('')!;
    let deny: Decision | undefined;
    let review: Decision | undefined;
    let allow: Decision | undefined;
    let activation: CelActivation | undefined;
    let errors: ConditionError[] | undefined;
    const matched: string[] = [];
    for (const rule of candidates) {
      // Once decided, a rule of a weaker or already-taken effect cannot change the outcome: skip its work.
      if (!full && ((rule.effect === 'allow' && (allow || review)) || (rule.effect === 'review' && review))) continue;
      if (!cheapMatch(rule, action)) continue;
      let erred: string | undefined;
      if (rule.condition) {
        activation ??= activationOf(action);
        let ok: boolean;
        try {
          ok = rule.condition(activation);
        } catch (e) {
          erred = celErrorSummary(e);
          ok = rule.effect !== 'allow'; // fail closed
          (errors ??= []).push({ rule: rule.name, message: erred, treatedAs: ok ? 'match' : 'no_match' });
        }
        if (!ok) continue;
      }
      matched.push(rule.name);
      const d = erred === undefined ? rule.decision : withConditionError(rule.decision, erred);
      if (rule.effect === 'deny') {
        deny ??= d;
        if (!full) break;
      } else if (rule.effect === 'review') review ??= d;
      else allow ??= d;
    }
    let decision = deny ?? review ?? allow;
    if (!decision) {
      const why = errors?.length ? ` (condition of rule ${errors.map((e) => `"${e.rule}"`).join(', ')} could not be evaluated)` : '';
      decision = { effect: 'deny', rule: DEFAULT_RULE, reason: DEFAULT_REASON + why };
    }
    return { decision, matched, conditionErrors: errors ?? [] };
  }
}

function cheapMatch(rule: CompiledRule, action: Action): boolean {
  const p = action.principal;
  if (rule.resource && !rule.resource(action.resource)) return false;
  if (rule.connectors && !rule.connectors.has(action.connector)) return false;
  if (rule.types && !rule.types.has(p.type)) return false;
  if (rule.ids && !rule.ids(p.id)) return false;
  if (rule.onBehalfOf !== undefined && rule.onBehalfOf !== Boolean(p.onBehalfOf)) return false;
  if (rule.groups && !rule.groups.some((g) => p.groups.includes(g))) return false;
  if (rule.tagsAny && !rule.tagsAny.some((t) => action.tags.includes(t))) return false;
  if (rule.tagsAll && !rule.tagsAll.every((t) => action.tags.includes(t))) return false;
  if (rule.tool) {
    // Only the MCP connector names a tool: on the HTTP API `detail` is whatever the caller wrote, and a `tool` there
    // must not meet a rule written for MCP tool calls (an allow for two read tools would allow any kind of action).
    const t = action.detail.tool;
    if (action.connector !== 'mcp' || typeof t !== 'string' || !rule.tool(t)) return false;
  }
  return true;
}

function withConditionError(d: Decision, message: string): Decision {
  const note = `condition could not be evaluated (${message}); the rule applies (fail closed)`;
  if (d.effect === 'deny') return { ...d, reason: `${d.reason}; ${note}` };
  if (d.effect === 'review') return { ...d, reason: d.reason ? `${d.reason}; ${note}` : note };
  return d; // allow rules never match on error
}
