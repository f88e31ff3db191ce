#!/usr/bin/env node
// Policy decisions per second over a realistic policy: ~50 rules (globs, groups, tags, 8 CEL conditions) and a
// mix of 2,000 actions (every kind, four principal types, 40 resources, risk tags, context).
// Run: node --import tsx bench/policy.mjs [seconds]     (default 3 seconds of measurement after warm-up)
import { describeAction, ACTION_KINDS } from '../src/core/action.ts';
import { compilePolicy } from '../src/policy/compile.ts';

const seconds = Number(process.argv[2] ?? 3);

// Deterministic pseudo-random numbers so every run measures the same mix.
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];

const envs = ['prod', 'staging', 'dev', 'sandbox'];
const systems = ['orders', 'billing', 'users', 'analytics', 'search', 'ledger', 'crm', 'hr', 'docs', 'tickets'];
const resources = envs.flatMap((e) => systems.map((s) => `${e}-${s}`)); // 40
const groups = ['dba', 'eng', 'support', 'finance', 'data', 'security', 'pipelines', 'agents'];

const rules = [
  { name: 'no-ddl-prod', resource: 'prod-*', kind: 'ddl', effect: 'deny', reason: 'no schema changes on production' },
  { name: 'agents-no-privilege', principal: { type: ['agent', 'service'] }, kind: 'privilege', effect: 'deny', reason: 'agents cannot grant' },
  { name: 'no-lone-destructive', principal: { type: 'agent', on_behalf_of: false }, tags: 'destructive', effect: 'deny', reason: 'agents acting alone cannot destroy' },
  { name: 'ledger-immutable', resource: '*-ledger', kind: ['delete', 'write'], when: '!("finance" in principal.groups)', effect: 'deny', reason: 'ledger is append-only' },
  { name: 'export-needs-ticket', kind: 'export', when: '!has(context.ticket) || !context.ticket.startsWith("OPS-")', effect: 'deny', reason: 'exports need a ticket' },
  { name: 'night-freeze', resource: 'prod-*', kind: ['write', 'delete'], when: 'has(context.freeze) && context.freeze == true', effect: 'deny', reason: 'change freeze' },
  { name: 'hr-pii-humans-only', resource: '*-hr', tags: 'pii', principal: { type: ['agent', 'service'] }, effect: 'deny', reason: 'HR data is for people' },
  { name: 'no-exec-prod-agents', resource: 'prod-*', kind: 'exec', principal: { type: 'agent' }, effect: 'deny', reason: 'no exec on prod by agents' },
  { name: 'bulk-delete-review', kind: 'delete', tags_all: ['bulk', 'destructive'], effect: 'review', review: { approvers: ['dba'], approvals: 2, timeout: '30m' } },
  { name: 'prod-delete-review', resource: 'prod-*', kind: 'delete', effect: 'review', review: { approvers: ['dba'], timeout: '1h' } },
  { name: 'big-export-review', kind: 'export', when: 'has(context.rows) && context.rows > 10000', effect: 'review', review: { approvers: ['data', 'security'], grant: { window: '15m' } } },
  { name: 'unmask-review', kind: 'unmask', effect: 'review', review: { approvers: ['security'], grant: { window: '15m' } } },
  { name: 'delegated-prod-writes', principal: { on_behalf_of: true }, resource: 'prod-*', kind: 'write', effect: 'review', review: { approvers: ['eng'] } },
  { name: 'sql-drop-review', kind: ['write', 'exec'], when: 'has(action.detail.sql) && action.detail.sql.contains("DROP")', effect: 'review', review: { approvers: ['dba'] } },
];
// Per-system allow rules, like a real policy grows: one for reads, one for writes by the owning group.
const owners = { orders: 'eng', billing: 'finance', users: 'support', analytics: 'data', search: 'eng', ledger: 'finance', crm: 'support', hr: 'security', docs: 'eng', tickets: 'support' };
for (const s of systems) {
  rules.push({ name: `${s}-reads`, resource: `*-${s}`, kind: 'read', principal: { groups: [owners[s], 'dba', 'agents'] }, effect: 'allow', mask: 'default' });
  rules.push({ name: `${s}-writes`, resource: [`staging-${s}`, `dev-${s}`, `sandbox-${s}`], kind: ['write', 'delete'], principal: { groups: owners[s] }, effect: 'allow' });
  rules.push({ name: `${s}-prod-writes`, resource: `prod-${s}`, kind: 'write', principal: { groups: owners[s], type: 'human' }, effect: 'allow' });
}
rules.push(
  { name: 'ci-tools', principal: { ids: 'agent:ci-*' }, connector: 'mcp', kind: 'tool_call', effect: 'allow' },
  { name: 'agents-safe-tools', principal: { type: 'agent' }, kind: 'tool_call', tags: 'read_only', effect: 'allow' },
  { name: 'support-tool-hours', principal: { groups: 'support' }, kind: 'tool_call', when: 'has(context.hour) && context.hour >= 8 && context.hour < 18', effect: 'allow' },
  { name: 'data-exports', principal: { groups: 'data' }, kind: 'export', effect: 'allow', mask: 'strict' },
  { name: 'dba-everything', principal: { groups: 'dba', type: 'human' }, effect: 'allow' },
  { name: 'sandbox-anything', resource: 'sandbox-*', effect: 'allow' },
);

