#!/usr/bin/env node
// Masking benchmark: accuracy (leak/collateral via the shared scorer) on Presidio's synthetic set and on our own
// corpus with decoys, and throughput on a mixed multi-megabyte corpus plus latency for a 4 KB document —
// Countersign and redact-pii side by side, same run, same machine, one core.
// Usage: node --import tsx bench/masking.mjs [--mb 8] [--runs 5] [--skip-accuracy]
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mixedCorpus } from './mixed-corpus.mjs';
import { SyncRedactor } from 'redact-pii';
import { createMasker } from '../src/masking/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const MB = Number(arg('mb', 8));
const RUNS = Number(arg('runs', 5));
const shared = join(root, '..', 'shared', 'benchmarks');
const synth = join(shared, 'presidio-synth', 'corpus.jsonl');
const own = join(here, 'corpus-masking.jsonl');
if (!existsSync(own)) spawnSync(process.execPath, [join(here, 'corpus-masking.mjs'), own], { stdio: 'inherit' });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- accuracy: the shared scorer, both maskers, both corpora ----
if (!process.argv.includes('--skip-accuracy')) {
  const maskers = {
    countersign: [process.execPath, '--import', 'tsx', join(here, 'masking-cli.mjs'), 'mask'],
    'redact-pii': [process.execPath, join(here, 'masking-redact-pii.mjs')],
  };
  for (const [cname, corpus] of [['presidio-synth', synth], ['own (decoys)', own]]) {
    if (!existsSync(corpus)) {
      console.log(`(${cname}: ${corpus} not found, skipped)`);
      continue;
    }
    const rows = {};
    for (const [mname, cmd] of Object.entries(maskers)) {
      const r = spawnSync(process.execPath, [join(shared, 'score-masking.mjs'), corpus, '--', ...cmd], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 });
      const lines = r.stdout.trim().split('\n');
      for (const l of lines) {
        const m = /^ {2}(\S+)\s+(\d+)\s+(leaked|damaged)\s+([\d.]+%|-)/.exec(l);
        if (m) ((rows[`${m[3] === 'leaked' ? 'leak' : 'collateral'} ${m[1]}`] ??= { n: m[2] })[mname] = m[4]);
      }
      const summary = JSON.parse(lines[lines.length - 1]);
      (rows['OVERALL leak'] ??= { n: '' })[mname] = (100 * summary.leak).toFixed(1) + '%';
      (rows['OVERALL collateral'] ??= { n: '' })[mname] = summary.collateral === null ? '-' : (100 * summary.collateral).toFixed(1) + '%';
    }
    console.log(`\n## accuracy on ${cname}\n| type | n | countersign | redact-pii |\n|---|---|---|---|`);
    for (const [k, v] of Object.entries(rows).sort(([a], [b]) => (a.startsWith('OVERALL') ? 1 : 0) - (b.startsWith('OVERALL') ? 1 : 0) || a.localeCompare(b))) {
      console.log(`| ${k} | ${v.n} | ${v.countersign ?? '-'} | ${v['redact-pii'] ?? '-'} |`);
    }
  }
}

// ---- throughput: a mixed corpus of MB megabytes, masked in 256 KB pieces (what the stream does) ----
const { big, bytes, pieces } = mixedCorpus(MB, { own, synth });

const engine = createMasker();
const redactor = new SyncRedactor();
engine.maskTextSync(pieces[0]); // load the name lists before timing
const timeIt = (fn) => {
  const t0 = process.hrtime.bigint();
  for (const p of pieces) fn(p);
  return Number(process.hrtime.bigint() - t0) / 1e9;
};
const cs = [], rp = [];
for (let r = 0; r < RUNS; r++) cs.push(timeIt((p) => engine.maskTextSync(p)));
for (let r = 0; r < Math.min(RUNS, 3); r++) rp.push(timeIt((p) => redactor.redact(p)));
const csMBs = bytes / 1e6 / median(cs), rpMBs = bytes / 1e6 / median(rp);

// ---- latency: one 4 KB document ----
const doc4k = big.slice(0, 4096);
const lat = (fn) => {
  for (let i = 0; i < 20; i++) fn(doc4k);
  const xs = [];
  for (let i = 0; i < 200; i++) {
    const t0 = process.hrtime.bigint();
    fn(doc4k);
    xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(xs);
};
const csLat = lat((d) => engine.maskTextSync(d)), rpLat = lat((d) => redactor.redact(d));

console.log(`\n## throughput (${(bytes / 1e6).toFixed(1)} MB mixed corpus, 256 KB pieces, median of ${RUNS}/${Math.min(RUNS, 3)} runs, ${process.version})`);
console.log('| masker | MB/s | 4 KB document (median ms) |\n|---|---|---|');
console.log(`| countersign | ${csMBs.toFixed(1)} | ${csLat.toFixed(3)} |`);
console.log(`| redact-pii | ${rpMBs.toFixed(1)} | ${rpLat.toFixed(3)} |`);
console.log(`| ratio | ${(csMBs / rpMBs).toFixed(1)}x | ${(rpLat / csLat).toFixed(1)}x |`);
