// A person's agent on Streamable HTTP authenticated by OIDC: the client renews its token and goes on in the same
// session. Real provider (oidc-provider), real tokens, the gateway's own authenticator re-checking the principal
// before each action as `countersign serve` does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Authenticator } from '../../src/core/identity.js';
import { createAuthenticator, identityConfigSchema, MemoryKeyStore, principalFromRequest } from '../../src/identity/index.js';
import { startOidcProvider, type RunningOidcProvider } from '../support/oidc.js';
import { startHarness, TEST_POLICY, type Harness } from './support/harness.js';
import { realWorld } from './support/world.js';

const text = (r: Awaited<ReturnType<Client['callTool']>>) => (r.content as { type: string; text: string }[])[0]?.text;

describe('MCP gateway: OIDC sessions over Streamable HTTP', () => {
  let idp: RunningOidcProvider;
  let auth: Authenticator;
  let world: Awaited<ReturnType<typeof realWorld>>;
  let h: Harness;
  let http: Server;
  let url: URL;

  before(async () => {
    idp = await startOidcProvider({ accounts: { dana: { email: 'dana@example.com', groups: ['agents'] }, erin: { email: 'erin@example.com', groups: ['agents'] } } });
    const config = identityConfigSchema.parse({ oidc: { ...idp.oidcConfig, clock_tolerance: 0 } });
    world = await realWorld(TEST_POLICY, { credentials: (clock) => (auth = createAuthenticator({ config, keys: new MemoryKeyStore(), clock })) as Required<Pick<Authenticator, 'stillValid'>> });
    h = await startHarness(world.gateway);
    const handler = h.mcp.httpHandler({ authenticate: (req) => principalFromRequest(auth, req.headers) });
    http = createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  });
  after(async () => {
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    await h.close();
    await world.close();
    await idp.stop();
  });

  /** A client whose bearer is whatever `bearer.token` holds at each request (a client that renews its token). */
  async function connect(bearer: { token: string }): Promise<Client> {
    const c = new Client({ name: 'oidc-agent', version: '1.0.0' });
    const withBearer: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${bearer.token}`);
      return fetch(input, { ...init, headers });
    };
    await c.connect(new StreamableHTTPClientTransport(url, { fetch: withBearer }));
    return c;
  }

  it('keeps a session working after the client renews its token, and refuses the expired one', async () => {
    const bearer = { token: await idp.tokenFor('dana', { ttl: 60 }) };
    const c = await connect(bearer);
    assert.equal(text(await c.callTool({ name: 'everything.echo', arguments: { message: 'first token' } })), 'Echo: first token');

    world.advance(120_000); // the first token expired a minute ago
    await assert.rejects(c.callTool({ name: 'everything.echo', arguments: { message: 'expired' } }), /401|expired/i);

    bearer.token = await idp.tokenFor('dana', { ttl: 3600 });
    const seen = world.events.length;
    const r = await c.callTool({ name: 'everything.echo', arguments: { message: 'renewed token' } });
    assert.equal(r.isError, undefined, JSON.stringify(r.content));
    assert.equal(text(r), 'Echo: renewed token');
    assert.ok((await c.listTools()).tools.some((t) => t.name === 'everything.echo'));
    const after = world.events.slice(seen);
    assert.ok(after.some((e) => e.type === 'action.executed' && e.principal?.id === 'dana@example.com'));
    assert.deepEqual(after.filter((e) => e.type === 'auth.failed' || e.type === 'action.failed').map((e) => e.data), [], 'nothing of the renewed session was refused');

    // Once the renewed token has expired too, the session stops.
    world.advance(3_600_000);
    await assert.rejects(c.callTool({ name: 'everything.echo', arguments: { message: 'too late' } }), /401|expired/i);
    await c.close();
  });

  it('does not let another person’s token continue the session', async () => {
    const bearer = { token: await idp.tokenFor('dana', { ttl: 86_400 }) };
    const c = await connect(bearer);
    assert.equal(text(await c.callTool({ name: 'everything.echo', arguments: { message: 'dana' } })), 'Echo: dana');
    bearer.token = await idp.tokenFor('erin', { ttl: 86_400 });
    await assert.rejects(c.callTool({ name: 'everything.echo', arguments: { message: 'erin' } }), /403|another principal/);
    await c.close().catch(() => undefined);
  });
});
