// `countersign mcp` in a real process stopped by a signal (the client's host quits, a supervisor stops it): a call
// waiting for approval is answered before the process exits, its request stays open, and the log records it all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { toolText } from './support/upstreams.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'mcp-cli.ts');

test('SIGTERM to `countersign mcp` answers a held call (GATEWAY_STOPPING), leaves its request pending and records the stop', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cs-mcp-signal-'));
  const store = join(dir, 'cs.db');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', fixture, 'mcp'],
    env: { ...(process.env as Record<string, string>), COUNTERSIGN_TOKEN: 'tok-1', EXPECTED_TOKEN: 'tok-1', DEMO_DIR: dir, STORE_PATH: store },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (b: Buffer) => (stderr += b));
  const client = new Client({ name: 'signal-test', version: '1.0.0' });
  try {
    await client.connect(transport);
    const call = client.callTool({ name: 'fs.write_file', arguments: { path: join(dir, 'held.txt'), content: 'x' } }, undefined, { timeout: 30_000 });
    const db = new Database(store, { readonly: true });
    let pending: { id: string }[] = [];
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      pending = db.prepare(`SELECT id FROM requests WHERE status = 'pending'`).all() as { id: string }[];
    }
    assert.equal(pending.length, 1, 'the call is held');
    process.kill(transport.pid!, 'SIGTERM');
    const r = await call;
    assert.equal(r.isError, true);
    assert.equal(toolText(r), `Countersign is shutting down; this call was not run. Approval request ${pending[0]!.id} stays open: send the same call again to wait on it.`);
    // The process exits on its own, having recorded what happened.
    for (let i = 0; i < 200 && transport.pid !== null && isAlive(transport.pid!); i++) await new Promise((r) => setTimeout(r, 25));
    assert.match(stderr, /countersign mcp: SIGTERM: shutting down/);
    const status = (db.prepare('SELECT status FROM requests WHERE id = ?').get(pending[0]!.id) as { status: string }).status;
    assert.equal(status, 'pending');
    const types = (db.prepare('SELECT type, body FROM audit_events ORDER BY seq').all() as { type: string; body: string }[]);
    const cancelled = types.find((e) => e.type === 'mcp.call_cancelled');
    assert.equal((JSON.parse(cancelled!.body) as { data: { stage: string } }).data.stage, 'GATEWAY_STOPPING');
    const closedEv = types.find((e) => e.type === 'mcp.session_closed');
    assert.equal((JSON.parse(closedEv!.body) as { data: { reason: string } }).data.reason, 'gateway_stopped');
    assert.ok(!types.some((e) => e.type === 'approval.cancelled'));
    db.close();
  } finally {
    await client.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
