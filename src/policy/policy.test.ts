import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeAction, type ActionInput } from '../core/action.js';
import type { Principal } from '../core/identity.js';
import { CountersignError } from '../core/errors.js';
import { compilePolicy } from './compile.js';
import type { PolicyConfigInput } from './schema.js';

const alice: Principal = { id: 'alice@example.com', type: 'human', groups: ['eng', 'dba'], authMethod: 'oidc' };
const bob: Principal = { id: 'bob@example.com', type: 'human', groups: ['support'], authMethod: 'oidc' };
const ci: Principal = { id: 'agent:ci', type: 'agent', groups: ['pipelines'], authMethod: 'api_key' };
const helper: Principal = { id: 'agent:helper', type: 'agent', groups: [], onBehalfOf: 'bob@example.com', authMethod: 'api_key' };
const etl: Principal = { id: 'svc:etl', type: 'service', groups: ['data'], authMethod: 'api_key' };

function act(over: Partial<ActionInput> = {}) {
  return describeAction({
    principal: alice,
    resource: 'analytics',
    connector: 'postgres',
    kind: 'read',
    summary: 'SELECT 1',
    detail: { sql: 'SELECT 1' },
    ...over,
  });
}

const policy: PolicyConfigInput = {
  rules: [
    { name: 'no-ddl-on-prod', resource: 'prod-*', kind: 'ddl', effect: 'deny', reason: 'no schema changes on production' },
    { name: 'agents-never-privilege', principal: { type: ['agent', 'service'] }, kind: ['privilege'], effect: 'deny', reason: 'agents cannot grant' },
    {
      name: 'bulk-export-needs-ticket',
      kind: 'export',
      when: '!has(context.ticket) || !context.ticket.startsWith("OPS-")',
      effect: 'deny',
      reason: 'exports need an OPS ticket',
    },
    {
      name: 'prod-deletes-review',
      resource: ['prod-*'],
      kind: ['delete', 'write'],
      tags: ['destructive', 'bulk'],
      effect: 'review',
      reason: 'destructive change on production',
      review: { approvers: ['dba'], approvals: 2, timeout: '30m', grant: { window: '15m' } },
      mask: 'strict',
    },
    { name: 'delegated-writes-review', principal: { on_behalf_of: true }, kind: 'write', effect: 'review', review: { approvers: ['eng'] } },
    { name: 'dba-prod', principal: { groups: ['dba'] }, resource: 'prod-*', effect: 'allow' },
    { name: 'ci-tools', principal: { ids: 'agent:c*' }, connector: 'mcp', kind: 'tool_call', effect: 'allow' },
    { name: 'pii-reads-masked', kind: 'read', tags_all: ['pii', 'read_only'], effect: 'allow', mask: 'pii' },
    { name: 'reads', kind: ['read'], resource: ['analytics', 'staging-*'], effect: 'allow' },
    { name: 'large-exports', kind: 'export', when: 'context.rows > 1000 && "data" in principal.groups', effect: 'review' },
    { name: 'exports', kind: 'export', effect: 'allow' },
    { name: 'humans-staging-writes', principal: { type: 'human' }, resource: 'staging-*', kind: 'write', effect: 'allow' },
  ],
};

const engine = compilePolicy(policy, { defaultTimeoutSeconds: 7200 });

