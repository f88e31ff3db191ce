// Builds the MCP gateway in front of real upstream servers from npm (filesystem on a temp folder, everything),
// with real identity (API keys) and serves it over Streamable HTTP and in-process stdio for the official SDK client.
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { systemClock } from '../../../src/core/clock.js';
import type { Principal } from '../../../src/core/identity.js';
import { createAuthenticator, createApiKey, MemoryKeyStore, principalFromRequest, identityConfigSchema } from '../../../src/identity/index.js';
import { createMcpGateway, mcpConfigSchema, mcpGatewayOptions, type McpGateway, type McpConfigInput } from '../../../src/connectors/mcp/index.js';
import type { Gateway } from '../../../src/pipeline/types.js';
import type { PolicyConfigInput } from '../../../src/policy/index.js';
import { streamPair } from './stream-client.js';

const require = createRequire(import.meta.url);
export const FS_SERVER = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
export const EVERYTHING_SERVER = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');

/** The policy the suite (and examples/mcp-demo) uses: reads pass, fs writes need approval, two tools denied. */
export const TEST_POLICY: NonNullable<PolicyConfigInput> = {
  rules: [
    { name: 'no-move', resource: 'fs', tool: 'move_file', effect: 'deny', reason: 'moving files is not allowed through the gateway' },
    { name: 'no-env-dump', resource: 'everything', when: 'has(action.detail.tool) && action.detail.tool == "get-env"', effect: 'deny', reason: 'reading the server environment is not allowed' },
    {
      name: 'fs-writes-need-approval', principal: { groups: ['agents'] }, resource: 'fs', kind: 'tool_call', effect: 'review', reason: 'changes files in the demo folder',
      review: { approvers: ['approvers'], approvals: 1, timeout: '30m' },
    },
    { name: 'agents-read', principal: { groups: ['agents'] }, kind: 'read', effect: 'allow', mask: 'default' },
    { name: 'agents-everything', principal: { groups: ['agents'] }, resource: 'everything', effect: 'allow', mask: 'default' },
  ],
};

export interface Harness {
  mcp: McpGateway;
  demoDir: string;
  http: HttpServer;
  url: URL;
  /** `rotated`: another API key of the agent's principal id, without its groups and on-behalf-of. */
  tokens: { agent: string; outsider: string; rotated: string };
  principals: { agent: Principal; outsider: Principal };
  /** An SDK client connected over `transport` as the agent (or the outsider). */
  client(transport: 'stdio' | 'http', who?: 'agent' | 'outsider'): Promise<Client>;
  close(): Promise<void>;
}

/**
 * `defaults: false` leaves out the suite's two upstreams (fs and everything): only `extra.upstreams` are served.
 * `log` receives the gateway's operator log lines (default: stderr).
 */
export async function startHarness(gateway: Gateway, extra: Partial<McpConfigInput> = {}, opts: { defaults?: boolean; log?: (line: string) => void; shutdownGraceMs?: number } = {}): Promise<Harness> {
  const demoDir = await mkdtemp(join(tmpdir(), 'cs-mcp-'));
  await writeFile(join(demoDir, 'contacts.txt'), 'Write to alice.smith@example.com about the launch.\n');
  const config = mcpConfigSchema.parse({
    heartbeat: '1s',
    ...extra,
    upstreams: [
      ...(opts.defaults === false
        ? []
        : [
            { name: 'fs', command: process.execPath, args: [FS_SERVER, demoDir], call_timeout: '20s' },
            { name: 'everything', command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], call_timeout: '20s' },
          ]),
      ...(extra.upstreams ?? []),
    ],
  });
  const mcp = createMcpGateway({ gateway, ...mcpGatewayOptions(config), restartBackoffMs: 0, ...(opts.log ? { log: opts.log } : {}), ...(opts.shutdownGraceMs !== undefined ? { shutdownGraceMs: opts.shutdownGraceMs } : {}) });
  await mcp.start();

  const keys = new MemoryKeyStore();
  const agentKey = await createApiKey(keys, { principalId: 'agent:claude', type: 'agent', groups: ['agents'], onBehalfOf: 'alice@example.com' }, systemClock);
  const outsiderKey = await createApiKey(keys, { principalId: 'agent:stranger', type: 'agent', groups: [] }, systemClock);
  const rotatedKey = await createApiKey(keys, { principalId: 'agent:claude', type: 'agent', groups: [] }, systemClock);
  const auth = createAuthenticator({ config: identityConfigSchema.parse({}), keys, clock: systemClock });
  const principals = { agent: await auth.authenticate(agentKey.key), outsider: await auth.authenticate(outsiderKey.key) };
  const handler = mcp.httpHandler({ authenticate: (req) => principalFromRequest(auth, req.headers) });
  const http = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  const tokens = { agent: agentKey.key, outsider: outsiderKey.key, rotated: rotatedKey.key };
  const clients: Client[] = [];

  return {
    mcp, demoDir, http, url, tokens, principals,
    async client(transport, who = 'agent') {
      const c = new Client({ name: 'test-agent', version: '1.0.0' });
      if (transport === 'http') {
        await c.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${tokens[who]}` } } }));
      } else {
        const pair = streamPair();
        await mcp.serveStdio(principals[who], { input: pair.serverInput, output: pair.serverOutput });
        await c.connect(pair.client);
      }
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await mcp.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await rm(demoDir, { recursive: true, force: true });
    },
  };
}
