#!/usr/bin/env node
// Runs every test with Node's own runner: unit tests beside the code (src/**/*.test.ts) and integration suites
// under test/. TypeScript is loaded through tsx, so no build is needed first.
// Usage: npm test [-- path-filter...]   e.g. npm test -- src/approvals test/mcp   (a filtered run skips the type-check)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.test\.(ts|mts|js|mjs)$/.test(name)) out.push(relative(root, p));
  }
  return out;
}

let files = [...walk(join(root, 'src'), []), ...walk(join(root, 'test'), [])].sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched', filters);
  process.exit(1);
}
// The whole run (no filter) type-checks first, tests included: tsx strips types without checking them.
if (!filters.length) {
  console.log('type-checking (tsc -p tsconfig.json --noEmit)');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('type errors: fix them before the tests run');
    process.exit(1);
  }
}
console.log(`running ${files.length} test files`);
const child = spawn(
  process.execPath,
  // A test that hangs fails after 5 minutes rather than holding the run until CI gives up.
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
