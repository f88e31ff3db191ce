import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { CountersignError } from '../core/errors.js';
import { principalFromRequest } from '../identity/index.js';
import type { Runtime } from '../main.js';
import { createApi } from './app.js';

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Serve the HTTP API and the MCP Streamable HTTP endpoint on one port. */
export async function startServer(rt: Runtime, opts: { host?: string; port?: number } = {}): Promise<RunningServer> {
  const app = createApi(rt, rt.metrics);
  const api = getRequestListener(app.fetch);
  const mcpPath = (rt.config.mcp as { path?: string }).path ?? '/mcp';
  const mcp = rt.mcp.httpHandler({ authenticate: (req) => principalFromRequest(rt.authenticator, req.headers as Record<string, string>) });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === mcpPath || path.startsWith(mcpPath + '/')) return void mcp(req, res);
    void api(req, res);
  });
  const host = opts.host ?? rt.config.server.host;
  const port = opts.port ?? rt.config.server.port;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (e) {
    await mcp.close?.();
    const code = (e as { code?: string }).code;
    const why = code === 'EADDRINUSE' ? 'the address is in use (another gateway?); pick another with --port or server.port' : code === 'EACCES' ? 'not allowed (a port below 1024 needs privileges)' : (e as Error).message;
    throw new CountersignError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${why}`, { host, port }, { cause: e });
  }
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
  return {
    server,
    url,
    async close() {
      await mcp.close?.();
      server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
