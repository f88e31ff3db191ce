#!/usr/bin/env node
// Where the masking engine's time goes: each detector alone over the same mixed corpus as bench/masking.mjs
// (warm, one core, median of --runs; a detector alone also pays for the shared passes it uses), the whole engine
// (also on text whose numbers never repeat), and small-value latency on the MCP hot path, sync and awaited.
// Usage: node --import tsx bench/masking-detectors.mjs [--mb 4] [--runs 5]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mixedCorpus } from './mixed-corpus.mjs';
import { createMasker } from '../src/masking/index.ts';
import { DETECTORS } from '../src/masking/scan.ts';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const MB = Number(arg('mb', 4));
const RUNS = Number(arg('runs', 5));
const synth = join(here, '..', '..', 'shared', 'benchmarks', 'presidio-synth', 'corpus.jsonl');
const own = join(here, 'corpus-masking.jsonl');
const { bytes, pieces } = mixedCorpus(MB, { own, synth });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mbs = (fn) => {
  fn(pieces[0]);
  const xs = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (const p of pieces) fn(p);
    xs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return bytes / 1e6 / median(xs);
};
const engine = createMasker();
const only = arg('only', '');
console.log(`| detector | MB/s alone (${(bytes / 1e6).toFixed(1)} MB mix, median of ${RUNS}) |\n|---|---|`);
for (const [name, detect] of Object.entries(DETECTORS)) {
  if (only && !only.split(',').includes(name)) continue;
  console.log(`| ${name} | ${mbs((p) => detect(p, [], {})).toFixed(1)} |`);
}
console.log(`| whole engine (maskTextSync) | ${mbs((p) => engine.maskTextSync(p)).toFixed(1)} |`);
// The mix repeats a 240 KB corpus, so the same numbers come back piece after piece. The same mix with the digits of
// every piece put through their own random permutation (each round, each piece) never repeats a number: libphonenumber
// has to answer for each. A fairer figure for logs full of new phone numbers and ids.
let seed = 20261121;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const permuted = (p) => {
  const d = [...'0123456789'];
  for (let i = 9; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [d[i], d[j]] = [d[j], d[i]];
  }
  return p.replace(/\d/g, (c) => d[c]);
};
const freshMBs = (() => {
  const xs = [];
  for (let r = -1; r < RUNS; r++) {
    const batch = pieces.map(permuted); // the first round, untimed, warms libphonenumber up
    const t0 = process.hrtime.bigint();
    for (const p of batch) engine.maskTextSync(p);
    if (r >= 0) xs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return bytes / 1e6 / median(xs);
})();
console.log(`| whole engine, no repeated numbers | ${freshMBs.toFixed(1)} |`);

const us = (fn) => {
  for (let i = 0; i < 20000; i++) fn();
  const xs = [];
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 2000; i++) fn();
    xs.push(Number(process.hrtime.bigint() - t0) / 2000 / 1e3);
  }
  return median(xs);
};
const usAsync = async (fn) => {
  for (let i = 0; i < 20000; i++) await fn();
  const xs = [];
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 2000; i++) await fn();
    xs.push(Number(process.hrtime.bigint() - t0) / 2000 / 1e3);
  }
  return median(xs);
};
const V1 = { kind: 'tool_call', connector: 'mcp', tags: [], rule: 'agents', effect: 'allow' };
const V2 = { tool: 'echo', arguments: { message: 'hello ops@example.com' } };
const small = [
  ['maskValue(kind/connector/tags/rule/effect)', () => engine.maskValueSync(V1), () => engine.maskValue(V1)],
  ['maskValue({tool, arguments:{message: …@…}})', () => engine.maskValueSync(V2), () => engine.maskValue(V2)],
  ["maskText('call everything.echo')", () => engine.maskTextSync('call everything.echo'), () => engine.maskText('call everything.echo')],
  ["maskText('Ana Lima called from +44 20 7946 0958')", () => engine.maskTextSync('Ana Lima called from +44 20 7946 0958'), () => engine.maskText('Ana Lima called from +44 20 7946 0958')],
];
console.log('\n| small input (warm) | µs per call, sync | µs per call, async (awaited) |\n|---|---|---|');
for (const [name, fn, afn] of small) console.log(`| ${name} | ${us(fn).toFixed(2)} | ${(await usAsync(afn)).toFixed(2)} |`);
