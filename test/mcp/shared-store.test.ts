// Two MCP gateways on one SQLite file (two `countersign mcp` processes, one per agent client, sharing the store): an
// identical held call on each joins one approval request, and a client going away from one gateway leaves the
// request to the call still waiting on the other.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { FS_SERVER, startHarness, TEST_POLICY } from './support/harness.js';
import { toolText } from './support/upstreams.js';
import { realWorld } from './support/world.js';

/** Start a held call; `requestId` resolves with the id the first progress notification announces. */
function heldCall(client: Client, args: Record<string, unknown>) {
  let announce!: (id: string) => void;
  const requestId = new Promise<string>((r) => (announce = r));
  const result = client.callTool({ name: 'fs.write_file', arguments: args }, undefined, {
    onprogress: (p) => {
      const m = /held for approval (\S+):/.exec(p.message ?? '');
      if (m) announce(m[1]!);
    },
    timeout: 30_000,
  });
  result.catch(() => undefined);
  return { requestId, result };
}

describe('MCP gateways sharing one store', () => {
  it('a client leaving one gateway keeps the request for the identical call waiting on the other, which runs once approved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-mcp-shared-'));
    const files = join(dir, 'files');
    await mkdir(files);
    const file = join(dir, 'countersign.db');
    const worlds = [await realWorld(TEST_POLICY, { storePath: file }), await realWorld(TEST_POLICY, { storePath: file })];
    const fs = { upstreams: [{ name: 'fs', command: process.execPath, args: [FS_SERVER, files], call_timeout: '20s' }] };
    const harnesses = [await startHarness(worlds[0]!.gateway, fs, { defaults: false }), await startHarness(worlds[1]!.gateway, fs, { defaults: false })];
    try {
      const [one, two] = [await harnesses[0]!.client('stdio'), await harnesses[1]!.client('http')];
      const args = { path: join(files, 'both.txt'), content: 'written once' };
      const first = heldCall(one, args);
      const id = await first.requestId;
      const second = heldCall(two, args);
      assert.equal(await second.requestId, id, 'the call on the other gateway joined the request');

      await one.close(); // the opener's client goes away
      const cancelled = () => worlds[0]!.events.some((e) => e.type === 'mcp.call_cancelled');
      for (let i = 0; i < 200 && !cancelled(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(cancelled(), 'the first gateway recorded its call as cancelled');
      assert.equal((await worlds[1]!.approvals.get(id)).state.status, 'pending', 'the request still waits for the other call');

      await worlds[1]!.approve(id);
      const r = await second.result;
      assert.equal(r.isError, undefined, toolText(r));
      assert.equal(await readFile(args.path, 'utf8'), 'written once');
      assert.equal((await worlds[0]!.approvals.get(id)).state.status, 'executed');
    } finally {
      for (const h of harnesses) await h.close();
      for (const w of worlds) await w.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
