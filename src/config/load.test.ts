import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CountersignError } from '../core/errors.js';
import { describeAction } from '../core/action.js';
import { loadConfig, parseConfigText, type ConfigErrorDetail } from './load.js';
import { buildJsonSchema } from './json-schema.js';
import { isSecretKeyName, missingUpstreamSecrets, readSecretEnv } from './secrets.js';
import { createRuntime } from '../main.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function configError(fn: () => unknown): CountersignError & { details: ConfigErrorDetail[] } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CountersignError, String(e));
    assert.equal(e.code, 'CONFIG_INVALID');
    return e as CountersignError & { details: ConfigErrorDetail[] };
  }
  assert.fail('expected CONFIG_INVALID');
}

const brief = (e: { details: ConfigErrorDetail[] }) => e.details.map((d) => `${d.line}:${d.column} ${d.path}`);

test('config: an empty file is valid and gives the defaults', () => {
  const c = parseConfigText('', '/tmp/x/countersign.yaml');
  assert.equal(c.server.host, '127.0.0.1');
  assert.equal(c.server.port, 8080);
  assert.equal(c.server.body_limit, 1048576);
  assert.equal(c.store.driver, 'sqlite');
  assert.equal(c.approvals.default_timeout, '1h');
  assert.deepEqual(c.resources, []);
  assert.equal(c.baseDir, '/tmp/x');
  assert.equal(c.compiledPolicy.ruleCount, 0);
});

test('config: several mistakes at once, each with its own line, column and path', () => {
  const text = [
    'server:', //                                    1
    '  port: "80"', //                               2
    '  hots: 0.0.0.0', //                            3
    'store:', //                                     4
    '  driver: mysql', //                            5
    'approvals:', //                                 6
    '  default_timeout: soon', //                    7
    'resources:', //                                 8
    '  - name: db', //                               9
    '    type: postgres', //                        10
    '  - name: db', //                              11
    '    type: oracle', //                          12
    'policy:', //                                   13
    '  rules:', //                                  14
    '    - name: no-reason', //                     15
    '      effect: deny', //                        16
    '    - name: bad-cel', //                       17
    '      effect: allow', //                       18
    '      when: principal.grups.size() > 0', //    19
    '    - name: no-reason', //                     20
    '      effect: review', //                      21
    '      review:', //                             22
    '        approvals: 0', //                      23
    '        grant: forever', //                    24
    '    - name: typo', //                          25
    '      efect: allow', //                        26
    'extra: 1', //                                  27
  ].join('\n');
  const e = configError(() => parseConfigText(text, 'bad.yaml'));
  assert.deepEqual(brief(e), [
    '2:9 server.port',
    '3:3 server.hots',
    '5:11 store.driver',
    '7:20 approvals.default_timeout',
    '12:11 resources[1].type',
    '15:7 policy.rules[0].reason',
    '19:13 policy.rules[1].when',
    '20:13 policy.rules[2].name',
    '23:20 policy.rules[2].review.approvals',
    '24:16 policy.rules[2].review.grant',
    '25:7 policy.rules[3].effect',
    '26:7 policy.rules[3].efect',
    '27:1 extra',
  ]);
  const by = (p: string) => e.details.find((d) => d.path === p)!.message;
  assert.match(by('server.hots'), /unknown field "hots"/);
  assert.match(by('policy.rules[0].reason'), /required field is missing/);
  assert.match(by('policy.rules[1].when'), /rule "bad-cel": CEL type error: .*grups/);
  assert.match(by('policy.rules[2].name'), /duplicate rule name "no-reason"/);
  assert.match(by('policy.rules[2].review.grant'), /expected "once" or \{ window: <duration> \}/);
  assert.match(by('approvals.default_timeout'), /expected a duration like 30m/);
  // The message lists every error as file:line:column path: message.
  assert.match(e.message, /^invalid configuration bad\.yaml \(13 errors\):\n/);
  assert.match(e.message, /\n {2}bad\.yaml:19:13 policy\.rules\[1\]\.when: rule "bad-cel"/);
  assert.equal(e.message.split('\n').length, 14);
});

