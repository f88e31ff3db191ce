#!/usr/bin/env node
// Tool calls under load: `--concurrency` calls in flight for `--seconds` on each path in turn — the upstream
// (server-everything over stdio, `echo`) called directly by the official SDK client, then through the gateway
// (bench/mcp-gateway.mjs: real pipeline, masking, signed audit log on SQLite) with `audit.durability: disk` and
// `commit`. Reports calls per second, p50 and p99, and the gateway's throughput as a share of the direct one. With
// many calls in flight the audit log's group commit shares one fsync among the decision events of one tick, so the
// `disk` setting costs less per call than one at a time (bench/mcp.mjs).
// Run: node --import tsx bench/mcp-load.mjs [--concurrency 16] [--seconds 5]
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { dir, startGateway, upstream } from './mcp-gateway.mjs';

const { values } = parseArgs({ options: { concurrency: { type: 'string', default: '16' }, seconds: { type: 'string', default: '5' } } });
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const args = { message: 'hello from the benchmark, contact ops@example.com' };

/** `concurrency` workers calling `name` back to back for `ms`; returns every latency and the call rate. */
async function load(client, name, ms) {
  const lat = [];
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const r = await client.callTool({ name, arguments: args });
      if (r.isError) throw new Error(JSON.stringify(r));
      lat.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { lat, rate: lat.length / ((performance.now() - t0) / 1000) };
}

const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const paths = [];
const direct = new Client({ name: 'bench-direct', version: '1' });
await direct.connect(new StdioClientTransport({ ...upstream(), stderr: 'ignore' }));
paths.push({ name: 'direct (SDK → upstream)', client: direct, tool: 'echo', close: () => direct.close() });
for (const durability of ['disk', 'commit']) {
  const g = await startGateway(durability);
  paths.push({ name: `through Countersign, durability ${durability}`, client: g.client, tool: 'everything.echo', close: () => g.close(), store: g.store });
}

console.log(`MCP tool calls under load: ${concurrency} in flight, ${seconds} s per path after 1 s of warm-up, node ${process.version}`);
let base;
for (const p of paths) {
  await load(p.client, p.tool, 1000);
  const { lat, rate } = await load(p.client, p.tool, seconds * 1000);
  base ??= rate;
  const share = p === paths[0] ? '' : `  (${((100 * rate) / base).toFixed(0)} % of direct)`;
  console.log(`${p.name.padEnd(40)} ${rate.toFixed(0).padStart(6)} calls/s  p50 ${q(lat, 0.5).toFixed(2)} ms  p99 ${q(lat, 0.99).toFixed(2)} ms${share}`);
}
for (const p of paths) await p.close();
rmSync(dir, { recursive: true, force: true });
