// Helpers the MCP suites share: the text of a tool result, and server-everything over Streamable HTTP.
import { spawn } from 'node:child_process';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from '../../support/net.js';
import { EVERYTHING_SERVER } from './harness.js';

export { freePort };

/** The text blocks of a tool result, joined by newlines. */
export const toolText = (r: unknown): string => ((r as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** server-everything in Streamable HTTP mode on a free port; resolves once it listens. */
export async function startEverythingHttp(): Promise<{ url: string; close(): void }> {
  const port = await freePort();
  const server = spawn(process.execPath, [EVERYTHING_SERVER, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve) => server.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  return { url: `http://127.0.0.1:${port}/mcp`, close: () => void server.kill() };
}