test('config: duplicate resource names are caught once the shape is right', () => {
  const e = configError(() => parseConfigText('resources:\n  - name: db\n    type: postgres\n  - name: db\n    type: mcp\n', 'r.yaml'));
  assert.deepEqual(brief(e), ['4:11 resources[1].name']);
  assert.match(e.details[0]!.message, /duplicate resource name "db"/);
});

test('config: review timeout over approvals.max_wait points at the timeout', () => {
  const text = 'approvals:\n  max_wait: 1h\npolicy:\n  rules:\n    - name: slow\n      effect: review\n      review: { timeout: 2h }\n';
  const e = configError(() => parseConfigText(text, 't.yaml'));
  assert.deepEqual(brief(e), ['7:26 policy.rules[0].review.timeout']);
  assert.match(e.details[0]!.message, /2h is longer than approvals.max_wait \(1h\)/);
  // Rules without a timeout take approvals.default_timeout.
  const ok = parseConfigText('approvals:\n  default_timeout: 20m\npolicy:\n  rules:\n    - name: r\n      effect: review\n', 'ok.yaml');
  const d = ok.compiledPolicy.evaluate(
    describeAction({ principal: { id: 'a', type: 'agent', groups: [], authMethod: 'api_key' }, resource: 'x', connector: 'sdk', kind: 'read', summary: '', detail: {} }),
  );
  assert.equal(d.effect === 'review' && d.review.timeoutSeconds, 1200);
});

test('config: YAML syntax errors are reported with their lines', () => {
  const e = configError(() => parseConfigText('server:\n  port: 1\n  port: 2\nfoo: [\n', 'y.yaml'));
  assert.deepEqual(brief(e), ['3:3 (yaml)', '5:1 (yaml)']);
  assert.match(e.details[0]!.message, /^Map keys must be unique$/);
});

