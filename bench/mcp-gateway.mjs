// The gateway the MCP benchmarks measure, built as `countersign serve` builds it: SDK client → in-memory transport →
// MCP connector → pipeline (policy, masking engine, signed audit log on a SQLite file in WAL mode) → the gateway's
// own stdio connection to server-everything. Its audit log, masker and policy are wrapped to time them. The agent
// is an API key in the store, authenticated as `countersign serve` does, so every action re-checks that key.
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { randomIds, systemClock } from '../src/core/clock.ts';
import { createAuditLog } from '../src/audit/log.ts';
import { createAuditSigner, generateAuditKeyPair } from '../src/audit/signing.ts';
import { ApprovalService } from '../src/approvals/service.ts';
import { createMasker } from '../src/masking/index.ts';
import { createPipeline } from '../src/pipeline/pipeline.ts';
import { compilePolicy } from '../src/policy/index.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { createMcpGateway, mcpConfigSchema } from '../src/connectors/mcp/index.ts';
import { createApiKey } from '../src/identity/api-keys.ts';
import { createAuthenticator } from '../src/identity/authenticator.ts';
import { identityConfigSchema } from '../src/identity/config.ts';

const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
export const upstream = () => ({ command: process.execPath, args: [EVERYTHING, 'stdio'] });
export const dir = mkdtempSync(join(tmpdir(), 'cs-bench-mcp-'));

/** One gateway as the runtime wires it, with its parts wrapped to time them. */
export async function startGateway(durability) {
  const spent = { audit: 0, mask: 0, policy: 0, auditCalls: 0 };
  const timed = (key, fn) => async (...a) => {
    const t = process.hrtime.bigint();
    try {
      return await fn(...a);
    } finally {
      spent[key] += Number(process.hrtime.bigint() - t) / 1e6;
      if (key === 'audit') spent.auditCalls++;
    }
  };
  const store = await openSqliteStore(join(dir, `${durability}.db`));
  const engine = createMasker();
  const masker = { ...engine, maskText: timed('mask', engine.maskText.bind(engine)), maskValue: timed('mask', engine.maskValue.bind(engine)) };
  const log = createAuditLog({ store, signer: createAuditSigner(generateAuditKeyPair().privateKey), clock: systemClock, masker: engine, durability });
  const audit = { append: timed('audit', (e) => log.append(e)) };
  const approvals = new ApprovalService({ store, audit, clock: systemClock, ids: randomIds });
  await approvals.start();
  const compiled = compilePolicy({
    rules: [
      { name: 'no-env', resource: 'everything', when: 'action.detail.tool == "get-env"', effect: 'deny', reason: 'no' },
      { name: 'agents', principal: { groups: ['agents'] }, resource: 'everything', effect: 'allow', mask: 'default' },
    ],
  });
  const policy = {
    ...compiled,
    evaluate(action) {
      const t = process.hrtime.bigint();
      try {
        return compiled.evaluate(action);
      } finally {
        spent.policy += Number(process.hrtime.bigint() - t) / 1e6;
      }
    },
  };
  const authenticator = createAuthenticator({ config: identityConfigSchema.parse({}), keys: store, clock: systemClock });
  const { key } = await createApiKey(store, { principalId: 'agent:bench', type: 'agent', groups: ['agents'], onBehalfOf: 'alice@example.com' }, systemClock);
  const principal = await authenticator.authenticate(key);
  const gateway = createPipeline({ policy, approvals, audit, masker, clock: systemClock, credentials: authenticator });
  const mcp = createMcpGateway({ gateway, upstreams: mcpConfigSchema.parse({ upstreams: [{ name: 'everything', ...upstream() }] }).upstreams });
  await mcp.start();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.connect(principal, serverSide);
  const client = new Client({ name: `bench-${durability}`, version: '1' });
  await client.connect(clientSide);
  const parts = { audit: [], mask: [], policy: [], auditCalls: [] };
  return {
    durability,
    client,
    parts,
    store,
    reset: () => Object.keys(spent).forEach((k) => (spent[k] = 0)),
    keep: () => Object.keys(parts).forEach((k) => parts[k].push(spent[k])),
    async close() {
      await client.close();
      await mcp.close();
      approvals.stop();
      await log.close();
      await store.close();
    },
  };
}
