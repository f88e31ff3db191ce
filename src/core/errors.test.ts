import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, CountersignError, asCountersignError } from './errors.js';

test('docs/errors.md lists every error code with its status', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, e] of Object.entries(ERRORS)) {
    assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${e.status} \\|`), `${code} missing (npx tsx scripts/gen-errors-doc.ts)`);
  }
});

test('the wire form carries code and message, never the cause', () => {
  const e = new CountersignError('STORE_UNAVAILABLE', undefined, undefined, { cause: new Error('password=hunter2') });
  assert.deepEqual(e.toWire(), { error: { code: 'STORE_UNAVAILABLE', message: ERRORS.STORE_UNAVAILABLE.doc } });
  assert.equal(e.status, 503);
  const unknown = asCountersignError(new Error('secret internals'));
  assert.equal(unknown.code, 'INTERNAL');
  assert.doesNotMatch(JSON.stringify(unknown.toWire()), /secret internals/);
});