const cases: { name: string; input: Partial<ActionInput>; effect: string; rule: string }[] = [
  { name: 'human read on allowed resource', input: {}, effect: 'allow', rule: 'reads' },
  { name: 'glob resource staging-*', input: { principal: bob, resource: 'staging-eu' }, effect: 'allow', rule: 'reads' },
  { name: 'read on unlisted resource: default deny', input: { principal: bob, resource: 'billing' }, effect: 'deny', rule: 'default' },
  { name: 'ddl on prod denied even for dba (deny wins over allow)', input: { resource: 'prod-main', kind: 'ddl' }, effect: 'deny', rule: 'no-ddl-on-prod' },
  { name: 'ddl on staging: nothing allows', input: { resource: 'staging-1', kind: 'ddl' }, effect: 'deny', rule: 'default' },
  { name: 'dba write to prod without risky tags: allow', input: { resource: 'prod-main', kind: 'write' }, effect: 'allow', rule: 'dba-prod' },
  { name: 'dba destructive delete on prod: review beats allow', input: { resource: 'prod-main', kind: 'delete', tags: ['destructive'] }, effect: 'review', rule: 'prod-deletes-review' },
  { name: 'agent privilege denied by type list', input: { principal: ci, kind: 'privilege' }, effect: 'deny', rule: 'agents-never-privilege' },
  { name: 'service privilege denied', input: { principal: etl, kind: 'privilege' }, effect: 'deny', rule: 'agents-never-privilege' },
  { name: 'human privilege: default deny', input: { principal: bob, kind: 'privilege' }, effect: 'deny', rule: 'default' },
  { name: 'id glob agent:c* on mcp tool_call', input: { principal: ci, connector: 'mcp', kind: 'tool_call' }, effect: 'allow', rule: 'ci-tools' },
  { name: 'id glob does not match agent:helper', input: { principal: helper, connector: 'mcp', kind: 'tool_call' }, effect: 'deny', rule: 'default' },
  { name: 'connector must match', input: { principal: ci, connector: 'http', kind: 'tool_call' }, effect: 'deny', rule: 'default' },
  { name: 'on_behalf_of write goes to review', input: { principal: helper, resource: 'staging-1', kind: 'write' }, effect: 'review', rule: 'delegated-writes-review' },
  { name: 'human write to staging allowed', input: { principal: bob, resource: 'staging-1', kind: 'write' }, effect: 'allow', rule: 'humans-staging-writes' },
  { name: 'agent write to staging: type does not match', input: { principal: ci, resource: 'staging-1', kind: 'write' }, effect: 'deny', rule: 'default' },
  { name: 'tags_all needs every tag', input: { principal: bob, resource: 'hr', tags: ['pii', 'read_only'] }, effect: 'allow', rule: 'pii-reads-masked' },
  { name: 'tags_all with one tag missing', input: { principal: bob, resource: 'hr', tags: ['pii'] }, effect: 'deny', rule: 'default' },
  { name: 'CEL deny when ticket missing', input: { principal: etl, kind: 'export', context: {} }, effect: 'deny', rule: 'bulk-export-needs-ticket' },
  { name: 'CEL deny when ticket of the wrong project', input: { principal: etl, kind: 'export', context: { ticket: 'DEV-1' } }, effect: 'deny', rule: 'bulk-export-needs-ticket' },
  { name: 'CEL review for large export by data group', input: { principal: etl, kind: 'export', context: { ticket: 'OPS-7', rows: 50000 } }, effect: 'review', rule: 'large-exports' },
  { name: 'CEL small export allowed', input: { principal: etl, kind: 'export', context: { ticket: 'OPS-7', rows: 10 } }, effect: 'allow', rule: 'exports' },
  { name: 'CEL group test false for non-data principal', input: { principal: bob, kind: 'export', context: { ticket: 'OPS-7', rows: 50000 } }, effect: 'allow', rule: 'exports' },
  { name: 'unknown kind value uses kind-less rules only', input: { principal: alice, resource: 'prod-x', kind: 'other' }, effect: 'allow', rule: 'dba-prod' },
];

for (const c of cases) {
  test(`policy: ${c.name}`, () => {
    const d = engine.evaluate(act(c.input));
    assert.equal(d.effect, c.effect);
    assert.equal(d.rule, c.rule);
    // explain() must agree with the fast path.
    assert.deepEqual(engine.explain(act(c.input)).decision, d);
  });
}

test('policy: default deny carries the documented reason', () => {
  assert.deepEqual(engine.evaluate(act({ resource: 'nowhere', principal: bob })), {
    effect: 'deny',
    rule: 'default',
    reason: 'no policy rule allows this action',
  });
});

test('policy: review decision is shaped as in core/decision.ts', () => {
  const d = engine.evaluate(act({ resource: 'prod-main', kind: 'delete', tags: ['bulk'] }));
  assert.deepEqual(d, {
    effect: 'review',
    rule: 'prod-deletes-review',
    reason: 'destructive change on production',
    review: { approverGroups: ['dba'], approvals: 2, timeoutSeconds: 1800, grant: { type: 'window', seconds: 900 } },
    maskProfile: 'strict',
  });
  const d2 = engine.evaluate(act({ principal: helper, resource: 'staging-1', kind: 'write' }));
  assert.deepEqual(d2, {
    effect: 'review',
    rule: 'delegated-writes-review',
    review: { approverGroups: ['eng'], approvals: 1, timeoutSeconds: 7200, grant: { type: 'once' } },
  });
});

