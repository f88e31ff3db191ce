// Writes schema/countersign.schema.json from the zod schema of the config (src/config/schema.ts).
// Usage: npx tsx scripts/gen-schema.ts          (write)
//        npx tsx scripts/gen-schema.ts --check  (exit 1 when the committed file is out of date)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildJsonSchema } from '../src/config/json-schema.js';

const target = fileURLToPath(new URL('../schema/countersign.schema.json', import.meta.url));
const text = JSON.stringify(buildJsonSchema(), null, 2) + '\n';

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as out of date
  }
  if (current !== text) {
    console.error('schema/countersign.schema.json is out of date: run npx tsx scripts/gen-schema.ts');
    process.exit(1);
  }
  console.log('schema/countersign.schema.json is up to date');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