test('config: secrets written into the file are rejected, *_env references are fine', () => {
  const text = [
    'store:', //                                                         1
    '  driver: postgres', //                                             2
    '  password: hunter2', //                                            3
    '  url_env: DATABASE_URL', //                                        4
    'identity:', //                                                      5
    '  static_tokens:', //                                               6
    '    - token: abc123', //                                            7
    '      token_env: AGENT_TOKEN', //                                   8
    '      id: agent:x', //                                              9
    '      type: agent', //                                             10
    'mcp:', //                                                          11
    '  upstreams:', //                                                  12
    '    - name: gh', //                                                13
    '      command: gh-mcp', //                                         14
    '      env: { GITHUB_TOKEN: ghp_xxx, LOG_LEVEL: debug }', //        15
    '    - name: remote', //                                            16
    '      url: "https://user:pa55@mcp.example.com/"', //               17
    '      headers_env: { Authorization: GH_AUTH }', //                 18
    'masking:', //                                                      19
    '  profiles:', //                                                   20
    '    default:', //                                                  21
    '      transforms: { PASSWORD: redact, AWS_SECRET_KEY: hash }', //  22
  ].join('\n');
  const e = configError(() => parseConfigText(text, 's.yaml'));
  assert.deepEqual(brief(e), ['3:3 store.password', '7:7 identity.static_tokens[0].token', '15:14 mcp.upstreams[0].env.GITHUB_TOKEN', '17:12 mcp.upstreams[1].url']);
  for (const d of e.details.slice(0, 2)) assert.match(d.message, /literal secret; .*"\*_env" field/);
  assert.match(e.details[2]!.message, /literal secret; .*pass it with env_from: \{ GITHUB_TOKEN: <that variable's name> \}/);
  assert.match(e.details[3]!.message, /URL carries a password/);
  // The secret value itself never appears in the error.
  for (const s of ['hunter2', 'abc123', 'ghp_xxx', 'pa55']) assert.ok(!e.message.includes(s) && !JSON.stringify(e.details).includes(s), s);
});

test('config: env_from and headers_env map fixed names (secret-looking ones too) to variable names; a value that is not a variable name, or is a pasted token, is refused', () => {
  const upstreams = (lines: string[]) => ['mcp:', '  upstreams:', ...lines].join('\n');
  // True uses: the child's variable or header name is fixed by the server/protocol; the value names a gateway variable.
  const ok = parseConfigText(
    upstreams([
      '    - name: github', //                                                                     3
      '      command: github-mcp-server', //                                                       4
      '      env_from: { GITHUB_PERSONAL_ACCESS_TOKEN: GH_PAT, API_KEY: ACME_KEY, SLACK_BOT_TOKEN: slack_bot, PASSWORD: DB_PW }',
      '      env: { LOG_LEVEL: debug }',
      '    - name: remote',
      '      url: https://mcp.example.com/',
      '      headers_env: { Authorization: GITHUB_MCP_TOKEN, X-Api-Key: ACME_API_KEY }',
    ]),
    'ok.yaml',
  );
  assert.deepEqual(ok.mcp.upstreams[0]!.env_from, { GITHUB_PERSONAL_ACCESS_TOKEN: 'GH_PAT', API_KEY: 'ACME_KEY', SLACK_BOT_TOKEN: 'slack_bot', PASSWORD: 'DB_PW' });
  // Look-alikes that are still refused: the token pasted where the variable name belongs, a header value, a
  // variable name with a space or a dash, a literal secret under `env`, and a scalar *_env holding a token.
  const bad = [
    '    - name: github', //                                                                     3
    '      command: github-mcp-server', //                                                       4
    '      env_from: { GITHUB_PERSONAL_ACCESS_TOKEN: ghp_AbCdEf0123456789AbCdEf0123456789AbCd }', // 5
    '      env: { GITHUB_TOKEN: GH_PAT }', //                                                     6
    '    - name: gh2', //                                                                        7
    '      command: x', //                                                                       8
    '      env_from: { API_KEY: wJalrXUtnFEMI0K7MDENGbPxRfiCYEXAMPLEKEY, OTHER: my-var }', //    9
    '    - name: remote', //                                                                    10
    '      url: https://mcp.example.com/', //                                                   11
    '      headers_env: { Authorization: "Bearer abc" }', //                                    12
    'store: { url_env: AKIAIOSFODNN7EXAMPLE }', //                                             13
  ];
  const e = configError(() => parseConfigText(upstreams(bad), 'bad.yaml'));
  assert.deepEqual(brief(e), [
    '5:49 mcp.upstreams[0].env_from.GITHUB_PERSONAL_ACCESS_TOKEN',
    '6:14 mcp.upstreams[0].env.GITHUB_TOKEN',
    '9:28 mcp.upstreams[1].env_from.API_KEY',
    '9:76 mcp.upstreams[1].env_from.OTHER',
    '12:37 mcp.upstreams[2].headers_env.Authorization',
    '13:19 store.url_env',
  ]);
  const msg = (path: string) => e.details.find((d) => d.path === path)!.message;
  assert.match(msg('mcp.upstreams[0].env_from.GITHUB_PERSONAL_ACCESS_TOKEN'), /must name an environment variable, but its value looks like a secret itself/);
  assert.match(msg('mcp.upstreams[1].env_from.API_KEY'), /looks like a secret itself/);
  assert.match(msg('store.url_env'), /looks like a secret itself/);
  assert.match(msg('mcp.upstreams[1].env_from.OTHER'), /must name an environment variable \(letters, digits and _/);
  assert.match(msg('mcp.upstreams[2].headers_env.Authorization'), /must name an environment variable \(letters/);
  for (const s of ['ghp_AbCdEf', 'wJalrXUtnFEMI', 'my-var', 'Bearer abc', 'AKIAIOSFODNN7']) assert.ok(!e.message.includes(s) && !JSON.stringify(e.details).includes(s), s);
});

test('config: secret-like key names', () => {
  for (const k of ['password', 'db_password', 'token', 'api_token', 'clientSecret', 'client_secret', 'private_key', 'apiKey', 'API_KEY', 'key', 'credentials', 'Authorization']) {
    assert.equal(isSecretKeyName(k), true, k);
  }
  for (const k of ['token_env', 'key_env', 'signing_key_env', 'url_env', 'name', 'keywords', 'monkey', 'groups_claim', 'static_tokens_env', 'path']) {
    assert.equal(isSecretKeyName(k), false, k);
  }
});

test('config: readSecretEnv names the variable, never a value', () => {
  assert.equal(readSecretEnv('X_SECRET', { X_SECRET: 's3cret' }), 's3cret');
  assert.throws(() => readSecretEnv('X_SECRET', {}), (e: unknown) => e instanceof CountersignError && e.code === 'SECRET_MISSING' && /X_SECRET/.test(e.message));
});

test('config: warnings for rules naming no configured resource', () => {
  const text = [
    'resources:',
    '  - { name: prod-db, type: postgres }',
    'policy:',
    '  rules:',
    '    - { name: ok, resource: "prod-*", effect: allow }',
    '    - { name: typo, resource: prd-db, effect: allow }',
  ].join('\n');
  const c = parseConfigText(text, 'w.yaml');
  assert.deepEqual(c.warnings, ['policy rule "typo": resource "prd-db" matches no configured resource']);
});

test('config: a masking profile no section defines is CONFIG_INVALID at its line (rule mask, default_profile); built-in and defined names load', () => {
  const text = [
    'masking:',
    '  default_profile: stirct',
    '  profiles:',
    '    strict: { transforms: { "*": redact } }',
    'policy:',
    '  rules:',
    '    - { name: agents, effect: allow, mask: defualt }',
    '    - name: held',
    '      effect: review',
    '      review: { approvers: [eng] }',
    '      mask: Strict',
    '    - { name: fine, effect: allow, mask: strict }',
  ].join('\n');
  assert.throws(() => parseConfigText(text, 'm.yaml'), (e: unknown) => {
    assert.ok(e instanceof CountersignError && e.code === 'CONFIG_INVALID', String(e));
    assert.deepEqual(brief(e as CountersignError & { details: ConfigErrorDetail[] }), ['2:20 masking.default_profile', '7:44 policy.rules[0].mask', '11:13 policy.rules[1].mask']);
    assert.match(e.message, /m\.yaml:7:44 policy\.rules\[0\]\.mask: rule "agents": unknown masking profile "defualt": define it under masking\.profiles, or use one of "default", "strict"/);
    assert.match(e.message, /unknown masking profile "stirct"/);
    assert.match(e.message, /rule "held": unknown masking profile "Strict"/, 'names are exact: no case folding');
    return true;
  });
  // Look-alikes that are fine: the built-in default (not defined), a defined profile, a defined default_profile.
  const ok = parseConfigText(
    ['masking:', '  default_profile: strict', '  profiles:', '    strict: {}', 'policy:', '  rules:', '    - { name: a, effect: allow, mask: default }', '    - { name: b, effect: allow, mask: strict }', '    - { name: c, effect: allow }'].join('\n'),
    'ok.yaml',
  );
  assert.deepEqual(ok.warnings, []);
  assert.equal(parseConfigText('policy:\n  rules:\n    - { name: a, effect: allow, mask: default }\n', 'd.yaml').masking.default_profile, 'default');
});

test('config: loadConfig reads a file, CONFIG_NOT_FOUND when missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-config-'));
  mkdirSync(join(dir, 'sub'));
  const file = join(dir, 'sub', 'countersign.yaml');
  writeFileSync(file, 'server:\n  port: 9999\n');
  const c = await loadConfig(file);
  assert.equal(c.server.port, 9999);
  assert.equal(c.baseDir, join(dir, 'sub'));
  assert.equal(c.file, file);
  await assert.rejects(loadConfig(join(dir, 'missing.yaml')), (e: unknown) => e instanceof CountersignError && e.code === 'CONFIG_NOT_FOUND');
  writeFileSync(file, 'server:\n  port: nine\n');
  await assert.rejects(loadConfig(file), (e: unknown) => e instanceof CountersignError && e.code === 'CONFIG_INVALID' && e.message.includes(`${file}:2:9 server.port`));
});

test('config: the example config loads with its policy and no warnings', async () => {
  const c = await loadConfig(join(root, 'examples', 'countersign.yaml'));
  assert.equal(c.store.driver, 'sqlite');
  assert.equal(c.server.host, '127.0.0.1');
  assert.ok(c.compiledPolicy.ruleCount >= 5);
  assert.deepEqual(c.warnings, []);
  const text = readFileSync(join(root, 'examples', 'countersign.yaml'), 'utf8');
  assert.match(text.split('\n')[0]!, /^# yaml-language-server: \$schema=\.\.\/schema\/countersign\.schema\.json$/);
  const agent = { id: 'agent:demo', type: 'agent' as const, groups: ['agents'], onBehalfOf: 'alice@example.com', authMethod: 'static' as const };
  const call = (tags: string[], tool = 'echo', kind: 'tool_call' | 'read' = 'tool_call') =>
    c.compiledPolicy.evaluate(
      describeAction({ principal: agent, resource: 'everything', connector: 'mcp', kind, tags, summary: `everything.${tool} {}`, detail: { tool, arguments: {} } }),
    );
  assert.equal(call([]).effect, 'allow');
  assert.equal(call(['destructive']).effect, 'review');
  // get-env is read-only by its annotations: denied as a read too (examples.test.ts builds the calls as MCP does).
  assert.equal(call([], 'get-env').effect, 'deny');
  assert.equal(call(['read_only'], 'get-env', 'read').effect, 'deny');
});

test('config: the committed JSON Schema is up to date (regenerate: npx tsx scripts/gen-schema.ts)', () => {
  const committed = readFileSync(join(root, 'schema', 'countersign.schema.json'), 'utf8');
  assert.equal(committed, JSON.stringify(buildJsonSchema(), null, 2) + '\n', 'schema/countersign.schema.json is stale: run npx tsx scripts/gen-schema.ts');
  const schema = JSON.parse(committed) as { properties: Record<string, unknown>; additionalProperties: unknown };
  assert.deepEqual(Object.keys(schema.properties).sort(), ['$schema', 'approvals', 'audit', 'identity', 'masking', 'mcp', 'policy', 'resources', 'server', 'store']);
  assert.equal(schema.additionalProperties, false);
});

test('config: a variable an upstream\'s env_from / headers_env names but the environment lacks refuses the start with SECRET_MISSING naming each one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-upstream-env-'));
  const file = join(dir, 'countersign.yaml');
  writeFileSync(
    file,
    [
      'store: { path: ./data/cs.db }',
      'mcp:',
      '  upstreams:',
      '    - { name: ev, command: mcp-server-everything, args: [stdio] }',
      '    - { name: ev-2, command: mcp-server-everything, args: [stdio], env_from: { FOO_SETTING: CS_T_MISSING_A, BAR: CS_T_SET } }',
      '    - { name: remote, url: "http://127.0.0.1:9/mcp", headers_env: { Authorization: CS_T_MISSING_B, X-Empty: CS_T_EMPTY } }',
    ].join('\n'),
  );
  const cfg = await loadConfig(file);
  const env = { CS_T_SET: 'x', CS_T_EMPTY: '', COUNTERSIGN_AUDIT_KEY: '' };
  assert.deepEqual(missingUpstreamSecrets(cfg.mcp.upstreams, env), [
    { upstream: 'ev-2', field: 'env_from', name: 'FOO_SETTING', variable: 'CS_T_MISSING_A' },
    { upstream: 'remote', field: 'headers_env', name: 'Authorization', variable: 'CS_T_MISSING_B' },
    { upstream: 'remote', field: 'headers_env', name: 'X-Empty', variable: 'CS_T_EMPTY' },
  ]);
  await assert.rejects(createRuntime(cfg, { env }), (e: unknown) => {
    assert.ok(e instanceof CountersignError && e.code === 'SECRET_MISSING', String(e));
    assert.equal(e.message, 'environment variables CS_T_MISSING_A (upstream ev-2, env_from.FOO_SETTING), CS_T_MISSING_B (upstream remote, headers_env.Authorization), CS_T_EMPTY (upstream remote, headers_env.X-Empty) are not set');
    return true;
  });
  assert.ok(!existsSync(join(dir, 'data')), 'refused before the store was opened');
  // All set: nothing missing (the look-alike: a variable set to a value is fine).
  assert.deepEqual(missingUpstreamSecrets(cfg.mcp.upstreams, { CS_T_SET: 'x', CS_T_MISSING_A: 'a', CS_T_MISSING_B: 'b', CS_T_EMPTY: 'e' }), []);
});