test('policy: allow carries the mask profile', () => {
  assert.deepEqual(engine.evaluate(act({ principal: bob, resource: 'hr', tags: ['pii', 'read_only'] })), {
    effect: 'allow',
    rule: 'pii-reads-masked',
    maskProfile: 'pii',
  });
});

test('policy: explain lists every matching rule in order', () => {
  const e = engine.explain(act({ resource: 'prod-main', kind: 'delete', tags: ['destructive'] }));
  assert.deepEqual(e.matched, ['prod-deletes-review', 'dba-prod']);
  assert.deepEqual(e.conditionErrors, []);
});

test('policy: the first matching deny is reported when several deny', () => {
  const p = compilePolicy({
    rules: [
      { name: 'allow-all', effect: 'allow' },
      { name: 'deny-a', kind: 'delete', effect: 'deny', reason: 'a' },
      { name: 'deny-b', effect: 'deny', reason: 'b' },
    ],
  });
  assert.equal(p.evaluate(act({ kind: 'delete' })).rule, 'deny-a');
  assert.equal(p.evaluate(act({ kind: 'read' })).rule, 'deny-b');
  assert.deepEqual(p.explain(act({ kind: 'delete' })).matched, ['allow-all', 'deny-a', 'deny-b']);
});

test('policy: empty policy denies everything', () => {
  const d = compilePolicy({}).evaluate(act());
  assert.equal(d.effect, 'deny');
  assert.equal(d.rule, 'default');
});

