import { CountersignError } from '../core/errors.js';
import { ACTION_KINDS, type ActionKind } from '../core/action.js';
import type { Decision, ReviewRequirement } from '../core/decision.js';
import { parseDuration, formatDuration } from '../config/duration.js';
import { policyConfigSchema, ruleSchema, type PolicyConfig, type PolicyConfigInput, type RuleConfig } from './schema.js';
import { compileCondition } from './cel.js';
import { globMatcher, principalIdMatcher } from './glob.js';
import { CompiledPolicy, type CompiledRule } from './engine.js';

export interface CompileOptions {
  /** Review timeout for rules that set none (from `approvals.default_timeout`). Default 3600. */
  defaultTimeoutSeconds?: number;
  /** Longest review timeout a rule may set (from `approvals.max_wait`); longer is an error. */
  maxWaitSeconds?: number;
}

/** One problem found while compiling; `path` is relative to the `policy:` section. */
export interface PolicyIssue {
  path: (string | number)[];
  message: string;
  /** Points at the key (an unknown field) rather than the value. */
  atKey?: boolean;
}

const EFFECTS = new Set(['allow', 'deny', 'review']);
const RULE_KEYS = new Set(ruleSchema.options.flatMap((o) => Object.keys(o.shape)));

const list = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/**
 * Compile an already validated `policy:` section. Collects every problem (bad CEL, timeouts over the maximum)
 * instead of stopping at the first; `policy` is undefined when there are any.
 */
export function compileValidatedPolicy(
  config: PolicyConfig,
  options: CompileOptions = {},
): { policy?: CompiledPolicy; issues: PolicyIssue[] } {
  const issues: PolicyIssue[] = [];
  const defaultTimeout = options.defaultTimeoutSeconds ?? 3600;
  const rules: CompiledRule[] = [];
  issues.push(...duplicateNames(config.rules));
  config.rules.forEach((rule, index) => {
    const compiled = compileRule(rule, index, defaultTimeout, options.maxWaitSeconds, issues);
    if (compiled) rules.push(compiled);
  });
  if (issues.length > 0) return { issues };
  return { policy: new CompiledPolicy(rules, indexByKind(rules)), issues };
}

/**
 * Compile a `policy:` section into a PolicyEngine. Validates it first; throws CountersignError('CONFIG_INVALID')
 * listing every problem (`details: [{ path, message }]`). The config loader calls this for you.
 *
 * @example
 * const engine = compilePolicy({ rules: [{ name: 'reads', kind: 'read', effect: 'allow' }] });
 * engine.evaluate(action) // { effect: 'allow', rule: 'reads' }
 */
export function compilePolicy(config: PolicyConfigInput | PolicyConfig, options: CompileOptions = {}): CompiledPolicy {
  const parsed = policyConfigSchema.safeParse(config);
  if (!parsed.success) {
    const all = [...parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })), ...lintRawPolicy(config)];
    const details = all.map((i) => ({ path: ['policy', ...i.path].join('.'), message: i.message }));
    throw new CountersignError('CONFIG_INVALID', `invalid policy:\n${details.map((d) => `  ${d.path}: ${d.message}`).join('\n')}`, details);
  }
  const { policy, issues } = compileValidatedPolicy(parsed.data, options);
  if (!policy) {
    const details = issues.map((i) => ({ path: ['policy', ...i.path].join('.'), message: i.message }));
    throw new CountersignError('CONFIG_INVALID', `invalid policy:\n${details.map((d) => `  ${d.path}: ${d.message}`).join('\n')}`, details);
  }
  return policy;
}

/**
 * The checks the compiler makes that do not need a valid schema: duplicate rule names and CEL conditions. Used
 * when the schema already failed, so one run reports every error at once.
 */
