// Client side of an MCP stdio connection over in-process streams, with the SDK's own stdio codec (ReadBuffer,
// serializeMessage). Lets the official SDK Client talk to StreamServerTransport without spawning a process.
import { PassThrough } from 'node:stream';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export function streamPair(): { client: StreamClientTransport; serverInput: PassThrough; serverOutput: PassThrough } {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  return { client: new StreamClientTransport(toClient, toServer), serverInput: toServer, serverOutput: toClient };
}

export class StreamClientTransport implements Transport {
  onclose?: () => void;
  onerror?: (e: Error) => void;
  onmessage?: (m: JSONRPCMessage) => void;
  private buf = new ReadBuffer();
  constructor(
    private readonly input: PassThrough,
    readonly output: PassThrough,
  ) {}
  async start(): Promise<void> {
    this.input.on('data', (chunk: Buffer) => {
      this.buf.append(chunk);
      for (;;) {
        let m: JSONRPCMessage | null;
        try {
          m = this.buf.readMessage();
        } catch (e) {
          this.onerror?.(e as Error);
          continue;
        }
        if (!m) break;
        this.onmessage?.(m);
      }
    });
  }
  async send(m: JSONRPCMessage): Promise<void> {
    this.output.write(serializeMessage(m));
  }
  /** The client goes away: its end of the pipe closes, as when a stdio client process exits. */
  async close(): Promise<void> {
    this.output.end();
    this.onclose?.();
  }
}