test('config: every missing secret refuses the start in one error, and nothing is created (no store file, no development audit key)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-secrets-at-once-'));
  const file = join(dir, 'countersign.yaml');
  writeFileSync(
    file,
    [
      'store: { path: ./d1/cs.db }',
      'masking:',
      '  key_env: CS_T_MASK_KEY',
      '  profiles: { p: { transforms: { EMAIL: token } } }',
      'identity:',
      '  static_tokens:',
      '    - { token_env: CS_T_AGENT_TOKEN, id: "agent:x", type: agent }',
      'mcp:',
      '  upstreams:',
      '    - { name: remote, url: "http://127.0.0.1:9/mcp", headers_env: { Authorization: CS_T_REMOTE } }',
    ].join('\n'),
  );
  const cfg = await loadConfig(file);
  await assert.rejects(createRuntime(cfg, { env: { COUNTERSIGN_AUDIT_KEY: '' } }), (e: unknown) => {
    assert.ok(e instanceof CountersignError && e.code === 'SECRET_MISSING', String(e));
    for (const v of ['CS_T_REMOTE', 'CS_T_MASK_KEY', 'CS_T_AGENT_TOKEN']) assert.match(e.message, new RegExp(v));
    return true;
  });
  assert.ok(!existsSync(join(dir, 'd1')), 'refused before the store or a key file was made');
  // One missing secret is that one error as it is.
  await assert.rejects(createRuntime(cfg, { env: { CS_T_REMOTE: 'Bearer x', CS_T_AGENT_TOKEN: 'a-long-enough-dev-token-1', COUNTERSIGN_AUDIT_KEY: '' } }), /masking profile "p" uses hash or token transforms: set CS_T_MASK_KEY/);
  assert.ok(!existsSync(join(dir, 'd1')));
});

