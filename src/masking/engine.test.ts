import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FakeClock } from '../core/clock.js';
import { isCountersignError } from '../core/errors.js';
import { maskingConfigSchema } from './config.js';
import { createMasker } from './engine.js';
import { DETECTORS } from './scan.js';
import { MemoryTokenStore } from './vault.js';

const key = randomBytes(32);
const cfg = (profiles: Record<string, unknown> = {}) => maskingConfigSchema.parse({ profiles });

test('default profile: labels, and partial for cards', () => {
  const m = createMasker();
  const r = m.maskTextSync('mail bob@example.com, card 4111-1111-1111-1111\r\nend');
  assert.equal(r.text, 'mail [EMAIL], card ****-****-****-1111\r\nend');
  assert.deepEqual(r.findings.map((f) => [f.type, f.detector]), [['EMAIL', 'email'], ['CREDIT_CARD', 'credit-card']]);
});

test('JSON is walked value by value with keys as context and keeps its shape', async () => {
  const m = createMasker();
  const input = { users: [{ id: 7, name: 'Ana Lima', phone: '4155550123', tags: ['a', 'b'], ok: true, n: null, order_id: '4155550123' }], note: 'card 4111111111111111', 'bob@example.com': 1 };
  const { value, findings } = await m.maskValue(input);
  assert.deepEqual(Object.keys(value), ['users', 'note', '[EMAIL]']);
  assert.equal(value.users.length, 1);
  const u = value.users[0] as Record<string, unknown>;
  assert.deepEqual(Object.keys(u), Object.keys(input.users[0]));
  assert.equal(u.name, '[PERSON]');
  assert.equal(u.phone, '[PHONE]');
  assert.equal(u.order_id, '4155550123'); // same digits, but the key says it is an id
  assert.deepEqual([u.id, u.tags, u.ok, u.n], [7, ['a', 'b'], true, null]);
  assert.equal(value.note, 'card ************1111');
  assert.ok(findings.some((f) => f.path === '$.users[0].phone'));
  assert.equal(JSON.stringify(findings).includes('4155550123'), false);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(value)));
});

test('deeply nested JSON does not overflow the stack', () => {
  let v: unknown = 'bob@example.com';
  for (let i = 0; i < 100_000; i++) v = [v];
  const { value } = createMasker().maskValueSync(v);
  let cur = value as unknown;
  for (let i = 0; i < 100_000; i++) cur = (cur as unknown[])[0];
  assert.equal(cur, '[EMAIL]');
});

test('streams: a value split across a chunk boundary is masked at every split point', async () => {
  const m = createMasker();
  const text = 'x'.repeat(50) + ' token AKIAIOSFODNN7ABCDEFG and mail ann@example.org and card 4111 1111 1111 1111 end\n' + 'y'.repeat(40);
  const whole = m.maskTextSync(text).text;
  for (let cut = 40; cut < 130; cut++) {
    async function* chunks() {
      yield text.slice(0, cut);
      yield text.slice(cut);
    }
    let out = '';
    for await (const piece of m.maskStream(chunks(), {}, { chunk: 64, overlap: 48 })) out += piece;
    assert.equal(out, whole, `split at ${cut}`);
  }
});

test('streams: a private key longer than the chunk is masked to its END line', async () => {
  const m = createMasker();
  const body = Array.from({ length: 40 }, () => 'A'.repeat(64)).join('\n');
  const text = `before\n-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\nafter\n`;
  async function* chunks() {
    for (let i = 0; i < text.length; i += 100) yield text.slice(i, i + 100);
  }
  let out = '';
  for await (const piece of m.maskStream(chunks(), {}, { chunk: 256, overlap: 64 })) out += piece;
  assert.equal(out.includes('AAAA'), false);
  assert.ok(out.startsWith('before\n') && out.endsWith('after\n'));
});

