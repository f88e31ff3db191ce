import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { CountersignError } from '../core/errors.js';
import { principalFromRequest } from '../identity/index.js';
import type { Runtime } from '../main.js';
import { createApi } from './app.js';
import { resourceMetadata } from '../connectors/mcp/index.js';

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
  // With OIDC, MCP clients discover where to sign in (RFC 9728 metadata, pointed at by the 401's WWW-Authenticate).
  const oidc = rt.config.identity.oidc;
  const metadata = oidc ? resourceMetadata({ issuer: oidc.issuer, mcpPath, ...(rt.config.server.public_url ? { publicUrl: rt.config.server.public_url } : {}) }) : undefined;
  const mcp = rt.mcp.httpHandler({
    authenticate: (req) => principalFromRequest(rt.authenticator, req.headers as Record<string, string>),
    ...(metadata ? { challenge: metadata.challenge } : {}),
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === mcpPath || path.startsWith(mcpPath + '/')) return void mcp(req, res);
    if (metadata?.paths.has(path) && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify(metadata.document(req));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=3600', 'access-control-allow-origin': '*' });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    void api(req, res);
  });
  // A request Node's HTTP parser refuses (headers over 16 KB, not HTTP at all) gets the API's JSON error shape too,
  // instead of Node's bare status line; the connection is closed after it.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (err as { code?: string }).code === 'ECONNRESET') return void socket.destroy();
    const e = new CountersignError(err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : 'BAD_HTTP');
    const body = JSON.stringify(e.toWire());
    const reason = e.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(`HTTP/1.1 ${e.status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
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
