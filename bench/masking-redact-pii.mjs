#!/usr/bin/env node
// Baseline masker for the benchmarks: redact-pii 3 (the devDependency) as a stdin → stdout filter, so
// score-masking.mjs can run it exactly like `countersign mask`. redact-pii rewrites the digits of the scorer's
// `=== document N ===` separator lines, so lines of that shape are kept aside and each document is redacted alone.
// Usage: node bench/masking-redact-pii.mjs < in.txt > out.txt
import { SyncRedactor } from 'redact-pii';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const redactor = new SyncRedactor();
const parts = Buffer.concat(chunks).toString('utf8').split(/(\n=== document \d+ ===\n)/);
process.stdout.write(parts.map((p, i) => (i % 2 ? p : redactor.redact(p))).join(''));