export function lintRawPolicy(raw: unknown, opts: { maxWaitSeconds?: number } = {}): PolicyIssue[] {
  const rules = (raw as { rules?: unknown } | undefined)?.rules;
  if (!Array.isArray(rules)) return [];
  const named = rules.map((r) => (r && typeof r === 'object' ? (r as { name?: unknown; when?: unknown; review?: { timeout?: unknown } }) : {}));
  const issues = duplicateNames(named);
  named.forEach((rule, index) => {
    // Without a valid `effect` the schema cannot tell which fields are unknown; report the ones no rule has.
    if (!EFFECTS.has((rule as { effect?: unknown }).effect as string)) {
      for (const key of Object.keys(rule)) {
        if (!RULE_KEYS.has(key)) issues.push({ path: ['rules', index, key], message: `unknown field "${key}"`, atKey: true });
      }
    }
    // What compileRule checks once the schema passes, checked here too where the rule reads well enough, so one run
    // reports every problem.
    const timeout = typeof rule.review?.timeout === 'string' ? parseDuration(rule.review.timeout) : undefined;
    if (timeout !== undefined && opts.maxWaitSeconds !== undefined && timeout > opts.maxWaitSeconds) {
      issues.push({ path: ['rules', index, 'review', 'timeout'], message: `rule "${String(rule.name)}": timeout ${String(rule.review!.timeout)} is longer than approvals.max_wait (${formatDuration(opts.maxWaitSeconds)})` });
    }
    if (typeof rule.when !== 'string' || rule.when === '') return;
    try {
      compileCondition(rule.when);
    } catch (e) {
      issues.push({ path: ['rules', index, 'when'], message: `rule "${String(rule.name)}": ${(e as Error).message}` });
    }
    const upper = upperCaseEmailLiteral(rule.when);
    if (upper !== undefined) issues.push({ path: ['rules', index, 'when'], message: upperCaseMessage(String(rule.name), upper) });
  });
  return issues;
}

function duplicateNames(rules: { name?: unknown }[]): PolicyIssue[] {
  const seen = new Set<unknown>();
  const issues: PolicyIssue[] = [];
  rules.forEach((r, i) => {
    if (typeof r.name !== 'string') return;
    if (seen.has(r.name)) issues.push({ path: ['rules', i, 'name'], message: `duplicate rule name "${r.name}"` });
    seen.add(r.name);
  });
  return issues;
}

function compileRule(
  rule: RuleConfig,
  index: number,
  defaultTimeout: number,
  maxWait: number | undefined,
  issues: PolicyIssue[],
): CompiledRule | undefined {
  const at = (...p: (string | number)[]) => ['rules', index, ...p];
  const before = issues.length;
  let condition: CompiledRule['condition'];
  if (rule.when !== undefined) {
    try {
      condition = compileCondition(rule.when);
    } catch (e) {
      issues.push({ path: at('when'), message: `rule "${rule.name}": ${(e as Error).message}` });
    }
    const upper = upperCaseEmailLiteral(rule.when);
    if (upper !== undefined) {
      issues.push({ path: at('when'), message: upperCaseMessage(rule.name, upper) });
    }
  }
  let decision: Decision;
  if (rule.effect === 'allow') {
    decision = { effect: 'allow', rule: rule.name, ...(rule.mask ? { maskProfile: rule.mask } : {}) };
  } else if (rule.effect === 'deny') {
    decision = { effect: 'deny', rule: rule.name, reason: rule.reason };
  } else {
    const r = rule.review;
    const timeoutSeconds = r.timeout ? parseDuration(r.timeout)! : defaultTimeout;
    if (maxWait !== undefined && timeoutSeconds > maxWait) {
      issues.push({
        path: at('review', 'timeout'),
        message: `rule "${rule.name}": timeout ${r.timeout ?? formatDuration(timeoutSeconds)} is longer than approvals.max_wait (${formatDuration(maxWait)})`,
      });
    }
    const review: ReviewRequirement = {
      approverGroups: [...r.approvers],
      approvals: r.approvals,
      timeoutSeconds,
      grant: r.grant === 'once' ? { type: 'once' } : { type: 'window', seconds: parseDuration(r.grant.window)! },
    };
    decision = {
      effect: 'review',
      rule: rule.name,
      ...(rule.reason ? { reason: rule.reason } : {}),
      review,
      ...(rule.mask ? { maskProfile: rule.mask } : {}),
    };
  }
  if (issues.length > before) return undefined;
  const p = rule.principal;
  const ids = list(p?.ids);
  const kinds = list(rule.kind);
  const resources = list(rule.resource);
  const connectors = list(rule.connector);
  const tools = list(rule.tool);
  return {
    name: rule.name,
    index,
    effect: rule.effect,
    decision: deepFreeze(decision),
    ...(rule.effect !== 'deny' && rule.mask ? { mask: rule.mask } : {}),
    ...(ids ? { ids: principalIdMatcher(ids) } : {}),
    ...(p?.type ? { types: new Set(list(p.type)) } : {}),
    ...(p?.groups ? { groups: list(p.groups) } : {}),
    ...(p?.on_behalf_of !== undefined ? { onBehalfOf: p.on_behalf_of } : {}),
    ...(resources ? { resource: globMatcher(resources), resourcePatterns: resources } : {}),
    ...(kinds ? { kinds: new Set<string>(kinds) } : {}),
    ...(rule.tags ? { tagsAny: list(rule.tags) } : {}),
    ...(rule.tags_all ? { tagsAll: list(rule.tags_all) } : {}),
    ...(connectors ? { connectors: new Set(connectors) } : {}),
    ...(tools ? { tool: globMatcher(tools) } : {}),
    ...(condition ? { condition } : {}),
  };
}

