// Revocation and key auditing with real processes: `countersign keys create|revoke`, `countersign mcp` spawned by an
// MCP SDK client over stdio (as Claude Desktop does), `audit export|verify`, one SQLite file shared between them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { generateAuditKeyPair } from '../../src/audit/signing.js';
import { SqliteStore } from '../../src/store/sqlite.js';

const require = createRequire(import.meta.url);
const TSX = pathToFileURL(require.resolve('tsx')).href;
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const EVERYTHING_SERVER = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

describe('revocation reaches a running stdio session; key changes and stdio auth failures are audited', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-revoke-'));
  const config = join(dir, 'countersign.yaml');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    COUNTERSIGN_AUDIT_KEY: generateAuditKeyPair().privateKey,
    COUNTERSIGN_MASKING_KEY: randomBytes(32).toString('base64'),
  };
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    new Promise<Ran>((resolve) => {
      execFile(process.execPath, ['--import', TSX, CLI, ...args], { env: { ...env, ...extra }, timeout: 60_000 }, (e, stdout, stderr) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  let client: Client | undefined;

  before(async () => {
    // The store a gateway creates on its first start; `keys create` only uses an existing one.
    await new SqliteStore(join(dir, 'data', 'cs.db')).close();
    writeFileSync(
      config,
      `store: { driver: sqlite, path: ./data/cs.db }
mcp:
  upstreams:
    - { name: everything, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(EVERYTHING_SERVER)}, stdio] }
policy:
  rules:
    - { name: echo-needs-review, resource: everything, tool: echo, effect: review, review: { approvers: [approvers], timeout: 10m } }
    - { name: agents, principal: { groups: [agents] }, effect: allow }
`,
    );
  });
  after(async () => {
    await client?.close().catch(() => undefined);
  });

  it('a key revoked by `keys revoke` is refused on the next call of an open stdio session; every step is audited', async () => {
    const created = await cli(['keys', 'create', '-c', config, '--name', 'stdio-bot', '--type', 'agent', '--group', 'agents', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const { id, key } = JSON.parse(created.stdout) as { id: string; key: string };

    client = new Client({ name: 'revocation-test', version: '1.0.0' });
    const stderr: string[] = [];
    const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', TSX, CLI, 'mcp', '--config', config], env: { ...env, COUNTERSIGN_TOKEN: key }, stderr: 'pipe' });
    transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    await client.connect(transport);
    const ok = await client.callTool({ name: 'everything.get-sum', arguments: { a: 2, b: 3 } });
    assert.equal((ok.content as Array<{ text: string }>)[0].text, 'The sum of 2 and 3 is 5.');

    const revoked = await cli(['keys', 'revoke', '-c', config, id]);
    assert.equal(revoked.code, 0, revoked.stderr);

    // Same session, same process: the next call is refused, and so is every one after it.
    // A tool error the model can read (not a JSON-RPC "Internal error").
    for (let i = 0; i < 2; i++) {
      const r = (await client.callTool({ name: 'everything.get-sum', arguments: { a: 2, b: 3 } })) as { isError?: boolean; content: unknown; _meta?: Record<string, unknown> };
      assert.equal(r.isError, true);
      const msg = (r.content as Array<{ text: string }>)[0].text;
      assert.match(msg, new RegExp(`^Countersign refused this call: the API key "${id}" has been revoked.*no longer valid`));
      assert.ok(!msg.includes(key.slice(16)), 'never the secret');
      assert.equal(r._meta?.['countersign/error'], 'AUTH_INVALID');
    }
    // A resource read or a prompt is refused the same way: a readable JSON-RPC error, not "Internal error".
    await assert.rejects(client.readResource({ uri: 'demo://resource/static/document/architecture.md' }), (e: Error & { code?: number; data?: { code?: string } }) => {
      assert.equal(e.code, -32600, e.message);
      assert.match(e.message, new RegExp(`Countersign refused this call: the API key "${id}" has been revoked`));
      assert.equal(e.data?.code, 'AUTH_INVALID');
      return true;
    });
    // Nothing is listed either: a listing is no action, but the session's key is checked for it too.
    await assert.rejects(client.listTools(), (e: Error & { code?: number }) => {
      assert.equal(e.code, -32600);
      assert.match(e.message, new RegExp(`the API key "${id}" has been revoked: nothing is listed`));
      return true;
    });
    await client.close();
    client = undefined;

    // Starting again with the revoked key, or with garbage: refused at start (exit 1), and audited.
    const again = await cli(['mcp', '--config', config], { COUNTERSIGN_TOKEN: key });
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`AUTH_INVALID: the API key "${id}" has been revoked`));
    const garbage = await cli(['mcp', '--config', config], { COUNTERSIGN_TOKEN: 'cs_nope_' + 'x'.repeat(43) });
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /AUTH_INVALID: the API key is not valid/);

    const exported = await cli(['audit', 'export', '-c', config]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(!exported.stdout.includes(key.slice(16)), 'the key secret is never in the audit log');
    const events = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; code: string; body: Record<string, any> });
    const createdEv = events.find((e) => e.type === 'key.created');
    const revokedEv = events.find((e) => e.type === 'key.revoked');
    assert.equal(createdEv?.code, 'CS4001I');
    assert.equal(revokedEv?.code, 'CS4002W');
    for (const e of [createdEv!, revokedEv!]) {
      assert.match(e.body.principal.id, /^os:.+/, 'the operator (OS user) is the actor');
      assert.equal(e.body.principal.type, 'operator');
      assert.equal(e.body.data.keyId, id);
      assert.deepEqual(e.body.data.key, { id: 'agent:stdio-bot', type: 'agent', groups: ['agents'] });
      assert.equal(e.body.data.via, 'cli');
    }
    const failures = events.filter((e) => e.type === 'auth.failed');
    assert.deepEqual(
      failures.map((e) => [e.body.principal?.id ?? null, e.body.data.stage ?? e.body.data.transport, e.body.data.code]),
      [
        ['agent:stdio-bot', 'call', 'AUTH_INVALID'],
        ['agent:stdio-bot', 'call', 'AUTH_INVALID'],
        ['agent:stdio-bot', 'call', 'AUTH_INVALID'], // the resource read
        ['agent:stdio-bot', 'list', 'AUTH_INVALID'],
        [null, 'stdio', 'AUTH_INVALID'],
        [null, 'stdio', 'AUTH_INVALID'],
      ],
    );
    assert.equal(events.filter((e) => e.type === 'action.executed').length, 1, 'only the call before the revocation ran');

    const verified = await cli(['audit', 'verify', '-c', config]);
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /audit log intact/);
  });

  it('`keys revoke` cancels the pending approval requests made with that key: the held stdio call ends at once, saying why', async () => {
    const { id, key } = JSON.parse((await cli(['keys', 'create', '-c', config, '--name', 'held-bot', '--type', 'agent', '--group', 'agents', '--json'])).stdout) as { id: string; key: string };
    client = new Client({ name: 'revocation-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: ['--import', TSX, CLI, 'mcp', '--config', config], env: { ...env, COUNTERSIGN_TOKEN: key }, stderr: 'pipe' }));
    const held = client.callTool({ name: 'everything.echo', arguments: { message: 'hello' } }, undefined, { timeout: 60_000 });
    let requestId: string | undefined;
    for (let i = 0; i < 100 && !requestId; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const lines = (await cli(['audit', 'export', '-c', config])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; body: Record<string, any> });
      requestId = lines.find((e) => e.type === 'action.held' && e.body.principal?.id === 'agent:held-bot')?.body.requestId;
    }
    assert.ok(requestId, 'the call was held');
    const revoked = await cli(['keys', 'revoke', '-c', config, id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stderr, new RegExp(`Cancelled 1 pending approval request\\(s\\) made with this key: ${requestId}`));
    const r = (await held) as { isError?: boolean; content: Array<{ text: string }>; _meta?: Record<string, unknown> };
    assert.equal(r.isError, true);
    assert.equal(r._meta?.['countersign/error'], 'APPROVAL_CANCELLED');
    assert.match(r.content[0]!.text, new RegExp(`was cancelled by os:.+: the requester's API key ${id} was revoked`));
    await client.close();
    client = undefined;
    const events = (await cli(['audit', 'export', '-c', config])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; body: Record<string, any> });
    const cancelled = events.find((e) => e.type === 'approval.cancelled' && e.body.requestId === requestId);
    assert.match(cancelled?.body.decidedBy[0], /^os:/);
    assert.ok(!events.some((e) => e.type === 'action.executed' && e.body.requestId === requestId), 'the held call never ran');
  });

  it('keys list writes nothing to the audit log; revoking a key twice records one key.revoked', async () => {
    const before = (await cli(['audit', 'export', '-c', config])).stdout;
    assert.equal((await cli(['keys', 'list', '-c', config])).code, 0);
    assert.equal((await cli(['audit', 'export', '-c', config])).stdout, before);
    const { id } = JSON.parse((await cli(['keys', 'create', '-c', config, '--name', 'twice', '--type', 'service', '--json'])).stdout) as { id: string };
    assert.equal((await cli(['keys', 'revoke', '-c', config, id])).code, 0);
    assert.equal((await cli(['keys', 'revoke', '-c', config, id])).code, 0);
    const events = (await cli(['audit', 'export', '-c', config])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; body: Record<string, any> });
    assert.equal(events.filter((e) => e.type === 'key.revoked' && e.body.data.keyId === id).length, 1);

    // An operator shell without the gateway's signing key records the event but signs nothing (no other key, no
    // development key file): the log still verifies with the gateway's key, the event in the unsigned tail.
    const noKey = await cli(['keys', 'create', '-c', config, '--name', 'unsigned', '--type', 'agent'], { COUNTERSIGN_AUDIT_KEY: '' });
    assert.equal(noKey.code, 0, noKey.stderr);
    assert.equal(existsSync(join(dir, 'data', 'audit-signing.key')), false);
    const v = await cli(['audit', 'verify', '-c', config]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /signatures verified\); 1 events after the last checkpoint/);
  });
});
