// MCP authorization discovery (MCP 2025-06-18 "Authorization", RFC 9728): with OIDC configured, a client that gets
// 401 from the Streamable HTTP endpoint finds the protected resource metadata, and from it the identity provider
// the gateway trusts. Real gateway on a real port, real OIDC provider, the SDK's own discovery functions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { discoverAuthorizationServerMetadata, discoverOAuthProtectedResourceMetadata, extractResourceMetadataUrl } from '@modelcontextprotocol/sdk/client/auth.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { startKernel } from '../api/support.js';

describe('MCP over HTTP: OAuth protected resource metadata', () => {
  let k: Awaited<ReturnType<typeof startKernel>>;
  let srv: RunningServer;
  before(async () => {
    k = await startKernel();
    srv = await startServer(k.rt, { port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await srv.close();
    await k.close();
  });

  it('answers 401 with a WWW-Authenticate that points at the metadata, which names the identity provider', async () => {
    const res = await fetch(`${srv.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), `Bearer resource_metadata="${srv.url}/.well-known/oauth-protected-resource/mcp"`);
    assert.equal(extractResourceMetadataUrl(res)?.href, `${srv.url}/.well-known/oauth-protected-resource/mcp`);
    await res.body?.cancel();

    // What an MCP client does next: the metadata, then the authorization server's own.
    const meta = await discoverOAuthProtectedResourceMetadata(new URL(`${srv.url}/mcp`));
    assert.equal(meta.resource, `${srv.url}/mcp`);
    assert.deepEqual(meta.authorization_servers, [k.idp.issuer]);
    assert.deepEqual(meta.bearer_methods_supported, ['header']);
    const as = await discoverAuthorizationServerMetadata(new URL(meta.authorization_servers![0]!));
    assert.equal(as?.issuer, k.idp.issuer);
    assert.ok(as?.authorization_endpoint && as.token_endpoint);

    // A token presented and refused says so (RFC 6750 §3.1), still pointing at the metadata.
    const refused = await fetch(`${srv.url}/mcp`, { method: 'POST', headers: { authorization: 'Bearer cs_nope_nope', 'content-type': 'application/json' }, body: '{}' });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), `Bearer resource_metadata="${srv.url}/.well-known/oauth-protected-resource/mcp", error="invalid_token"`);
    await refused.body?.cancel();

    // The bare well-known path answers too; other well-known paths are not this document.
    assert.equal(((await (await fetch(`${srv.url}/.well-known/oauth-protected-resource`)).json()) as { resource: string }).resource, `${srv.url}/mcp`);
    assert.equal((await fetch(`${srv.url}/.well-known/oauth-protected-resource/other`)).status, 404);
    assert.equal((await fetch(`${srv.url}/.well-known/oauth-protected-resource/mcp`, { method: 'POST' })).status, 404);
  });

  it('takes a token from that provider on the endpoint', async () => {
    const c = new Client({ name: 'person', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${k.tokens.alice}` } } }));
    assert.ok(Array.isArray((await c.listTools()).tools));
    await c.close();
  });
});