const policy = compilePolicy({ rules });
const conditions = rules.filter((r) => r.when).length;

const principals = [];
for (let i = 0; i < 30; i++) {
  const type = pick(['human', 'human', 'agent', 'agent', 'service']);
  principals.push({
    id: type === 'human' ? `user${i}@example.com` : `agent:${pick(['ci', 'helper', 'etl'])}-${i}`,
    type,
    groups: [pick(groups), ...(rnd() < 0.4 ? [pick(groups)] : [])],
    ...(type === 'agent' && rnd() < 0.5 ? { onBehalfOf: `user${i}@example.com` } : {}),
    authMethod: type === 'human' ? 'oidc' : 'api_key',
  });
}
const tagPool = ['destructive', 'bulk', 'pii', 'read_only'];
const actions = [];
for (let i = 0; i < 2000; i++) {
  const kind = pick([...ACTION_KINDS, 'read', 'read', 'read', 'write', 'tool_call']);
  const tags = tagPool.filter(() => rnd() < 0.2);
  const context = {};
  if (rnd() < 0.5) context.ticket = pick(['OPS-1', 'DEV-2']);
  if (rnd() < 0.3) context.rows = Math.floor(rnd() * 50000);
  if (rnd() < 0.3) context.hour = Math.floor(rnd() * 24);
  if (rnd() < 0.1) context.freeze = true;
  actions.push(
    describeAction({
      principal: pick(principals),
      resource: pick(resources),
      connector: pick(['postgres', 'mcp', 'http']),
      kind,
      tags,
      summary: `${kind} on something`,
      detail: kind === 'write' || kind === 'exec' ? { sql: rnd() < 0.2 ? 'DROP TABLE t' : 'UPDATE t SET a = 1' } : {},
      context,
    }),
  );
}

const tally = { allow: 0, deny: 0, review: 0 };
for (const a of actions) tally[policy.evaluate(a).effect]++;
// Warm up the JIT, then measure.
for (let i = 0; i < 200_000; i++) policy.evaluate(actions[i % actions.length]);
let n = 0;
const start = process.hrtime.bigint();
const stopAt = start + BigInt(Math.round(seconds * 1e9));
let now = start;
while (now < stopAt) {
  for (let i = 0; i < 10_000; i++) policy.evaluate(actions[(n + i) % actions.length]);
  n += 10_000;
  now = process.hrtime.bigint();
}
const elapsed = Number(now - start) / 1e9;
const rate = n / elapsed;
console.log(`policy: ${rules.length} rules (${conditions} CEL conditions), ${actions.length} distinct actions; mix ${JSON.stringify(tally)}`);
console.log(`policy: ${Math.round(rate).toLocaleString('en-US')} decisions/s (${((elapsed * 1e9) / n).toFixed(0)} ns per decision, ${n.toLocaleString('en-US')} decisions in ${elapsed.toFixed(2)} s, node ${process.version})`);