test('reversible tokens: deterministic per scope, stored encrypted, revealed by the primitive', async () => {
  const tokens = new MemoryTokenStore();
  const m = createMasker(cfg({ agent: { transforms: { EMAIL: 'token' } } }), { key, tokens, clock: new FakeClock() });
  const a = await m.maskText('from ann@example.org to ann@example.org', { profile: 'agent', scope: 's1' });
  const toks = a.text.match(/\[EMAIL:tok_[A-Za-z0-9_-]{22}\]/g)!;
  assert.equal(toks.length, 2);
  assert.equal(toks[0], toks[1]);
  const b = await m.maskText('ann@example.org', { profile: 'agent', scope: 's2' });
  assert.notEqual(b.text, toks[0]);
  assert.equal(tokens.size, 2);
  assert.equal(JSON.stringify(await tokens.getToken('s1', toks[0].slice(7, -1))).includes('ann@'), false);
  assert.equal(await m.reveal('s1', toks[0]), 'ann@example.org');
  await assert.rejects(m.reveal('s2', toks[0]), (e) => isCountersignError(e) && e.code === 'TOKEN_UNKNOWN');
  const other = createMasker(cfg({ agent: { transforms: { EMAIL: 'token' } } }), { key: randomBytes(32), tokens });
  await assert.rejects(other.reveal('s1', toks[0]), (e) => isCountersignError(e) && e.code === 'TOKEN_UNKNOWN');
  assert.throws(() => m.maskTextSync('ann@example.org', { profile: 'agent' }), (e) => isCountersignError(e) && e.code === 'MASKING_FAILED');
});

test('keyed hash: same input, same output; different key, different output', () => {
  const c = cfg({ h: { transforms: { '*': 'hash' } } });
  const m1 = createMasker(c, { key }), m2 = createMasker(c, { key: randomBytes(32) });
  const x = m1.maskTextSync('ann@example.org', { profile: 'h' }).text;
  assert.match(x, /^\[EMAIL:[0-9a-f]{16}\]$/);
  assert.equal(m1.maskTextSync('ann@example.org', { profile: 'h' }).text, x);
  assert.notEqual(m2.maskTextSync('ann@example.org', { profile: 'h' }).text, x);
});

test('without a key, hash and token profiles are refused; redact and partial still work', () => {
  const envName = 'CS_TEST_NO_SUCH_KEY';
  delete process.env[envName];
  assert.throws(() => createMasker(maskingConfigSchema.parse({ key_env: envName, profiles: { h: { transforms: { '*': 'hash' } } } })), (e) => isCountersignError(e) && e.code === 'SECRET_MISSING');
  process.env[envName] = 'c2hvcnQ='; // 5 bytes: too weak
  assert.throws(() => createMasker(maskingConfigSchema.parse({ key_env: envName, profiles: { h: { transforms: { '*': 'hash' } } } })), /at least 32 bytes/);
  delete process.env[envName];
  const m = createMasker(maskingConfigSchema.parse({ key_env: envName, profiles: { p: { transforms: { EMAIL: 'partial' } } } }));
  assert.equal(m.maskTextSync('ann@example.org', { profile: 'p' }).text, 'a***@example.org');
});

test('fail closed: a detector error or an unknown profile withholds the text', async () => {
  const m = createMasker();
  await assert.rejects(m.maskText('x', { profile: 'nope' }), (e) => isCountersignError(e) && e.code === 'MASKING_FAILED');
  DETECTORS.boom = () => {
    throw new Error('detector bug');
  };
  try {
    await assert.rejects(m.maskText('ann@example.org'), (e) => isCountersignError(e) && e.code === 'MASKING_FAILED');
    await assert.rejects(m.maskValue({ a: 'ann@example.org' }), (e) => isCountersignError(e) && e.code === 'MASKING_FAILED');
  } finally {
    delete DETECTORS.boom;
  }
});

test('token store failure fails closed', async () => {
  const tokens = new MemoryTokenStore();
  tokens.putToken = async () => {
    throw new Error('disk full');
  };
  const m = createMasker(cfg({ t: { transforms: { '*': 'token' } } }), { key, tokens });
  await assert.rejects(m.maskText('ann@example.org', { profile: 't' }), (e) => isCountersignError(e) && e.code === 'MASKING_FAILED');
});

test('object keys are scanned on their own, not with the field the caller gave for the value', () => {
  const m = createMasker();
  const { value, findings } = m.maskValueSync({ '4155550123': 'ok', nested: { '12': 'x' } }, { field: 'phone' });
  assert.deepEqual(value, { '4155550123': 'ok', nested: { '12': 'x' } });
  assert.deepEqual(findings, []);
  // A key that is itself a value is still masked, with a {key} path.
  const r = m.maskValueSync({ 'ann@example.org': 1 });
  assert.deepEqual(Object.keys(r.value), ['[EMAIL]']);
  assert.equal(r.findings[0].path, '${key}');
});

