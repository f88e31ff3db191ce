#!/usr/bin/env node
// Tool-call overhead of the MCP gateway: the same upstream (server-everything over stdio, `echo`) called directly
// by the official SDK client, and through Countersign (SDK client → in-memory transport → gateway: action,
// policy, pipeline, masking of the result → the gateway's own stdio connection to a second copy of the upstream).
// Calls alternate between the two paths so both see the same machine load. Reports p50/p95/p99 and the added p50.
// Run: node --import tsx bench/mcp.mjs [calls]     (default 2,000 per path, after 200 warm-up calls each)
import { createRequire } from 'node:module';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { describeAction } from '../src/core/action.ts';
import { compilePolicy } from '../src/policy/compile.ts';
import { createMcpGateway, mcpConfigSchema } from '../src/connectors/mcp/index.ts';

const calls = Number(process.argv[2] ?? 2000);
const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
const policy = compilePolicy({
  rules: [
    { name: 'no-env', resource: 'everything', when: 'action.detail.tool == "get-env"', effect: 'deny', reason: 'no' },
    { name: 'agents', principal: { groups: ['agents'] }, resource: 'everything', effect: 'allow', mask: 'default' },
  ],
});
const principal = { id: 'agent:bench', type: 'agent', groups: ['agents'], authMethod: 'api_key' };

// Policy-only Gateway (classify, decide, execute; no audit, identity masker) until the pipeline lands: this
// measures the connector's own cost. Switch to createPipeline(...) to include audit and masking.
async function buildGateway() {
  const identity = { maskText: async (text) => ({ text, findings: [] }), maskValue: async (value) => ({ value, findings: [] }) };
  return {
    label: 'policy only (pipeline not available): describeAction + policy + identity masker',
    gateway: {
      masker: identity,
      decide: (input) => policy.evaluate(describeAction(input)),
      record: async () => undefined,
      async run(input, execute) {
        const action = describeAction(input);
        const decision = policy.evaluate(action);
        if (decision.effect !== 'allow') throw new Error('bench policy must allow');
        return { status: 'executed', result: await execute(action), action, decision };
      },
    },
  };
}

const direct = new Client({ name: 'bench-direct', version: '1' });
await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }));

const { gateway, label } = await buildGateway();
const mcp = createMcpGateway({
  gateway,
  upstreams: mcpConfigSchema.parse({ upstreams: [{ name: 'everything', command: process.execPath, args: [EVERYTHING, 'stdio'] }] }).upstreams,
});
await mcp.start();
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await mcp.connect(principal, serverSide);
const via = new Client({ name: 'bench-gateway', version: '1' });
await via.connect(clientSide);

const args = { message: 'hello from the benchmark, contact ops@example.com' };
const once = async (client, name) => {
  const t = process.hrtime.bigint();
  const r = await client.callTool({ name, arguments: args });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.isError) throw new Error(JSON.stringify(r));
  return ms;
};
for (let i = 0; i < 200; i++) {
  await once(direct, 'echo');
  await once(via, 'everything.echo');
}
const a = [];
const b = [];
for (let i = 0; i < calls; i++) {
  a.push(await once(direct, 'echo'));
  b.push(await once(via, 'everything.echo'));
}
const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const row = (name, xs) => `${name.padEnd(22)} p50 ${q(xs, 0.5).toFixed(3)} ms  p95 ${q(xs, 0.95).toFixed(3)} ms  p99 ${q(xs, 0.99).toFixed(3)} ms`;
console.log(`MCP tool-call overhead, ${calls} calls per path, node ${process.version}, gateway: ${label}`);
console.log(row('direct (SDK → upstream)', a));
console.log(row('through Countersign', b));
console.log(`added p50: ${(q(b, 0.5) - q(a, 0.5)).toFixed(3)} ms (target ≤ 0.5 ms)`);
await via.close();
await direct.close();
await mcp.close();
