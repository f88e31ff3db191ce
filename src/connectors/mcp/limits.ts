import type { Readable } from 'node:stream';
import { StdioClientTransport, type StdioServerParameters } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

const NL = 10;
const CR = 13;

/**
 * Counts the bytes of newline-delimited messages as they stream in (stdio MCP: one JSON-RPC message per line) and
 * says when one grows past `max` — before it is complete, so nothing larger than `max` plus one chunk is ever held.
 *
 * @example
 * const over = lineLimit(1024);
 * over(Buffer.from('{"jsonrpc":"2.0"}\n')) // false
 */
export function lineLimit(max: number): (chunk: Uint8Array) => boolean {
  let line = 0; // bytes of the current, unfinished line
  return (chunk) => {
    let from = 0;
    for (let nl = chunk.indexOf(NL); nl !== -1; nl = chunk.indexOf(NL, from)) {
      if (line + nl - from > max) return true;
      line = 0;
      from = nl + 1;
    }
    line += chunk.length - from;
    return line > max;
  };
}

/**
 * The same for a Server-Sent Events stream: the bytes of one event (up to its blank line) may not pass `max`.
 * A long-lived stream of small events is fine.
 */
export function sseEventLimit(max: number): (chunk: Uint8Array) => boolean {
  let event = 0;
  let prev = 0; // last byte seen, with a CR before LF folded into the LF
  return (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === CR) continue;
      if (b === NL && prev === NL) event = 0;
      else if (++event > max) return true;
      prev = b;
    }
    return false;
  };
}

/**
 * The SDK's stdio client transport, with a ceiling on the size of one message from the spawned server. A server
 * that sends a larger one (a runaway tool, a file read whole) is cut off: its output is no longer read, the
 * partial message is dropped, the process is sent SIGTERM, and `onOversize` is told — the connection closes and
 * calls in flight fail instead of the gateway buffering without bound.
 */
export class LimitedStdioClientTransport extends StdioClientTransport {
  constructor(
    params: StdioServerParameters,
    private readonly maxBytes: number,
    private readonly onOversize: () => void,
  ) {
    super(params);
  }

  override async start(): Promise<void> {
    await super.start();
    // The SDK keeps the child's stdout to itself; the ceiling needs to see it. If a release renames the field, fail
    // loudly here rather than run without the limit (a test covers the limit).
    const stdout = (this as unknown as { _process?: { stdout?: Readable | null } })._process?.stdout;
    if (!stdout) {
      await this.close();
      throw new Error('cannot watch the upstream output (the MCP SDK stdio transport changed): refusing to run without max_message_bytes');
    }
    const over = lineLimit(this.maxBytes);
    // First in line, so that a chunk which crosses the ceiling is never delivered as a message.
    stdout.prependListener('data', (chunk: Buffer) => {
      if (!over(chunk)) return;
      this.onmessage = undefined;
      stdout.destroy();
      const pid = this.pid;
      if (pid !== null) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      this.onOversize();
    });
  }
}

/**
 * A fetch for the SDK's Streamable HTTP client transport with the same ceiling: a JSON response body, or one event
 * of an event stream, larger than `maxBytes` errors the body and calls `onOversize`.
 */
export function limitedFetch(maxBytes: number, onOversize: () => void, base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const res = await base(url, init);
    if (!res.body) return res;
    const over = (res.headers.get('content-type') ?? '').includes('text/event-stream') ? sseEventLimit(maxBytes) : totalLimit(maxBytes);
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctrl) {
          if (over(chunk)) {
            onOversize();
            ctrl.error(new Error(`the upstream sent a message over ${maxBytes} bytes`));
            return;
          }
          ctrl.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

function totalLimit(max: number): (chunk: Uint8Array) => boolean {
  let total = 0;
  return (chunk) => (total += chunk.length) > max;
}