test('masked output masked again stays as it is: labels, tokens and hashes, in text, JSON and under field names', async () => {
  const m = createMasker(cfg({ t: { transforms: { '*': 'token' } }, h: { transforms: { '*': 'hash' } } }), { key, tokens: new MemoryTokenStore() });
  const texts = [
    'password=hunter2secret! api_key: sk_live_abcdefghijklmnopqrstuvwx',
    'postgres://app:S3cretPass@db:5432/x',
    '{"token": "abcd1234efgh5678ijkl", "email": "ann@example.org"}',
    'DATABASE_PASSWORD="correct horse battery"',
    'Contact John Smith at john.smith@example.com, card 4111 1111 1111 1111, ssn 123-45-6789',
  ];
  for (const profile of [undefined, 't', 'h']) {
    for (const text of texts) {
      const once = await m.maskText(text, { profile, scope: 's' });
      assert.notEqual(once.text, text);
      const twice = await m.maskText(once.text, { profile, scope: 's' });
      assert.equal(twice.text, once.text, `${profile ?? 'default'}: ${text}`);
      assert.equal(twice.findings.length, 0);
    }
    const value = { email: 'ann@example.org', first_name: 'Ann', api_key: 'sk_live_abcdefghijklmnopqrstuvwx', dob: '1990-01-02', note: 'call +1 415 555 0134' };
    const once = await m.maskValue(value, { profile, scope: 's' });
    assert.deepEqual((await m.maskValue(once.value, { profile, scope: 's' })).value, once.value);
  }
  // The postgres URL keeps its host after a second pass (it used to become part of the password).
  assert.match((await m.maskText((await m.maskText('postgres://app:S3cretPass@db:5432/x', { profile: 't', scope: 's' })).text, { profile: 't', scope: 's' })).text, /^postgres:\/\/app:\[PASSWORD:tok_[A-Za-z0-9_-]{22}\]@db:5432\/x$/);
  // Only the engine's own shapes: a card number written as a "hash", a log tag and a value next to a label are masked.
  assert.equal(m.maskTextSync('[CREDIT_CARD:4111111111111111]').text, '[CREDIT_CARD:************1111]');
  assert.equal(m.maskTextSync('[INFO] mail ann@example.org').text, '[INFO] mail [EMAIL]');
  assert.equal(m.maskTextSync('[EMAIL] and bob@example.com').text, '[EMAIL] and [EMAIL]');
  assert.deepEqual(m.maskValueSync({ email: '[EMAIL] bob@example.com' }).value, { email: '[EMAIL] [EMAIL]' });
});

test('streams: a value just after a cut is still named by its cue just before it, and no cut splits a word or an emoji', async () => {
  const m = createMasker();
  // Four short lines first: the stream is then known to be text (not JSON, not a table) and is cut from the start.
  const filler = 'lorem ipsum\n'.repeat(4) + 'lorem ipsum dolor sit amet '.repeat(400);
  const cases: [string, string][] = [['password: ', 'hunter2xyz'], ['my SSN is ', '536228714'], ['DOB: ', '14/05/1979'], ['Authorization: Bearer ', 'abcdefghijklmnopqrstuvwxyz123456'], ['CVV ', '123'], ['tel ', '4155550172']];
  const mask = async (text: string, piece: number) => {
    async function* chunks() {
      for (let i = 0; i < text.length; i += piece) yield text.slice(i, i + piece);
    }
    let out = '';
    for await (const p of m.maskStream(chunks(), {}, { chunk: 4096, overlap: 512 })) out += p;
    return out;
  };
  for (const [cue, value] of cases) {
    // Read 4,608 characters at a time, the first cut lands 512 before that, at 4,096: put the value all around it.
    for (let at = 3990; at <= 4110; at += 3) {
      const text = filler.slice(0, at - cue.length - 1) + ' ' + cue + value + ' ' + filler;
      const out = await mask(text, 4608);
      assert.ok(!out.includes(value), `${cue}${value} at ${at}`);
    }
  }
  // Emoji (surrogate pairs) on a line with no space, and words on a line with no break, come out whole.
  const emoji = 'x\n'.repeat(4) + ('😀'.repeat(3000) + 'a').repeat(4);
  assert.equal(await mask(emoji, 999), emoji);
  const streets = 'x\n'.repeat(4) + '1 Main Street '.repeat(2000);
  assert.ok(!(await mask(streets, 1000)).includes(']eet'));
});

