import { z } from 'zod';
import { ACTION_KINDS } from '../core/action.js';
import { durationSchema } from '../config/duration.js';

/** A string or a list of strings; normalised to a list by the compiler. */
const oneOrMany = <T extends z.ZodType<string>>(item: T) => z.union([item, z.array(item).min(1)]);

const principalMatchSchema = z.strictObject({
  /** Principal ids; `*` is a wildcard (`agent:*`). */
  ids: oneOrMany(z.string().min(1)).optional().describe('Principal ids; `*` is a wildcard (`agent:*`).'),
  type: oneOrMany(z.enum(['human', 'agent', 'service'])).optional().describe('Principal type(s).'),
  /** Matches when the principal is in at least one of these groups. */
  groups: oneOrMany(z.string().min(1)).optional().describe('Matches when the principal is in at least one of these groups.'),
  /** `true`: only principals acting on behalf of a human; `false`: only those that are not. */
  on_behalf_of: z.boolean().optional().describe('true: only principals acting on behalf of a human; false: only those that are not.'),
});

const reviewSchema = z.strictObject({
  /** Groups whose human members may approve. Empty: any human except the requester and the one it acts for. */
  approvers: z.array(z.string().min(1)).default([]).describe('Groups whose human members may approve; empty: any human but the requester.'),
  /** Distinct approvals needed. */
  approvals: z.number().int().min(1).max(20).default(1).describe('Distinct approvals needed.'),
  /** How long the request may wait; default `approvals.default_timeout`. */
  timeout: durationSchema.optional().describe('How long the request may wait (30m, 2h); default approvals.default_timeout.'),
  /** `once`: this exact action, one execution. `{ window: 15m }`: matching actions by the same principal on the same resource for that long. */
  grant: z
    .union([z.literal('once'), z.strictObject({ window: durationSchema })], { error: 'expected "once" or { window: <duration> }' })
    .default('once'),
});

const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** What a rule matches on; every field present must match (AND), a list inside a field is any-of (OR). */
const matchFields = {
  name: z
    .string()
    .regex(RULE_NAME, 'letters, digits, `_`, `.`, `:` and `-`, starting with a letter or digit')
    .refine((n) => n !== 'default', 'the rule name "default" is reserved for the built-in default deny'),
  description: z.string().optional().describe('For people reading the file.'),
  principal: principalMatchSchema.optional(),
  /** Resource names; `*` is a wildcard (`prod-*`). */
  resource: oneOrMany(z.string().min(1)).optional().describe('Resource names; `*` is a wildcard (`prod-*`).'),
  kind: oneOrMany(z.enum(ACTION_KINDS)).optional().describe('Action kind(s).'),
  /** Matches when the action carries at least one of these tags. */
  tags: oneOrMany(z.string().min(1)).optional().describe('Matches when the action carries at least one of these tags.'),
  /** Matches when the action carries all of these tags. */
  tags_all: oneOrMany(z.string().min(1)).optional().describe('Matches when the action carries all of these tags.'),
  /** MCP tool names as the upstream calls them (`write_file`, `*_issue`): only tool calls carry one. */
  tool: oneOrMany(z.string().min(1))
    .optional()
    .describe('MCP tool name(s) as the upstream calls them; `*` is a wildcard. An action that is not a tool call never matches.'),
  /** Connector names: `mcp`, `postgres`, `http`, `sdk`, `api`. */
  connector: oneOrMany(z.string().min(1)).optional().describe('Connector name(s): mcp, postgres, http, sdk, api.'),
  /** A CEL condition over `principal`, `resource`, `action` and `context`; must yield a bool. */
  when: z.string().min(1).optional().describe('CEL condition over principal, resource, action and context; must yield a bool.'),
};

export const ruleSchema = z.discriminatedUnion('effect', [
  z.strictObject({ ...matchFields, effect: z.literal('allow'), mask: z.string().min(1).optional() }),
  z.strictObject({ ...matchFields, effect: z.literal('deny'), reason: z.string().min(1).describe('Told to the caller.') }),
  z.strictObject({
    ...matchFields,
    effect: z.literal('review'),
    reason: z.string().min(1).optional(),
    review: reviewSchema.prefault({}),
    mask: z.string().min(1).optional(),
  }),
]);
export type RuleConfig = z.infer<typeof ruleSchema>;

/**
 * `policy:` section: ordered rules. Rule names must be unique (checked by the compiler, with the CEL conditions).
 * Any matching deny wins, else the first review, else the first allow, else deny.
 */
export const policyConfigSchema = z
  .strictObject({
    rules: z.array(ruleSchema).default([]),
  })
  .prefault({});
export type PolicyConfig = z.infer<typeof policyConfigSchema>;
/** What a caller may pass to compilePolicy (defaults not yet applied). */
export type PolicyConfigInput = z.input<typeof policyConfigSchema>;