test('config: a malformed audit signing key is refused with the missing secrets, before anything is created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-bad-audit-key-'));
  const file = join(dir, 'countersign.yaml');
  writeFileSync(file, ['store: { path: ./d2/cs.db }', 'audit: { signing_key_env: CS_T_AUDIT_KEY }', 'masking:', '  key_env: CS_T_MASK_KEY2', '  profiles: { p: { transforms: { EMAIL: hash } } }'].join('\n'));
  const cfg = await loadConfig(file);
  await assert.rejects(createRuntime(cfg, { env: { CS_T_AUDIT_KEY: 'notakey' } }), (e: unknown) => {
    assert.ok(e instanceof CountersignError, String(e));
    assert.match(e.message, /CS_T_MASK_KEY2/);
    assert.match(e.message, /audit signing key/i);
    return true;
  });
  assert.ok(!existsSync(join(dir, 'd2')), 'nothing created');
});

test('config: a static token for the principal of an active API key refuses the start (PRINCIPAL_TAKEN); a revoked key does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-static-vs-key-'));
  const file = join(dir, 'countersign.yaml');
  writeFileSync(file, ['store: { path: ./cs.db }', 'identity:', '  static_tokens:', '    - { token_env: CS_T_LATER, id: "agent:later", type: agent }'].join('\n'));
  const cfg = await loadConfig(file);
  const { openStore } = await import('../store/open.js');
  const { createApiKey, revokeApiKey } = await import('../identity/api-keys.js');
  const { systemClock } = await import('../core/clock.js');
  const store = await openStore(cfg.store, cfg.baseDir);
  const { stored } = await createApiKey(store, { principalId: 'agent:later', type: 'agent', groups: [] }, systemClock);
  await store.close();
  const env = { CS_T_LATER: 'a-long-enough-static-token', COUNTERSIGN_AUDIT_KEY: '' };
  await assert.rejects(createRuntime(cfg, { env }), (e: unknown) => e instanceof CountersignError && e.code === 'PRINCIPAL_TAKEN' && e.message.includes(stored.id));
  const again = await openStore(cfg.store, cfg.baseDir);
  await revokeApiKey(again, stored.id, systemClock);
  await again.close();
  const rt = await createRuntime(cfg, { env });
  await rt.close();
});

