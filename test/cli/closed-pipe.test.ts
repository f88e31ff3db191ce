// The real CLI (src/cli/main.ts) writing into a pipe whose reader stopped early (`countersign mask … | head -1`):
// it ends quietly with exit 0, as a Unix tool ended by a closed pipe, instead of an EPIPE error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('a CLI command whose output pipe is closed early exits 0 without an error', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'mask'], { cwd: root, env: { ...process.env, COUNTERSIGN_CONFIG: '' } });
  let stderr = '';
  let first = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b));
  child.stdout.once('data', (b: Buffer) => {
    first = b.toString();
    child.stdout.destroy(); // the reader goes away after its first chunk
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end('Contact ana@example.com now.\n'.repeat(200_000));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.match(first, /^Contact \[EMAIL\] now\.\n/);
  assert.equal(stderr, '');
  assert.equal(code, 0);
});