test('a real value glued to a masked label is masked with it; SQL words in markup and prose, cookie dicts, JSESSIONID, *_name people, licence fields, quoted SAS tokens', () => {
  const m = createMasker();
  const leaks: [string, string][] = [
    ['postgres://bob:Xk29fPqLm7[PASSWORD]@db.internal/app', 'Xk29fPqLm7'],
    ['mongodb://admin:[SECRET]Xk29fPqLm7@h/x', 'Xk29fPqLm7'],
    ['curl -u bob:[PASSWORD]Xk29fPqLm7 https://x', 'Xk29fPqLm7'],
    ['password=[PASSWORD]Xk29fPqLm7', 'Xk29fPqLm7'],
    ['DB_PASSWORD=[PASSWORD]Xk29fPqLm7', 'Xk29fPqLm7'],
    ["cookies: {'sessionid': 'abc123XYZ789def456ghi', 'csrftoken': 'Zx9Qw8Er7Ty6Ui5Op4As'}", 'abc123XYZ789'],
    ['cookie: {"password": "Hunter2Hunter2"}', 'Hunter2'],
    ['Cookie: theme=dark; JSESSIONID=0A1B2C3D4E5F60718293A4B5C6D7E8F9; lang=en', '0A1B2C3D4E5F'],
    ["CREATE LOGIN app WITH PASSWORD = N'T5qlP4ss!';", 'T5qlP4ss'],
    ["az storage blob download --sas-token 'sv=2022-11-02&ss=b&sp=r&sig=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA%3D'", 'Zm9vYmFy'],
  ];
  for (const [text, secret] of leaks) assert.ok(!m.maskTextSync(text).text.includes(secret), text);
  assert.equal(m.maskTextSync('Cookie: theme=dark; JSESSIONID=0A1B2C3D4E5F60718293A4B5C6D7E8F9; lang=en').text, 'Cookie: theme=dark; JSESSIONID=[SECRET]; lang=en');
  for (const text of ['<input name="pw" type="password" value="">', "if (kind === 'password') return;", 'Click the "Forgot password" link', "INSERT INTO settings VALUES ('password', 'min_length');", 'The bug was identified by the team.']) {
    assert.equal(m.maskTextSync(text).text, text, text);
  }
  assert.equal(m.maskTextSync('<add key="Password" value="Hunter2Hunter2"/>').text, '<add key="Password" value="[PASSWORD]"/>');
  const people = m.maskValueSync({ billing_name: 'John Smith', payee_name: 'Maria Garcia', insured_name: 'John Smith', table_name: 'Orders', product_name: 'Macbook Air', app_display_name: 'Web Server', driver_license: 'D1234567' }).value;
  assert.deepEqual(people, { billing_name: '[PERSON]', payee_name: '[PERSON]', insured_name: '[PERSON]', table_name: 'Orders', product_name: 'Macbook Air', app_display_name: 'Web Server', driver_license: '[DRIVER_LICENSE]' });
  // Masking twice changes nothing, glued or not.
  for (const text of ['password:[PASSWORD]Xk29fPqLm7', 'postgres://app:[PASSWORD]@db:5432/x', 'sent to [EMAIL].']) {
    const once = m.maskTextSync(text).text;
    assert.equal(m.maskTextSync(once).text, once, text);
  }
});

test('XML configs that name a value by an attribute or a sibling: Java properties, .NET settings, Hadoop properties', () => {
  const m = createMasker();
  const cases: [string, string][] = [
    ['<entry key="db.password">Hunter2Hunter2</entry>', '<entry key="db.password">[PASSWORD]</entry>'],
    ['<property><name>fs.s3a.secret.key</name><value>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</value></property>', '<property><name>fs.s3a.secret.key</name><value>[SECRET]</value></property>'],
    ['<setting name="Password" serializeAs="String">\n  <value>P4ssw0rd!x</value>\n</setting>', '<setting name="Password" serializeAs="String">\n  <value>[PASSWORD]</value>\n</setting>'],
    ['<param name="password">S3cretPw!</param>', '<param name="password">[PASSWORD]</param>'],
  ];
  for (const [text, masked] of cases) assert.equal(m.maskTextSync(text).text, masked, text);
  for (const text of ['<property><name>fs.defaultFS</name><value>hdfs://nn:8020</value></property>', '<entry key="timeout">30</entry>', '<setting name="Theme"><value>dark</value></setting>']) {
    assert.equal(m.maskTextSync(text).text, text, text);
  }
});