test('policy: runtime CEL error fails closed (deny/review match, allow does not) and is recorded', () => {
  const rules = (effect: 'allow' | 'deny' | 'review') =>
    compilePolicy({
      rules: [
        effect === 'deny'
          ? { name: 'needs-ticket', when: 'context.ticket == "x"', effect, reason: 'wrong ticket' }
          : { name: 'needs-ticket', when: 'context.ticket == "x"', effect },
        { name: 'fallback', effect: 'allow' },
      ],
    });
  // `context.ticket` is absent: "No such key" at run time.
  const deny = rules('deny').explain(act());
  assert.equal(deny.decision.effect, 'deny');
  assert.equal(deny.decision.rule, 'needs-ticket');
  assert.match((deny.decision as { reason: string }).reason, /^wrong ticket; condition could not be evaluated \(.*ticket.*\)/);
  assert.deepEqual(deny.conditionErrors.map((e) => [e.rule, e.treatedAs]), [['needs-ticket', 'match']]);

  const review = rules('review').evaluate(act());
  assert.equal(review.effect, 'review');
  assert.match((review as { reason: string }).reason, /condition could not be evaluated/);

  const allow = rules('allow').explain(act());
  assert.equal(allow.decision.rule, 'fallback');
  assert.deepEqual(allow.conditionErrors.map((e) => [e.rule, e.treatedAs]), [['needs-ticket', 'no_match']]);

  const only = compilePolicy({ rules: [{ name: 'only', when: 'context.ticket == "x"', effect: 'allow' }] }).evaluate(act());
  assert.equal(only.effect, 'deny');
  assert.match((only as { reason: string }).reason, /^no policy rule allows this action \(condition of rule "only"/);
  // The same expression matches normally when the key is present.
  assert.equal(rules('deny').evaluate(act({ context: { ticket: 'x' } })).rule, 'needs-ticket');
  assert.equal(rules('deny').evaluate(act({ context: { ticket: 'y' } })).rule, 'fallback');
});

test('policy: a dyn condition that yields a non-bool at run time fails closed', () => {
  const p = compilePolicy({ rules: [{ name: 'flag', when: 'context.flag', effect: 'allow' }] });
  assert.equal(p.evaluate(act({ context: { flag: true } })).effect, 'allow');
  assert.equal(p.evaluate(act({ context: { flag: 'yes' } })).effect, 'deny');
});

test('policy: CEL sees principal, resource, action and context', () => {
  const p = compilePolicy({
    rules: [
      {
        name: 'all-vars',
        when:
          'principal.id == "agent:helper" && principal.type == "agent" && principal.onBehalfOf == "bob@example.com" && ' +
          'size(principal.groups) == 0 && resource == "analytics" && action.kind == "read" && "pii" in action.tags && ' +
          'action.summary.startsWith("SELECT") && action.connector == "postgres" && action.detail.sql.contains("users") && ' +
          'context.reason == "debug"',
        effect: 'allow',
      },
    ],
  });
  const d = p.evaluate(act({ principal: helper, tags: ['pii'], detail: { sql: 'SELECT * FROM users' }, context: { reason: 'debug' } }));
  assert.equal(d.effect, 'allow');
  assert.equal(p.evaluate(act({ principal: helper, tags: ['pii'], detail: { sql: 'SELECT 1' }, context: { reason: 'debug' } })).effect, 'deny');
});

test('policy: compile errors are collected for every bad rule', () => {
  const err = (() => {
    try {
      compilePolicy(
        {
          rules: [
            { name: 'syntax', when: 'principal.id ==', effect: 'allow' },
            { name: 'typo', when: 'principal.grups.size() > 0', effect: 'allow' },
            { name: 'not-bool', when: 'principal.id', effect: 'allow' },
            { name: 'too-long', effect: 'review', review: { timeout: '48h' } },
            { name: 'fine', effect: 'allow' },
          ],
        },
        { maxWaitSeconds: 86400 },
      );
    } catch (e) {
      return e;
    }
    assert.fail('expected CONFIG_INVALID');
  })();
  assert.ok(err instanceof CountersignError);
  assert.equal(err.code, 'CONFIG_INVALID');
  const details = err.details as { path: string; message: string }[];
  assert.deepEqual(details.map((d) => d.path), ['policy.rules.0.when', 'policy.rules.1.when', 'policy.rules.2.when', 'policy.rules.3.review.timeout']);
  assert.match(details[0]!.message, /rule "syntax": CEL syntax error/);
  assert.match(details[1]!.message, /rule "typo": CEL type error: .*grups/);
  assert.match(details[2]!.message, /must yield a bool/);
  assert.match(details[3]!.message, /48h is longer than approvals.max_wait \(1d\)/);
});

test('policy: schema errors (deny without reason, duplicate names, reserved name, unknown field)', () => {
  try {
    compilePolicy({
      rules: [
        { name: 'x', effect: 'deny' },
        { name: 'x', effect: 'allow' },
        { name: 'default', effect: 'allow' },
        { name: 'y', effect: 'allow', resorce: 'db' },
        { name: 'z', effect: 'allow', reason: 'allow rules carry no reason' },
      ],
    } as unknown as PolicyConfigInput);
    assert.fail('expected CONFIG_INVALID');
  } catch (e) {
    assert.ok(e instanceof CountersignError && e.code === 'CONFIG_INVALID', String(e));
    const details = e.details as { path: string; message: string }[];
    assert.deepEqual(details, [
      { path: 'policy.rules.0.reason', message: 'Invalid input: expected string, received undefined' },
      { path: 'policy.rules.2.name', message: 'the rule name "default" is reserved for the built-in default deny' },
      { path: 'policy.rules.3', message: 'Unrecognized key: "resorce"' },
      { path: 'policy.rules.4', message: 'Unrecognized key: "reason"' },
      { path: 'policy.rules.1.name', message: 'duplicate rule name "x"' },
    ]);
  }
});

test('policy: on_behalf_of false matches only principals acting for nobody', () => {
  const p = compilePolicy({
    rules: [
      { name: 'lone-agents', principal: { type: 'agent', on_behalf_of: false }, tags: 'destructive', effect: 'deny', reason: 'acting alone' },
      { name: 'rest', effect: 'allow' },
    ],
  });
  assert.equal(p.evaluate(act({ principal: ci, tags: ['destructive'] })).rule, 'lone-agents');
  assert.equal(p.evaluate(act({ principal: helper, tags: ['destructive'] })).rule, 'rest');
  assert.equal(p.evaluate(act({ principal: ci, tags: ['read_only'] })).rule, 'rest');
});

test('policy: tool matches MCP tool calls by name (globs), never an action without a tool', () => {
  const p = compilePolicy({
    rules: [
      { name: 'no-move', resource: 'fs', tool: 'move_file', effect: 'deny', reason: 'no moves' },
      { name: 'issue-writes', resource: 'github', tool: ['create_*', 'delete_*'], effect: 'review', review: { approvers: ['eng'] } },
      { name: 'agents', effect: 'allow' },
    ],
  });
  const call = (resource: string, tool: string) => act({ resource, connector: 'mcp', kind: 'tool_call', detail: { tool, arguments: {} } });
  assert.equal(p.evaluate(call('fs', 'move_file')).rule, 'no-move');
  assert.equal(p.evaluate(call('fs', 'read_file')).effect, 'allow');
  assert.equal(p.evaluate(call('github', 'create_issue')).effect, 'review');
  assert.equal(p.evaluate(call('github', 'list_issues')).effect, 'allow');
  // A read or a prompt of the same upstream has no tool: the rule simply does not match (no condition error).
  const read = act({ resource: 'fs', connector: 'mcp', kind: 'read', detail: { resource_uri: 'file:///a' } });
  assert.equal(p.evaluate(read).effect, 'allow');
  assert.deepEqual(p.explain(read).conditionErrors, []);
  // Only an MCP tool call has a tool: an API or SDK caller writing `tool` into its own detail meets no tool rule.
  const allowReads = compilePolicy({ rules: [{ name: 'fs-reads', resource: 'fs', tool: ['read_file'], effect: 'allow' }] });
  for (const connector of ['api', 'sdk']) {
    const posed = act({ resource: 'fs', connector, kind: 'delete', summary: 'wipe the data dir', detail: { tool: 'read_file', cmd: 'rm -rf /data' } });
    assert.equal(allowReads.evaluate(posed).effect, 'deny', connector);
  }
  assert.equal(allowReads.evaluate(call('fs', 'read_file')).effect, 'allow');
});

test('principal.ids: a deny on a person or a domain is not bypassed by letter case (nor matched by a look-alike)', () => {
  const engine = compilePolicy({
    rules: [
      { name: 'no-mallory', principal: { ids: ['mallory@example.com', '*@evil.example'] }, effect: 'deny', reason: 'blocked' },
      { name: 'reads', kind: 'read', effect: 'allow' },
    ],
  });
  const as = (id: string) => engine.evaluate(act({ principal: { ...alice, id } })).rule;
  for (const id of ['mallory@example.com', 'Mallory@Example.com', 'x@EVIL.example', 'X@Evil.Example']) assert.equal(as(id), 'no-mallory', id);
  for (const id of ['mallory@example.org', 'x@evil.example.com', 'agent:mallory']) assert.equal(as(id), 'reads', id);
  // CEL sees the canonical id too.
  const cel = compilePolicy({ rules: [{ name: 'no-mallory', when: 'principal.id == "mallory@example.com"', effect: 'deny', reason: 'blocked' }, { name: 'reads', kind: 'read', effect: 'allow' }] });
  assert.equal(cel.evaluate(act({ principal: { ...alice, id: 'Mallory@Example.COM' } })).rule, 'no-mallory');
});

test('a condition on the principal with a capitalised e-mail literal is refused at load (it would never match)', () => {
  const load = (when: string) => () => compilePolicy({ rules: [{ name: 'r', when, effect: 'deny', reason: 'x' }] });
  for (const when of [
    'principal.id == "Mallory@Example.com"', "principal.onBehalfOf == 'Alice@example.com'", 'principal.id.endsWith("@Evil.example")',
    // Other ways of reading the principal and of writing the literal: index access, escapes, raw and triple quotes.
    'principal["id"] == "Mallory@Example.com"', 'principal.id == "Mallory\\x40Example.com"', 'principal.id == "Mallory\\u0040Example.com"',
    'principal.id == r"Mallory@Example.com"', 'principal.id in ["bob@example.com", """Eve@Example.com"""]',
  ]) {
    assert.throws(load(when), (e: unknown) => e instanceof CountersignError && /write ".*@.*" as ".*@.*"/.test(e.message), when);
  }
  // Look-alikes that load: lower-case literals, and capitals where the principal is not read (summary, context).
  for (const when of ['principal.id == "mallory@example.com"', 'principal.id.endsWith("@evil.example")', 'action.summary.contains("Ops@Example.com")']) {
    assert.doesNotThrow(load(when), when);
  }
});
