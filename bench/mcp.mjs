#!/usr/bin/env node
// Tool-call overhead of the full MCP gateway: the same upstream (server-everything over stdio, `echo`) called
// directly by the official SDK client, and through Countersign as `countersign serve` builds it (SDK client →
// in-memory transport → MCP connector → pipeline: policy, audit log on a SQLite file in WAL mode with signed
// checkpoints, masking engine on the summary, the result and every audit event → the gateway's own stdio
// connection to another copy of the upstream). Two gateways run side by side, one per audit durability setting:
//   disk   (default) the decision event is fsynced before the call is forwarded;
//   commit           it is committed (survives a gateway crash) and reaches the disk within 200 ms.
// Calls rotate over the three paths so all see the same machine load. Reports p50/p90/p99, the added p50 and
// where each gateway's time goes (per-call medians of the audit appends, masking and policy, measured by
// wrapping the real parts).
// Run: node --import tsx bench/mcp.mjs [--calls 2000] [--warmup 200]
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { dir, startGateway, upstream } from './mcp-gateway.mjs';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '2000' }, warmup: { type: 'string', default: '200' } } });
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const direct = new Client({ name: 'bench-direct', version: '1' });
await direct.connect(new StdioClientTransport({ ...upstream(), stderr: 'ignore' }));
const gateways = [await startGateway('disk'), await startGateway('commit')];

const args = { message: 'hello from the benchmark, contact ops@example.com' };
const once = async (client, name) => {
  const t = process.hrtime.bigint();
  const r = await client.callTool({ name, arguments: args });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.isError) throw new Error(JSON.stringify(r));
  return ms;
};
for (let i = 0; i < warmup; i++) {
  await once(direct, 'echo');
  for (const g of gateways) await once(g.client, 'everything.echo');
}
const base = [];
const through = new Map(gateways.map((g) => [g, []]));
for (let i = 0; i < calls; i++) {
  base.push(await once(direct, 'echo'));
  for (const g of gateways) {
    g.reset();
    through.get(g).push(await once(g.client, 'everything.echo'));
    g.keep();
  }
  if ((i + 1) % 500 === 0) process.stderr.write(`  ${i + 1}/${calls} calls per path\n`);
}
// The masked result must not carry the e-mail: a check that the engine really ran on the result.
let leaked = false;
for (const g of gateways) leaked ||= JSON.stringify(await g.client.callTool({ name: 'everything.echo', arguments: args })).includes('ops@example.com');

const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const f = (x) => `${x.toFixed(3)} ms`;
const row = (name, xs) => `${name.padEnd(34)} p50 ${f(q(xs, 0.5))}  p90 ${f(q(xs, 0.9))}  p99 ${f(q(xs, 0.99))}`;
console.log(`MCP tool-call overhead, ${calls} calls per path after ${warmup} warm-up, node ${process.version}`);
console.log('gateway: real pipeline (policy, SQLite store in WAL mode, signed audit log, masking engine)');
console.log(row('direct (SDK → upstream)', base));
for (const g of gateways) {
  const xs = through.get(g);
  console.log(row(`through Countersign, durability ${g.durability}`, xs));
  console.log(
    `  added p50 ${f(q(xs, 0.5) - q(base, 0.5))} (target ≤ 0.5 ms); inside the gateway per call (p50): audit ${f(q(g.parts.audit, 0.5))} ` +
      `over ${q(g.parts.auditCalls, 0.5)} appends, masking ${f(q(g.parts.mask, 0.5))}, policy ${f(q(g.parts.policy, 0.5))}; ` +
      `${(await g.store.auditHead()).seq} audit events`,
  );
}
console.log(`e-mail in the masked results: ${leaked ? 'LEAKED' : 'no'}`);
await direct.close();
for (const g of gateways) await g.close();
rmSync(dir, { recursive: true, force: true });