test('a config with schema problems also reports its unknown masking profiles, in the same run', () => {
  const text = 'policy:\n  rules:\n    - { name: a, effect: allow, nope: 1 }\n    - { name: m, effect: allow, mask: nosuch }\n';
  assert.throws(
    () => parseConfigText(text, 'both.yaml'),
    (e: unknown) => {
      assert.ok(e instanceof CountersignError && e.code === 'CONFIG_INVALID');
      assert.match(e.message, /\(2 errors\)/);
      assert.match(e.message, /both\.yaml:3:\d+ policy\.rules\[0\]/);
      assert.match(e.message, /both\.yaml:4:\d+ policy\.rules\[1\]\.mask: rule "m": unknown masking profile "nosuch"/);
      return true;
    },
  );
});

test('config: a duration longer than ten years is refused at load (an approval could not expire on a real date)', () => {
  const e = configError(() => parseConfigText('approvals: { default_timeout: 300000000d, max_wait: 3651d }\n', 'long.yaml'));
  assert.deepEqual(e.details.map((d) => d.path), ['approvals.default_timeout', 'approvals.max_wait']);
  assert.match(e.details[0]!.message, /of at most 3650d/);
  parseConfigText('approvals: { default_timeout: 1h, max_wait: 3650d }\n', 'ok.yaml');
});

