import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { FakeClock } from '../../core/clock.js';
import { verifyApiKey } from '../../identity/api-keys.js';
import { MemoryKeyStore } from '../../identity/memory-key-store.js';
import { CountersignError } from '../../core/errors.js';
import { registerKeysCommands } from './keys.js';

/** A program with the keys commands, run in-process against one in-memory store. */
function cli(store = new MemoryKeyStore(), clock = new FakeClock(), staticPrincipalIds: string[] = []) {
  let opened = 0;
  let closed = 0;
  const tracked = Object.assign(Object.create(store) as MemoryKeyStore, {
    close: async () => {
      closed++;
    },
    staticPrincipalIds,
  });
  const run = async (...args: string[]) => {
    const r = { out: '', err: '', code: 0 };
    const program = new Command('countersign').exitOverride().configureOutput({ writeOut: (s) => (r.out += s), writeErr: (s) => (r.err += s) });
    registerKeysCommands(program, async () => (opened++, tracked), { out: (s) => (r.out += s), err: (s) => (r.err += s), setExitCode: (c) => (r.code = c), clock });
    try {
      await program.parseAsync(args, { from: 'user' });
    } catch (e) {
      r.code = (e as { exitCode?: number }).exitCode ?? 1;
    }
    return r;
  };
  return { run, store, clock, counts: () => ({ opened, closed }) };
}

test('keys create prints the key once on stdout, a warning on stderr, and stores only a hash', async () => {
  const { run, store, clock, counts } = cli();
  const r = await run('keys', 'create', '--name', 'deploy-bot', '--type', 'agent', '--group', 'deployers', '--group', 'ci', '--on-behalf-of', 'alice@example.com');
  assert.equal(r.code, 0, r.err);
  const key = r.out.trim();
  assert.match(key, /^cs_[A-Za-z0-9]{12}_[A-Za-z0-9]{43}$/);
  assert.equal(r.out, `${key}\n`, 'stdout holds the key alone, so KEY=$(countersign keys create …) works');
  assert.match(r.err, /shown only once/);
  assert.match(r.err, /for agent:deploy-bot \(groups: deployers, ci; on behalf of alice@example\.com\)/);
  assert.ok(!r.err.includes(key.slice(16)), 'the secret is not on stderr');
  assert.deepEqual(await verifyApiKey(store, key, clock), {
    id: 'agent:deploy-bot', type: 'agent', name: 'deploy-bot', groups: ['deployers', 'ci'], onBehalfOf: 'alice@example.com', authMethod: 'api_key', keyId: key.split('_')[1],
  });
  assert.deepEqual(counts(), { opened: 1, closed: 1 });

  const j = await run('keys', 'create', '--name', 'etl', '--type', 'service', '--id', 'etl-1', '--json');
  const parsed = JSON.parse(j.out);
  assert.equal(parsed.id, 'etl-1');
  assert.match(parsed.key, /^cs_etl-1_/);
  assert.equal(parsed.principal.id, 'service:etl');
  assert.equal(parsed.hash, undefined);
});

test('keys create refuses bad input with exit 1 and stores nothing', async () => {
  const { run, store } = cli();
  const badType = await run('keys', 'create', '--name', 'x', '--type', 'human');
  assert.notEqual(badType.code, 0);
  assert.match(badType.err, /Allowed choices are agent, service/);
  const noName = await run('keys', 'create', '--type', 'agent');
  assert.notEqual(noName.code, 0);
  assert.match(noName.err, /--name/);
  const badName = await run('keys', 'create', '--name', 'has space', '--type', 'agent');
  assert.equal(badName.code, 1);
  await run('keys', 'create', '--name', 'a', '--type', 'agent', '--id', 'dup');
  const dup = await run('keys', 'create', '--name', 'b', '--type', 'agent', '--id', 'dup');
  assert.equal(dup.code, 1);
  assert.match(dup.err, /BAD_REQUEST: .*already exists/);
  assert.equal(dup.out, '', 'no key printed when nothing was stored');
  for (const obo of [' alice@example.com', 'alice@example.com ']) {
    const spaced = await run('keys', 'create', '--name', 'obo', '--type', 'agent', '--on-behalf-of', obo);
    assert.equal(spaced.code, 1);
    assert.match(spaced.err, /BAD_REQUEST: onBehalfOf must not start or end with whitespace/);
    assert.equal(spaced.out, '');
  }
  assert.equal((await store.listKeys()).length, 1);
  const upper = await run('keys', 'create', '--name', 'obo', '--type', 'agent', '--on-behalf-of', 'Alice@Example.COM');
  assert.equal(upper.code, 0, upper.err);
  assert.match(upper.err, /on behalf of alice@example\.com\)/, 'stored and shown in canonical form');
});

