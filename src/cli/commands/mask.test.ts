import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// A real process: a tiny CLI that builds a commander program and registers the mask commands; stdin is piped.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cs-mask-cli-'));
const runner = join(dir, 'cli.mjs');
writeFileSync(
  runner,
  [
    `import { Command } from ${JSON.stringify(pathToFileURL(createRequire(join(root, 'package.json')).resolve('commander')).href)};`,
    `import { registerMaskCommands } from ${JSON.stringify(pathToFileURL(join(root, 'src/cli/commands/mask.ts')).href)};`,
    // As in src/cli/main.ts: the program has its own -c, --config, which commander prefers for an option both define.
    `const program = new Command('countersign').option('-c, --config <path>').exitOverride((e) => process.exit(e.exitCode));`,
    `registerMaskCommands(program);`,
    `await program.parseAsync(process.argv);`,
  ].join('\n'),
);

function run(args: string[], input: string | Buffer, env: Record<string, string> = {}): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', runner, ...args], { cwd: root, env: { ...process.env, COUNTERSIGN_CONFIG: '', ...env } });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.end(input);
  });
}

test('mask: masks values and keeps every other byte (CRLF, tabs, unicode, no trailing newline)', async () => {
  const input = 'Zoë\tpaid with 4111 1111 1111 1111\r\nmail: bob@example.com\r\n\r\n  café ☕ 550e8400-e29b-41d4-a716-446655440000';
  const r = await run(['mask'], input);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString('utf8'), 'Zoë\tpaid with **** **** **** 1111\r\nmail: [EMAIL]\r\n\r\n  café ☕ 550e8400-e29b-41d4-a716-446655440000');
});

test('mask: a UTF-8 byte-order mark is kept, like every byte it does not mask', async () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  const r = await run(['mask'], Buffer.concat([bom, Buffer.from('BOM bob@example.com\n')]));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout, Buffer.concat([bom, Buffer.from('BOM [EMAIL]\n')]));
  // Without a BOM nothing is added.
  const plain = await run(['mask'], 'no BOM bob@example.com\n');
  assert.equal(plain.stdout.toString('utf8'), 'no BOM [EMAIL]\n');
});

test('mask: JSON and CSV get their keys and column names as context (a file piped in is text)', async () => {
  const json = '{"ssn":"123-45-6789","first_name":"Hope","last_name":"Grant","name":"Will Young","full_name":"May Bell","order_id":5551234567}';
  const r = await run(['mask'], json);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString('utf8'), '{"ssn":"[US_SSN]","first_name":"[PERSON]","last_name":"[PERSON]","name":"[PERSON]","full_name":"[PERSON]","order_id":5551234567}');
  const csv = 'first_name,last_name,email,ssn,dob,city\nHope,Grant,h@x.com,536-22-8714,1990-04-01,Austin\n';
  const c = await run(['mask'], csv);
  assert.equal(c.stdout.toString('utf8'), 'first_name,last_name,email,ssn,dob,city\n[PERSON],[PERSON],[EMAIL],[US_SSN],[DATE_OF_BIRTH],Austin\n');
  // A large JSON Lines file goes through in pieces of whole lines; scan gives offsets in the whole input.
  const lines = '{"id":1,"first_name":"Hope","ssn":"123-45-6789"}\n'.repeat(12_000); // ~600 KB
  const big = await run(['mask'], lines);
  assert.equal(big.stdout.toString('utf8'), '{"id":1,"first_name":"[PERSON]","ssn":"[US_SSN]"}\n'.repeat(12_000));
  const s = await run(['scan'], lines);
  const found = s.stdout.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { start: number; end: number });
  assert.equal(found.length, 24_000);
  assert.deepEqual(new Set(found.map((f) => lines.slice(f.start, f.end))), new Set(['Hope', '123-45-6789']));
});

test('mask: a large input goes through in chunks and nothing leaks at the boundaries', async () => {
  const line = 'row 17 ann.lee@example.org AKIAIOSFODNN7ABCDEFG ok\n';
  const input = line.repeat(30_000); // ~1.5 MB, several chunks
  const r = await run(['mask'], input);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.toString('utf8');
  assert.equal(out, 'row 17 [EMAIL] [AWS_ACCESS_KEY] ok\n'.repeat(30_000));
  assert.equal(r.stderr.toString(), ''); // no warning either
});