test('config: one run reports the rule problems found after the schema together with the schema problems', () => {
  const e = configError(() =>
    parseConfigText(
      [
        'policy:',
        '  rules:',
        '    - { name: no-reason, effect: deny }',
        '    - { name: caps, when: \'principal.id == "Alice@Example.com"\', effect: deny, reason: x }',
        '    - { name: timeout-long, effect: review, review: { timeout: 30d } }',
        '',
      ].join('\n'),
      'both.yaml',
    ),
  );
  assert.deepEqual(e.details.map((d) => d.path), ['policy.rules[0].reason', 'policy.rules[1].when', 'policy.rules[2].review.timeout']);
  assert.match(e.details[1]!.message, /write "Alice@Example.com" as "alice@example.com"/);
  assert.match(e.details[2]!.message, /timeout 30d is longer than approvals.max_wait \(1d\)/);
});

test('config: a key written twice is reported with the rest of the file\'s problems, not alone', () => {
  const e = configError(() => parseConfigText('server:\n  port: 8080\n  port: 9090\npolicy:\n  rules:\n    - { name: a, effect: deny }\n', 'dup.yaml'));
  assert.deepEqual(e.details.map((d) => [d.path, d.line]), [['(yaml)', 3], ['policy.rules[0].reason', 6]]);
  assert.match(e.details[0]!.message, /Map keys must be unique/);
  // Alone, it is still an error.
  assert.throws(() => parseConfigText('server:\n  port: 8080\n  port: 9090\n', 'dup2.yaml'), /Map keys must be unique/);
  // A syntax error stops there: nothing else can be read.
  assert.deepEqual(configError(() => parseConfigText('server: [\n', 'bad.yaml')).details.map((d) => d.path), ['(yaml)']);
});

test('config: a masking profile naming an unknown finding type or detector is refused, every problem at once, with a hint', () => {
  const text = [
    'masking:', //                                   1
    '  profiles:', //                                2
    '    p:', //                                     3
    '      transforms:', //                          4
    '        "*": keep', //                          5
    '        CREDITCARD: redact', //                 6
    '        US-SSN: redact', //                     7
    '        EMAIL: scramble', //                    8
    '        CARD_SECURITY_CODE: keep', //           9
    '        JWT: token', //                        10
    '      disabled_detectors: [person, adress]', // 11
  ].join('\n');
  const details = configError(() => parseConfigText(text, 'c.yaml')).details;
  const by = (path: string) => details.find((d) => d.path === path);
  assert.match(by('masking.profiles.p.transforms.CREDITCARD')?.message ?? '', /^unknown finding type "CREDITCARD" \(did you mean CREDIT_CARD\?\)/);
  assert.equal(by('masking.profiles.p.transforms.CREDITCARD')?.line, 6);
  assert.match(by('masking.profiles.p.transforms.US-SSN')?.message ?? '', /did you mean US_SSN\?/);
  assert.match(by('masking.profiles.p.transforms.EMAIL')?.message ?? '', /expected one of/);
  assert.match(by('masking.profiles.p.transforms.CARD_SECURITY_CODE')?.message ?? '', /always redacted/);
  assert.match(by('masking.profiles.p.disabled_detectors[1]')?.message ?? '', /unknown detector "adress" \(did you mean address\?\)/);
  assert.equal(by('masking.profiles.p.transforms.JWT'), undefined);
  assert.equal(details.length, 5, JSON.stringify(details));
});
