// `countersign serve` in a real process, stopped by SIGTERM: what it records last.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateAuditKeyPair } from '../../src/audit/signing.js';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cs-serve-stop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('a stopping gateway records the refusals it counted, then gateway.stopped as its last event', async () => {
  const config = join(dir, 'countersign.yaml');
  writeFileSync(config, 'server: { port: 0, host: 127.0.0.1 }\nstore: { path: ./data/cs.db }\n');
  const env = { ...process.env, COUNTERSIGN_AUDIT_KEY: generateAuditKeyPair().privateKey };
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'serve', '--config', config], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`serve exited: ${stderr}`)));
  });
  // More refused credentials than are recorded one by one in a minute.
  for (let i = 0; i < 130; i++) assert.equal((await fetch(`${url}/v1/requests`, { headers: { authorization: 'Bearer wrong-token' } })).status, 401);
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
  const exported = await new Promise<string>((resolve) => execFile(process.execPath, ['--import', TSX, CLI, 'audit', 'export', '--config', config], { env }, (_e, out) => resolve(out)));
  const events = exported.trim().split('\n').map((l) => JSON.parse(l) as { type: string; body: { data?: { suppressed?: number } } });
  assert.equal(events.at(-1)!.type, 'gateway.stopped', 'the last event');
  assert.equal(events.at(-2)!.body.data?.suppressed, 30, 'the count of refusals not recorded one by one, before it');
  assert.equal(events.filter((e) => e.type === 'auth.failed').length, 101);
});
