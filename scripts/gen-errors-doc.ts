// Writes docs/errors.md from the error catalog (src/core/errors.ts). `--check` exits 1 when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { ERRORS } from '../src/core/errors.js';

export function errorsDoc(): string {
  const rows = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.doc} |`);
  return [
    '# Error codes',
    '',
    'Every error Countersign returns carries one of these codes: HTTP responses as',
    '`{ "error": { "code", "message", "details"? } }` with the status below, CLI errors as `error: CODE: message`,',
    'MCP tool errors in their text. Generated from `src/core/errors.ts` by `npx tsx scripts/gen-errors-doc.ts`.',
    '',
    '| code | HTTP | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('gen-errors-doc.ts')) {
  const path = new URL('../docs/errors.md', import.meta.url);
  if (process.argv.includes('--check')) {
    process.exit(readFileSync(path, 'utf8') === errorsDoc() ? 0 : 1);
  }
  writeFileSync(path, errorsDoc());
  console.log('wrote docs/errors.md');
}