/** Rules that can match each kind, in rule order; kinds outside ACTION_KINDS use the kind-less rules. */
function indexByKind(rules: CompiledRule[]): Map<string, CompiledRule[]> {
  const byKind = new Map<string, CompiledRule[]>();
  for (const kind of ACTION_KINDS as readonly ActionKind[]) byKind.set(kind, rules.filter((r) => !r.kinds || r.kinds.has(kind)));
  byKind.set('', rules.filter((r) => !r.kinds));
  return byKind;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/**
 * In a condition that reads the principal, an e-mail literal with capitals would never match (principal.id and
 * principal.onBehalfOf are lower-case e-mails): a deny written that way would silently stop nothing. Returns it.
 */
function upperCaseMessage(rule: string, literal: string): string {
  return `rule "${rule}": principal ids are compared in canonical form (an e-mail in lower case): write "${literal}" as "${literal.toLowerCase()}"`;
}

function upperCaseEmailLiteral(when: string): string | undefined {
  // Any way of reading the principal (principal.id, principal["id"], has(principal.onBehalfOf)), and every string
  // literal as CEL reads it (escapes such as \x40 or \u0040 decoded, raw and triple-quoted strings included).
  if (!/\bprincipal\b/.test(when)) return undefined;
  for (const m of when.matchAll(CEL_STRING)) {
    const body = m[2] ?? m[3] ?? m[4] ?? m[5] ?? '';
    const lit = m[1] ? body : decodeCelEscapes(body);
    if (lit.includes('@') && !/\s/.test(lit) && lit !== lit.toLowerCase()) return lit;
  }
  return undefined;
}

// A CEL string literal: an optional raw prefix, then the quoted text (triple or single quotes, either kind).
const CEL_STRING = /([rR])?(?:"""([\s\S]*?)"""|'''([\s\S]*?)'''|"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')/g;

/** The text of a CEL string literal's body with its escapes decoded (\xHH, \uHHHH, \UHHHHHHHH, octal, \n …). */
function decodeCelEscapes(body: string): string {
  return body.replace(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-3][0-7]{2})|(.))/g, (_m, x, u, U, oct, ch: string | undefined) => {
    const code = x ?? u ?? U;
    if (code) return String.fromCodePoint(parseInt(code, 16));
    if (oct) return String.fromCharCode(parseInt(oct, 8));
    return ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[ch!] ?? ch!;
  });
}
