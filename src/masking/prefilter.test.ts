import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../core/masking.js';
import { createMasker } from './engine.js';
import { DETECTORS, needsOf, scan, signsOf } from './scan.js';

// The prefilter skips a detector when the text lacks every sign it needs (scan.ts NEEDS). These tests hold it to
// that on real text: our corpus and Presidio's synthetic set, whole documents, lines and random windows, with and
// without field names. The fast path must agree with the full path exactly, and a skipped detector, run anyway,
// must find nothing.
const root = fileURLToPath(new URL('../..', import.meta.url));
const corpora = [`${root}bench/corpus-masking.jsonl`, `${root}../shared/benchmarks/presidio-synth/corpus.jsonl`].filter((p) => existsSync(p));
const docs = corpora.flatMap((p) => readFileSync(p, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { text: string }).text));

let seed = 20261121;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
function samples(): string[] {
  const out: string[] = [];
  for (const d of docs) {
    out.push(d, ...d.split('\n'));
    for (let k = 0; k < 6; k++) {
      const a = Math.floor(rnd() * d.length);
      out.push(d.slice(a, a + 1 + Math.floor(rnd() * 60)));
    }
    // Words and short phrases, as JSON values often are.
    const words = d.split(/\s+/);
    for (let k = 0; k < 4 && words.length; k++) {
      const a = Math.floor(rnd() * words.length);
      out.push(words.slice(a, a + 1 + Math.floor(rnd() * 3)).join(' '));
    }
  }
  return out;
}
const key = (fs: Finding[]) => JSON.stringify(fs);
const FIELDS = [undefined, 'message', 'name', 'password', 'phone', 'dob', 'mrn', 'api_key', 'email', 'license'];

test('corpora are present (bench/corpus-masking.jsonl at least)', () => {
  assert.ok(corpora.length >= 1 && docs.length >= 600, `corpora: ${corpora.join(', ')}`);
});

test('fast path and full path agree on the corpora (documents, lines, windows, phrases; with field names)', { timeout: 120_000 }, () => {
  let n = 0, skipped = 0;
  for (const text of samples()) {
    const field = FIELDS[n++ % FIELDS.length];
    const fast = scan(text, { field }, { minConfidence: 0.5 });
    const full = scan(text, { field }, { minConfidence: 0.5, prefilter: false });
    assert.equal(key(fast), key(full), `${JSON.stringify(text.slice(0, 120))} field=${field}`);
    if (signsOf(text) === 0) skipped++;
  }
  assert.ok(skipped > 100, `the fast path was taken ${skipped} times`); // the test exercises the skip, not just the full path
});

test('a detector skipped for lack of its signs finds nothing when run anyway', { timeout: 120_000 }, () => {
  let checked = 0;
  for (const text of samples()) {
    const signs = signsOf(text);
    for (const name of Object.keys(DETECTORS)) {
      const need = needsOf(name);
      if (need === undefined || (need & signs) !== 0) continue;
      for (const field of [undefined, 'name', 'phone', 'dob', 'mrn']) {
        const out: Finding[] = [];
        DETECTORS[name](text, out, { field });
        assert.deepEqual(out, [], `${name} on ${JSON.stringify(text.slice(0, 120))} field=${field}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 10_000, `checked ${checked}`);
});

test('texts made to sit just outside the signs stay clean, and each sign alone reaches its detectors', () => {
  const quiet = ['call everything.echo', 'tool_call', 'allow', 'my secrets are safe', 'deny; reason=policy', 'x-request-id', 'a.b/c?d=e&f=g', ''];
  for (const t of quiet) assert.deepEqual(scan(t, {}, { minConfidence: 0 }), scan(t, {}, { minConfidence: 0, prefilter: false }), t);
  assert.equal(signsOf('call everything.echo'), 0);
  assert.equal(signsOf('tool_call'), 0);
  // Each of these has exactly one kind of sign and a finding only that sign allows.
  const loud: [string, string][] = [
    ['my password is hunter2xyz', 'PASSWORD'],
    ['address: suite b', 'ADDRESS'],
    ['reach me at ann@example.org', 'EMAIL'],
    ['fe80::1ff:fe23:4567:890a', 'IP_ADDRESS'],
    ['postgres://app:s3cr3tpass@db/prod', 'PASSWORD'],
    ['call 415 555 0123', 'PHONE'],
    ['dear ana lima, hello Priya', 'PERSON'],
    ['<first_name>ana</first_name>', 'PERSON'],
  ];
  for (const [t, type] of loud) {
    assert.ok(signsOf(t) !== 0, t);
    assert.ok(scan(t, {}, { minConfidence: 0.5 }).some((f) => f.type === type), `${t} → ${type}`);
  }
});

test('field-name rules apply whatever the text holds', () => {
  const m = createMasker();
  assert.equal(m.maskValueSync({ password: 'hunter2', email: 'nobody', first_name: 'jo' }).value.password, '[PASSWORD]');
  assert.deepEqual(m.maskValueSync({ email: 'nobody' }).value, { email: '[EMAIL]' });
  assert.deepEqual(m.maskValueSync({ first_name: 'jo' }).value, { first_name: '[PERSON]' });
  assert.deepEqual(m.maskValueSync({ note: 'nobody' }).value, { note: 'nobody' });
});

test('a detector registered later always runs, signs or not', () => {
  DETECTORS.always = (text, out) => out.push({ type: 'SECRET', start: 0, end: text.length, confidence: 0.9, detector: 'always' });
  try {
    assert.deepEqual(scan('tool_call', {}, { minConfidence: 0.5 }).map((f) => f.detector), ['always']);
  } finally {
    delete DETECTORS.always;
  }
});
