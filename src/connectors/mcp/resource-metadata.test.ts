import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { resourceMetadata } from './resource-metadata.js';

const req = (host: string | undefined, encrypted = false) => ({ headers: host === undefined ? {} : { host }, socket: { encrypted } }) as unknown as IncomingMessage;

test('resource metadata: the request host, or server.public_url, makes the resource and the challenge', () => {
  const rm = resourceMetadata({ issuer: 'https://idp.example.com', mcpPath: '/mcp' });
  assert.deepEqual([...rm.paths], ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']);
  assert.deepEqual(rm.document(req('gw.internal:8080')), {
    resource: 'http://gw.internal:8080/mcp', authorization_servers: ['https://idp.example.com'], bearer_methods_supported: ['header'], resource_name: 'Countersign MCP gateway',
  });
  assert.equal(rm.challenge(req('gw.internal:8080', true)), 'Bearer resource_metadata="https://gw.internal:8080/.well-known/oauth-protected-resource/mcp"');
  assert.equal(rm.challenge(req('[::1]:8080')), 'Bearer resource_metadata="http://[::1]:8080/.well-known/oauth-protected-resource/mcp"');

  const behindProxy = resourceMetadata({ issuer: 'https://idp.example.com', mcpPath: '/agents/mcp/', publicUrl: 'https://gateway.example.com/' });
  assert.equal(behindProxy.document(req('10.0.0.5:8080')).resource, 'https://gateway.example.com/agents/mcp');
  assert.equal(behindProxy.challenge(req('10.0.0.5:8080')), 'Bearer resource_metadata="https://gateway.example.com/.well-known/oauth-protected-resource/agents/mcp"');
});

test('resource metadata: a Host that is no host[:port] is never echoed', () => {
  const rm = resourceMetadata({ issuer: 'https://idp.example.com', mcpPath: '/mcp' });
  for (const host of ['evil.com"/><x', 'a b', 'evil.com/path', 'evil.com:80:80', '', undefined]) {
    assert.equal(rm.challenge(req(host)), 'Bearer resource_metadata="http://localhost/.well-known/oauth-protected-resource/mcp"', String(host));
  }
});
