// Helpers the MCP suites share: the text of a tool result, server-everything over Streamable HTTP, and the
// fault-test server (fixtures/app-server.mjs) over Streamable HTTP, each a process a test can kill and start again.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from '../../support/net.js';
import { EVERYTHING_SERVER } from './harness.js';

export { freePort };

export const APP_SERVER = fileURLToPath(new URL('../fixtures/app-server.mjs', import.meta.url));

/** The text blocks of a tool result, joined by newlines. */
export const toolText = (r: unknown): string => ((r as CallToolResult).content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** A server process listening on 127.0.0.1:`port`. */
export interface HttpUpstream {
  url: string;
  port: number;
  pid: number;
  /** Kill it (SIGKILL: no goodbye, as a crashed process or a rescheduled pod); resolves once it is gone. */
  kill(): Promise<void>;
  close(): void;
}

/** Spawn `args` with PORT set and resolve once it says it listens. */
async function startOnPort(args: string[], port: number, env: Record<string, string> = {}): Promise<HttpUpstream> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before it listened`)));
  });
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    pid: child.pid!,
    kill: async () => {
      child.kill('SIGKILL');
      await gone;
    },
    close: () => void child.kill(),
  };
}

/** server-everything in Streamable HTTP mode on a free port (or `port`); resolves once it listens. */
export async function startEverythingHttp(port?: number): Promise<HttpUpstream> {
  return startOnPort([EVERYTHING_SERVER, 'streamableHttp'], port ?? (await freePort()));
}

/** fixtures/app-server.mjs over Streamable HTTP on a free port (or `port`); `env` e.g. UNKNOWN_SESSION_STATUS. */
export async function startAppHttp(port?: number, env: Record<string, string> = {}): Promise<HttpUpstream> {
  return startOnPort([APP_SERVER, 'http'], port ?? (await freePort()), env);
}