test('scan: JSON lines with type, offsets, confidence and detector, never the value', async () => {
  const input = 'x bob@example.com y SSN 123-45-6788\n';
  const r = await run(['scan'], input);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.type, input.slice(l.start, l.end)]), [['EMAIL', 'bob@example.com'], ['US_SSN', '123-45-6788']]);
  assert.ok(lines.every((l) => typeof l.confidence === 'number' && typeof l.detector === 'string'));
  assert.equal(r.stdout.toString('utf8').includes('bob@'), false);
});

test('--help, unknown profile, and a config file with profiles', async () => {
  const help = await run(['mask', '--help'], '');
  assert.equal(help.code, 0);
  assert.match(help.stdout.toString(), /--profile/);
  const bad = await run(['mask', '--profile', 'nope'], 'bob@example.com');
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout.length, 0);
  const cfg = join(dir, 'countersign.yaml');
  writeFileSync(cfg, 'masking:\n  profiles:\n    support:\n      transforms: { EMAIL: partial, PERSON: keep }\n');
  const r = await run(['mask', '--config', cfg, '--profile', 'support'], 'mail bob@example.com');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.toString(), 'mail b***@example.com');
  const h = join(dir, 'h.yaml');
  writeFileSync(h, 'masking:\n  key_env: CS_TEST_MISSING_KEY\n  profiles:\n    hashed:\n      transforms: { "*": hash }\n');
  const scan = await run(['scan', '-c', cfg, '--profile', 'support'], 'mail bob@example.com');
  assert.equal(scan.code, 0, scan.stderr);
  assert.equal(JSON.parse(scan.stdout.toString()).type, 'EMAIL');
  const nokey = await run(['mask', '--config', h, '--profile', 'hashed'], 'bob@example.com');
  assert.equal(nokey.code, 1);
  assert.match(nokey.stderr, /SECRET_MISSING: .*CS_TEST_MISSING_KEY/);
  assert.equal(nokey.stdout.length, 0);
  // A token profile: tokens live in a gateway's store; mask says so before reading anything, scan still works.
  const t = join(dir, 't.yaml');
  writeFileSync(t, 'masking:\n  key_env: CS_TEST_TOKEN_KEY\n  profiles:\n    tok:\n      transforms: { US_SSN: token }\n');
  const key = { CS_TEST_TOKEN_KEY: 'ab'.repeat(32) };
  const tok = await run(['mask', '--config', t, '--profile', 'tok'], 'SSN 536-22-8714', key);
  assert.equal(tok.code, 1);
  assert.match(tok.stderr, /^error: BAD_REQUEST: masking profile "tok" issues reversible tokens, which only a gateway keeps/);
  assert.equal(tok.stdout.length, 0);
  const tscan = await run(['scan', '--config', t, '--profile', 'tok'], 'SSN 536-22-8714', key);
  assert.equal(tscan.code, 0, tscan.stderr);
  assert.equal(JSON.parse(tscan.stdout.toString()).type, 'US_SSN');
});

test('mask: only the profile asked for is built (another profile\'s missing hash key is no error); a directory on stdin is an error', async () => {
  const cfg = join(dir, 'profiles.yaml');
  writeFileSync(cfg, 'masking:\n  key_env: CS_TEST_NO_SUCH_KEY_2\n  default_profile: h\n  profiles:\n    h: { transforms: { "*": hash } }\n    p: { transforms: { "*": partial } }\n');
  const partial = await run(['mask', '-c', cfg, '-p', 'p'], 'bob@example.com\n');
  assert.equal(partial.code, 0, partial.stderr);
  assert.equal(partial.stdout.toString('utf8'), 'b***@example.com\n');
  const hashed = await run(['mask', '-c', cfg], 'bob@example.com\n');
  assert.equal(hashed.code, 1);
  assert.match(hashed.stderr, /SECRET_MISSING: masking profile "h"/);

  const fromDir = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', runner, 'mask'], { cwd: root, env: { ...process.env, COUNTERSIGN_CONFIG: '' }, stdio: [openSync(dir, 'r'), 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr: err }));
  });
  assert.equal(fromDir.code, 1);
  assert.match(fromDir.stderr, /BAD_REQUEST: stdin is a directory/);
});
