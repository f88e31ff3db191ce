// The MCP Inspector CLI (@modelcontextprotocol/inspector-cli 1.0.3: the newest that runs on Node 20; the current
// @modelcontextprotocol/inspector needs Node >= 22.7.5 / 22.19) lists and calls tools through the gateway, over
// Streamable HTTP and over stdio (`countersign mcp` in a real process).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { realWorld } from './support/world.js';

const require = createRequire(import.meta.url);
const INSPECTOR = require.resolve('@modelcontextprotocol/inspector-cli/build/index.js');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const CLI_FIXTURE = fileURLToPath(new URL('./fixtures/mcp-cli.ts', import.meta.url));
const run = promisify(execFile);

// The Inspector passes its own environment to the server it spawns (that is how COUNTERSIGN_TOKEN reaches it).
// Inspector CLI 1.0.3 reads its own package.json relative to the working directory: run it from its build folder.
async function inspector(args: string[], env: Record<string, string> = {}): Promise<unknown> {
  const { stdout } = await run(process.execPath, [INSPECTOR, ...args], { cwd: dirname(INSPECTOR), env: { ...process.env, ...env }, timeout: 30_000 });
  return JSON.parse(stdout);
}

describe('MCP Inspector CLI through the gateway', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((await realWorld(TEST_POLICY)).gateway);
  });
  after(() => h.close());

  it('lists and calls tools over Streamable HTTP', async () => {
    const http = [h.url.href, '--transport', 'http', '--header', `Authorization: Bearer ${h.tokens.agent}`];
    const list = (await inspector([...http, '--method', 'tools/list'])) as { tools: Array<{ name: string }> };
    assert.ok(list.tools.some((t) => t.name === 'everything.get-sum'));
    assert.ok(!list.tools.some((t) => t.name === 'everything.get-env'));
    const call = (await inspector([...http, '--method', 'tools/call', '--tool-name', 'everything.get-sum', '--tool-arg', 'a=4', 'b=5'])) as {
      content: Array<{ text: string }>;
    };
    assert.equal(call.content[0].text, 'The sum of 4 and 5 is 9.');
  });

  it('lists and calls tools over stdio, spawning countersign mcp', async () => {
    const env = { COUNTERSIGN_TOKEN: 'inspector-token-0123456789', EXPECTED_TOKEN: 'inspector-token-0123456789', DEMO_DIR: h.demoDir };
    const stdio = [process.execPath, '--import', TSX, CLI_FIXTURE, 'mcp'];
    const list = (await inspector([...stdio, '--method', 'tools/list'], env)) as { tools: Array<{ name: string }> };
    assert.ok(list.tools.some((t) => t.name === 'fs.read_text_file'));
    assert.ok(!list.tools.some((t) => t.name === 'fs.move_file'));
    const call = (await inspector([...stdio, '--method', 'tools/call', '--tool-name', 'fs.read_text_file', '--tool-arg', `path=${join(h.demoDir, 'contacts.txt')}`], env)) as {
      content: Array<{ text: string }>;
    };
    assert.match(call.content[0].text, /about the launch/);
    assert.doesNotMatch(call.content[0].text, /alice\.smith@example\.com/);
  });
});
