import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

const NEWLINE = 0x0a;

/** What a JSON-RPC batch gets on every transport (JSON-RPC -32600). */
export const BATCH_REFUSED = 'Invalid Request: JSON-RPC batches are not supported (MCP removed them in protocol 2025-06-18); send one message at a time';

/** What JSON that is no JSON-RPC 2.0 message gets on every transport (JSON-RPC -32600, with its id when it has one). */
export const NOT_JSON_RPC = 'Invalid Request: not a JSON-RPC 2.0 message';

/** A JSON-RPC error answered by the transport itself (the message never reached the server). */
export function protocolError(id: string | number | null, code: number, message: string): JSONRPCMessage {
  // JSON-RPC 2.0: the id is null when it could not be read from the request.
  return { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
}

/**
 * Incremental splitter for newline-delimited JSON-RPC (MCP stdio framing): keeps a list of chunks and their total
 * size, yields whole lines, keeps the tail. A line longer than `maxBytes` is dropped as it streams in (memory stays
 * bounded) and reported once. Parse and shape errors are values, not exceptions.
 *
 * @example
 * const p = new LineParser(1024);
 * p.push(Buffer.from('{"jsonrpc":"2.0","method":"ping","id":1}\n{"js')); // [{ kind: 'message', ... }]
 */
export class LineParser {
  private chunks: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): ParsedLine[] {
    const out: ParsedLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.skipping) {
        this.size += end - start;
        if (this.size > this.maxBytes) {
          this.skipping = true;
          this.chunks = [];
          this.size = 0;
          out.push({ kind: 'too_large' });
        } else if (end > start) this.chunks.push(chunk.subarray(start, end));
      }
      if (nl === -1) break;
      if (!this.skipping) {
        const line = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
        this.chunks = [];
        this.size = 0;
        const parsed = parseLine(line.toString('utf8').replace(/\r$/, ''));
        if (parsed) out.push(parsed);
      }
      this.skipping = false;
      start = nl + 1;
    }
    return out;
  }
}

export type ParsedLine =
  | { kind: 'message'; message: JSONRPCMessage }
  | { kind: 'too_large' }
  | { kind: 'parse_error' }
  | { kind: 'batch' }
  | { kind: 'invalid'; id: string | number | null };

function parseLine(line: string): ParsedLine | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'parse_error' };
  }
  if (Array.isArray(value)) return { kind: 'batch' };
  const r = JSONRPCMessageSchema.safeParse(value);
  if (r.success) return { kind: 'message', message: r.data };
  const id = value && typeof value === 'object' && !Array.isArray(value) ? (value as { id?: unknown }).id : undefined;
  return { kind: 'invalid', id: typeof id === 'string' || typeof id === 'number' ? id : null };
}

/**
 * MCP server transport over a pair of streams (the process's stdin/stdout for `countersign mcp`), with a message
 * size limit. Unlike the SDK's stdio transport it answers malformed input with JSON-RPC errors and keeps going:
 * parse error (-32700), not a JSON-RPC message or a batch (-32600), message too large (-32600).
 *
 * @example
 * const t = new StreamServerTransport(process.stdin, process.stdout, { maxMessageBytes: 4 << 20 });
 * await server.connect(t);
 */
export class StreamServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly parser: LineParser;
  private closed = false;
  readonly maxMessageBytes: number;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    opts: { maxMessageBytes?: number } = {},
  ) {
    this.maxMessageBytes = opts.maxMessageBytes ?? 4 * 1024 * 1024;
    this.parser = new LineParser(this.maxMessageBytes);
  }

  private readonly ondata = (chunk: Buffer | string): void => {
    for (const p of this.parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) {
      if (p.kind === 'message') this.onmessage?.(p.message);
      else if (p.kind === 'parse_error') this.reply(protocolError(null, ErrorCode.ParseError, 'Parse error: the line is not valid JSON'));
      else if (p.kind === 'too_large') this.reply(protocolError(null, ErrorCode.InvalidRequest, `Message larger than ${this.maxMessageBytes} bytes (max_message_bytes)`));
      else if (p.kind === 'batch') this.reply(protocolError(null, ErrorCode.InvalidRequest, BATCH_REFUSED));
      else this.reply(protocolError(p.id, ErrorCode.InvalidRequest, NOT_JSON_RPC));
    }
  };

  private readonly onend = (): void => {
    void this.close();
  };

  private readonly onstreamerror = (e: Error): void => {
    this.onerror?.(e);
    void this.close();
  };

  async start(): Promise<void> {
    this.input.on('data', this.ondata);
    this.input.on('end', this.onend);
    this.input.on('close', this.onend);
    this.input.on('error', this.onstreamerror);
    this.output.on('error', this.onstreamerror);
  }

  private reply(message: JSONRPCMessage): void {
    void this.send(message).catch(() => undefined);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.output.write(JSON.stringify(message) + '\n')) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.ondata);
    this.input.off('end', this.onend);
    this.input.off('close', this.onend);
    this.input.off('error', this.onstreamerror);
    this.output.off('error', this.onstreamerror);
    this.onclose?.();
  }
}