test('keys create refuses the principal id of a static token (PRINCIPAL_TAKEN) and stores nothing', async () => {
  const { run, store } = cli(new MemoryKeyStore(), new FakeClock(), ['agent:demo']);
  const r = await run('keys', 'create', '--name', 'demo', '--type', 'agent', '--group', 'agents');
  assert.equal(r.code, 1);
  assert.match(r.err, /PRINCIPAL_TAKEN: agent:demo is the principal of a static token/);
  assert.equal(r.out, '');
  assert.equal((await store.listKeys()).length, 0);
  assert.equal((await run('keys', 'create', '--name', 'demo', '--type', 'service')).code, 0, 'service:demo is another principal');
});

test('keys list shows ids, principals, status and last use, never secrets or hashes; keys revoke makes a key fail', async () => {
  const { run, store, clock } = cli();
  const k1 = (await run('keys', 'create', '--name', 'bot-one', '--type', 'agent', '--id', 'one', '--group', 'ci')).out.trim();
  clock.advance(60_000);
  const k2 = (await run('keys', 'create', '--name', 'svc-two', '--type', 'service', '--id', 'two')).out.trim();
  await verifyApiKey(store, k1, clock);

  const list = await run('keys', 'list');
  assert.equal(list.code, 0, list.err);
  const lines = list.out.trimEnd().split('\n');
  assert.match(lines[0], /^ID\s+PRINCIPAL\s+TYPE\s+GROUPS\s+ON BEHALF OF\s+CREATED\s+LAST USED\s+STATUS$/);
  assert.match(lines[1], /^one\s+agent:bot-one\s+agent\s+ci\s+-\s+2026-01-01T00:00:00Z\s+2026-01-01T00:01:00Z\s+active$/);
  assert.match(lines[2], /^two\s+service:svc-two\s+service\s+-\s+-\s+2026-01-01T00:01:00Z\s+-\s+active$/);
  const hashes = (await store.listKeys()).map((k) => k.hash);
  for (const secret of [k1, k2, ...hashes]) {
    assert.ok(!list.out.includes(secret.slice(-20)), 'list never prints a secret or a hash');
  }

  clock.advance(1000);
  const revoked = await run('keys', 'revoke', 'one');
  assert.equal(revoked.code, 0, revoked.err);
  assert.equal(revoked.out, 'Revoked API key one (agent:bot-one) at 2026-01-01T00:01:01Z.\n');
  const again = await run('keys', 'revoke', 'one');
  assert.equal(again.code, 0, again.err);
  assert.equal(again.out, 'API key one (agent:bot-one) was already revoked, at 2026-01-01T00:01:01Z; nothing changed.\n');
  await assert.rejects(verifyApiKey(store, k1, clock), (e: unknown) => e instanceof CountersignError && e.code === 'AUTH_INVALID');
  assert.equal((await verifyApiKey(store, k2, clock)).id, 'service:svc-two');

  const json = JSON.parse((await run('keys', 'list', '--json')).out);
  assert.deepEqual(json.map((k: { id: string; status: string }) => [k.id, k.status]), [['one', 'revoked'], ['two', 'active']]);
  assert.ok(json.every((k: Record<string, unknown>) => !('hash' in k) && !('key' in k)));
  const active = await run('keys', 'list', '--active');
  assert.doesNotMatch(active.out, /^one/m);

  const missing = await run('keys', 'revoke', 'nope');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /NOT_FOUND: no API key with id "nope"/);
});

