import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// A real process: a tiny CLI that builds a commander program and registers the policy commands.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cs-policy-cli-'));
const runner = join(dir, 'cli.mjs');
writeFileSync(
  runner,
  [
    `import { Command } from ${JSON.stringify(pathToFileURL(createRequire(join(root, 'package.json')).resolve('commander')).href)};`,
    `import { registerPolicyCommands } from ${JSON.stringify(pathToFileURL(join(root, 'src/cli/commands/policy.ts')).href)};`,
    // As in src/cli/main.ts: the program has its own -c, --config, which commander prefers for an option both define.
    `const program = new Command('countersign').option('-c, --config <path>').exitOverride((e) => process.exit(e.exitCode));`,
    `registerPolicyCommands(program);`,
    `await program.parseAsync(process.argv);`,
  ].join('\n'),
);

const config = join(dir, 'countersign.yaml');
writeFileSync(
  config,
  [
    'resources:',
    '  - { name: prod-db, type: postgres }',
    'policy:',
    '  rules:',
    '    - name: no-ddl',
    '      kind: ddl',
    '      effect: deny',
    '      reason: no schema changes',
    '    - name: deletes',
    '      kind: delete',
    '      effect: review',
    '      review: { approvers: [dba], approvals: 2, timeout: 30m, grant: { window: 15m } }',
    '    - name: reads',
    '      kind: read',
    '      when: context.ticket.startsWith("OPS-")',
    '      effect: allow',
    '      mask: default',
  ].join('\n'),
);
const bad = join(dir, 'bad.yaml');
writeFileSync(bad, 'server:\n  port: x\npolicy:\n  rules:\n    - name: r\n      effect: deny\n');

function action(kind: string, context: Record<string, unknown> = {}): string {
  const file = join(dir, `${kind}-${Object.keys(context).join('-') || 'none'}.json`);
  writeFileSync(file, JSON.stringify({ principal: { id: 'agent:ci', type: 'agent', groups: ['ci'] }, resource: 'prod-db', kind, context }));
  return file;
}

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', runner, ...args], { cwd: root, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('cli policy: check, test (text and JSON) and help, in real processes', async () => {
  const [ok, okEnv, invalid, allow, deny, review, json, failClosed, badAction, help] = await Promise.all([
    run(['policy', 'check', '--config', config]),
    run(['policy', 'check'], { COUNTERSIGN_CONFIG: config }),
    run(['policy', 'check', '-c', bad]),
    run(['policy', 'test', action('read', { ticket: 'OPS-1' }), '--config', config]),
    run(['policy', 'test', action('ddl'), '--config', config]),
    run(['policy', 'test', action('delete'), '--config', config]),
    run(['policy', 'test', action('delete'), '--config', config, '--json']),
    run(['policy', 'test', action('read'), '--config', config]),
    run(['policy', 'test', join(dir, 'nope.json'), '--config', config]),
    run(['policy', 'test', '--help']),
  ]);

  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), `OK ${config}: 3 policy rules`);
  assert.equal(okEnv.code, 0, okEnv.stderr);

  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:9 server\\.port: `));
  assert.match(invalid.stderr, /:5:7 policy\.rules\[0\]\.reason: required field is missing/);

  assert.equal(allow.code, 0, allow.stderr);
  assert.match(allow.stdout, /^decision {2}allow\nrule {6}reads\nmask {6}default\nmatched {3}reads$/m);

  assert.equal(deny.code, 1);
  assert.match(deny.stdout, /decision {2}deny\nrule {6}no-ddl\nreason {4}no schema changes/);

  assert.equal(review.code, 2);
  assert.match(review.stdout, /decision {2}review\nrule {6}deletes\nreview {4}approvers: dba; approvals: 2; timeout: 30m; grant: window 15m/);

  assert.equal(json.code, 2);
  const parsed = JSON.parse(json.stdout);
  assert.deepEqual(parsed.decision, {
    effect: 'review',
    rule: 'deletes',
    review: { approverGroups: ['dba'], approvals: 2, timeoutSeconds: 1800, grant: { type: 'window', seconds: 900 } },
  });
  assert.deepEqual(parsed.matched, ['deletes']);
  assert.match(parsed.digest, /^[0-9a-f]{64}$/);

  // No ticket in context: the allow rule's condition errors, so it does not match, and the default deny applies.
  assert.equal(failClosed.code, 1);
  assert.match(failClosed.stdout, /rule {6}default/);
  assert.match(failClosed.stdout, /error {5}rule "reads": condition failed \(.*ticket.*\); treated as not matching/);

  assert.equal(badAction.code, 3);
  assert.match(badAction.stderr, /cannot read action file .*nope\.json: file not found/);

  assert.equal(help.code, 0);
  assert.match(help.stdout, /Exit code: 0 allow, 1 deny, 2 review, 3 the config or the action file is invalid/);
  assert.match(help.stdout, /--json/);
});
