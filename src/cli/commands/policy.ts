import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { ACTION_KINDS, describeAction } from '../../core/action.js';
import { CountersignError, isCountersignError } from '../../core/errors.js';
import type { Decision } from '../../core/decision.js';
import type { ConfigErrorDetail } from '../../config/load.js';
import { configOption } from '../options.js';
import { formatDuration } from '../../config/duration.js';
import type { Evaluation } from '../../policy/engine.js';

/** Exit codes of `countersign policy test`. */
export const POLICY_TEST_EXIT = { allow: 0, deny: 1, review: 2, error: 3 } as const;

/** The action description `policy test` reads: a subset of ActionInput, with defaults for the optional parts. */
const actionFileSchema = z.strictObject({
  principal: z.strictObject({
    id: z.string().min(1),
    type: z.enum(['human', 'agent', 'service']),
    name: z.string().optional(),
    groups: z.array(z.string()).default([]),
    onBehalfOf: z.string().min(1).optional(),
  }),
  resource: z.string().min(1),
  kind: z.enum(ACTION_KINDS),
  connector: z.string().min(1).default('api'),
  tags: z.array(z.string()).default([]),
  summary: z.string().default(''),
  detail: z.record(z.string(), z.unknown()).default({}),
  context: z.record(z.string(), z.unknown()).default({}),
});

function configPath(option: string | undefined): string {
  return option ?? process.env.COUNTERSIGN_CONFIG ?? 'countersign.yaml';
}

function printConfigError(e: unknown): void {
  if (isCountersignError(e)) {
    console.error(`error: ${e.code}: ${e.message}`);
  } else {
    console.error(`error: ${(e as Error)?.message ?? String(e)}`);
  }
}

function describeDecision(d: Decision): string[] {
  const lines = [`decision  ${d.effect}`, `rule      ${d.rule}`];
  if (d.effect !== 'allow' && d.reason) lines.push(`reason    ${d.reason}`);
  if (d.effect === 'review') {
    const r = d.review;
    const grant = r.grant.type === 'once' ? 'once' : `window ${formatDuration(r.grant.seconds)}`;
    const who = r.approverGroups.length ? r.approverGroups.join(', ') : 'any human but the requester';
    lines.push(`review    approvers: ${who}; approvals: ${r.approvals}; timeout: ${formatDuration(r.timeoutSeconds)}; grant: ${grant}`);
  }
  if (d.effect !== 'deny' && d.maskProfile) lines.push(`mask      ${d.maskProfile}`);
  return lines;
}

/**
 * Add `policy check` and `policy test` to a commander program (called by src/cli/main.ts).
 *
 * @example
 * const program = new Command('countersign');
 * registerPolicyCommands(program);
 * await program.parseAsync(process.argv);
 */
export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('Validate the configuration and try actions against its policy');

  policy
    .command('check')
    .description('Validate the configuration file and compile its policy; list every error with file:line:column')
    .option('-c, --config <path>', 'configuration file (default: $COUNTERSIGN_CONFIG or ./countersign.yaml)')
    .addHelpText('after', '\nExit code: 0 when valid (warnings are printed but do not fail), 1 when not.')
    .action(async (_opts: unknown, cmd: Command) => {
      const file = configPath(configOption(cmd));
      try {
        const { loadConfig } = await import('../../config/load.js');
        const cfg = await loadConfig(file);
        for (const w of cfg.warnings) console.error(`warning: ${w}`);
        const n = cfg.compiledPolicy.ruleCount;
        console.log(`OK ${file}: ${n} policy rule${n === 1 ? '' : 's'}`);
      } catch (e) {
        printConfigError(e);
        process.exitCode = 1;
      }
    });

  policy
    .command('test')
    .description('Evaluate one action described in a JSON file against the policy and print the decision')
    .argument('<action.json>', 'action description: { principal: { id, type, groups, onBehalfOf }, resource, kind, connector, tags, summary, detail, context }')
    .option('-c, --config <path>', 'configuration file (default: $COUNTERSIGN_CONFIG or ./countersign.yaml)')
    .option('--json', 'print the evaluation as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Exit code: 0 allow, 1 deny, 2 review, 3 the config or the action file is invalid.',
        '',
        'Example action.json:',
        '  { "principal": { "id": "agent:ci", "type": "agent", "groups": ["pipelines"] },',
        '    "resource": "prod-db", "connector": "postgres", "kind": "delete", "tags": ["destructive"],',
        '    "summary": "DELETE FROM users WHERE id = $1", "detail": { "sql": "DELETE FROM users WHERE id = 42" },',
        '    "context": { "ticket": "OPS-12" } }',
      ].join('\n'),
    )
    .action(async (actionFile: string, opts: { json?: boolean }, cmd: Command) => {
      let evaluation: Evaluation;
      let digest: string;
      try {
        const { loadConfig } = await import('../../config/load.js');
        const cfg = await loadConfig(configPath(configOption(cmd)));
        const input = await readActionFile(actionFile);
        const action = describeAction({ ...input, principal: { ...input.principal, authMethod: 'static' } });
        digest = action.digest;
        evaluation = cfg.compiledPolicy.explain(action);
      } catch (e) {
        printConfigError(e);
        process.exitCode = POLICY_TEST_EXIT.error;
        return;
      }
      const d = evaluation.decision;
      if (opts.json) {
        console.log(JSON.stringify({ ...evaluation, digest }, null, 2));
      } else {
        const lines = describeDecision(d);
        lines.push(`matched   ${evaluation.matched.length ? evaluation.matched.join(', ') : '(none)'}`);
        for (const ce of evaluation.conditionErrors) {
          lines.push(`error     rule "${ce.rule}": condition failed (${ce.message}); treated as ${ce.treatedAs === 'match' ? 'matching' : 'not matching'}`);
        }
        console.log(lines.join('\n'));
      }
      process.exitCode = POLICY_TEST_EXIT[d.effect];
    });
}

async function readActionFile(file: string): Promise<z.infer<typeof actionFileSchema>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
    throw new CountersignError('BAD_JSON', `cannot read action file ${file}: ${why}`);
  }
  const parsed = actionFileSchema.safeParse(raw);
  if (!parsed.success) {
    const details: Pick<ConfigErrorDetail, 'path' | 'message'>[] = parsed.error.issues.map((i) => ({
      path: i.path.join('.') || '(top level)',
      message: i.message,
    }));
    throw new CountersignError('BAD_REQUEST', `invalid action file ${file}:\n${details.map((d) => `  ${d.path}: ${d.message}`).join('\n')}`, details);
  }
  return parsed.data;
}