test('an unavailable store: exit 1 with the reason, no key printed', async () => {
  let out = '';
  let err = '';
  let code = 0;
  const program = new Command('countersign').exitOverride();
  registerKeysCommands(program, async () => {
    throw new CountersignError('STORE_UNAVAILABLE', 'database is locked');
  }, { out: (s) => (out += s), err: (s) => (err += s), setExitCode: (c) => (code = c) });
  await program.parseAsync(['keys', 'create', '--name', 'x', '--type', 'agent'], { from: 'user' });
  assert.equal(code, 1);
  assert.equal(out, '');
  assert.match(err, /STORE_UNAVAILABLE: database is locked/);
});

test('every keys command has help text', async () => {
  const { run } = cli();
  for (const [cmd, expect] of [['create', /--on-behalf-of <user>[\s\S]*printed\s+once/], ['list', /never the key or its\s+hash/], ['revoke', /Revocation\s+is\s+final/]] as const) {
    const r = await run('keys', cmd, '--help');
    assert.match(r.out, expect);
  }
  assert.match((await run('keys', '--help')).out, /create[\s\S]*list[\s\S]*revoke/);
});

test('keys create / revoke record key.created / key.revoked with the operator as actor and never the key; a create that cannot be recorded is revoked and not shown', async () => {
  const store = new MemoryKeyStore();
  const clock = new FakeClock();
  const events: Array<Record<string, any>> = [];
  let failing = false;
  const withAudit = Object.assign(Object.create(store) as MemoryKeyStore, {
    close: async () => undefined,
    audit: {
      append: async (e: object) => {
        if (failing) throw new CountersignError('AUDIT_UNAVAILABLE', 'disk full');
        events.push(e as Record<string, any>);
      },
      close: async () => undefined,
    },
  });
  const run = async (...args: string[]) => {
    const r = { out: '', err: '', code: 0 };
    const program = new Command('countersign').exitOverride();
    registerKeysCommands(program, async () => withAudit, { out: (s) => (r.out += s), err: (s) => (r.err += s), setExitCode: (c) => (r.code = c), clock, operator: () => ({ id: 'os:ops', type: 'operator', host: 'bastion' }) });
    await program.parseAsync(args, { from: 'user' });
    return r;
  };
  const created = await run('keys', 'create', '--name', 'bot', '--type', 'agent', '--group', 'agents', '--on-behalf-of', 'alice@example.com', '--id', 'bot-1');
  assert.equal(created.code, 0, created.err);
  const key = created.out.trim();
  assert.equal((await run('keys', 'list')).code, 0);
  assert.equal((await run('keys', 'revoke', 'bot-1')).code, 0);
  assert.equal((await run('keys', 'revoke', 'bot-1')).code, 0, 'already revoked: nothing new to record');
  assert.deepEqual(events.map((e) => [e.type, e.principal, e.resource, e.data]), [
    ['key.created', { id: 'os:ops', type: 'operator' }, 'key:bot-1', { keyId: 'bot-1', key: { id: 'agent:bot', type: 'agent', groups: ['agents'], onBehalfOf: 'alice@example.com' }, via: 'cli', host: 'bastion' }],
    ['key.revoked', { id: 'os:ops', type: 'operator' }, 'key:bot-1', { keyId: 'bot-1', key: { id: 'agent:bot', type: 'agent', groups: ['agents'], onBehalfOf: 'alice@example.com' }, via: 'cli', host: 'bastion' }],
  ]);
  assert.ok(!JSON.stringify(events).includes(key.slice(10)), 'never the key');

  failing = true;
  const unrecorded = await run('keys', 'create', '--name', 'ghost', '--type', 'agent', '--id', 'ghost-1');
  assert.equal(unrecorded.code, 1);
  assert.equal(unrecorded.out, '', 'the key is not shown');
  assert.match(unrecorded.err, /AUDIT_UNAVAILABLE: the key could not be recorded in the audit log, so it was revoked and not shown/);
  assert.notEqual((await store.getKey('ghost-1'))?.revokedAt, undefined, 'and it cannot be used');
});
