// Contract: every answer of the HTTP API is one openapi.yaml documents for that path and method — its status, a body
// of the documented shape, an error code the documented response names (with that HTTP status in the catalog), the
// headers it declares — and every 401 says how to authenticate (WWW-Authenticate, RFC 6750 §3).
// The /v1 API is driven in-process with real OIDC people and a real agent key; /mcp and the HTTP server's own
// refusals on a real port. Each route's credential, body, id and method cases are made from openapi.yaml itself;
// a route's own error paths are one line each in ROUTE_ROWS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { ERRORS, type ErrorCode } from '../../src/core/errors.js';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { deleteAction, startKernel } from './support.js';
import { METHODS, deref, errorCodes, listedMethods, loadSpec, mismatch, operationResponses, resolveResponse, type ResponseDoc, type Spec } from './openapi-spec.js';

const spec = loadSpec();
type Kernel = Awaited<ReturnType<typeof startKernel>>;
type Who = keyof Kernel['tokens'] | null;

/** One request and what it must get. `{id}` in `op` is filled with the fixture `id` names (default: the agent's request). */
interface Row {
  /** `METHOD /path`, the path as openapi.yaml spells it (or one it does not list). */
  op: string;
  who: Who;
  expect: number;
  code?: ErrorCode;
  id?: 'agents' | 'alices' | 'unknown';
  query?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Sent with the gateway's clock this many ms ahead (put back after). */
  later?: number;
  why?: string;
}

const UNKNOWN_KEY = `cs_nosuchkey01_${'A'.repeat(43)}`;
const BIG = JSON.stringify({ reason: 'x'.repeat(5000) }); // server.body_limit is 4096 in the kernel config
const read = { resource: 'prod-db', kind: 'read', summary: 'read users' };

/** The cases every route gets, made from openapi.yaml: a new route or a new body is covered without a new line. */
function fromSpec(s: Spec): Row[] {
  const rows: Row[] = [];
  for (const [path, item] of Object.entries(s.paths)) {
    if (!path.startsWith('/v1/') && path !== '/healthz' && path !== '/metrics') continue; // the others: PORT_ROWS
    const v1 = path.startsWith('/v1/');
    for (const m of METHODS.filter((x) => item[x])) {
      const op = `${m.toUpperCase()} ${path}`;
      if (v1) {
        rows.push(
          { op, who: null, expect: 401, code: 'AUTH_REQUIRED', why: 'no credential' },
          { op, who: null, headers: { authorization: `Bearer ${UNKNOWN_KEY}` }, expect: 401, code: 'AUTH_INVALID', why: 'an unknown API key' },
          { op, who: null, headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' }, expect: 401, code: 'AUTH_INVALID', why: 'another scheme than Bearer' },
          { op, who: 'alice', later: 2 * 3600_000, expect: 401, code: 'AUTH_EXPIRED', why: 'an expired OIDC token' },
        );
      }
      if (path.includes('{id}')) {
        rows.push(
          { op, who: 'alice', id: 'unknown', expect: 404, code: 'REQUEST_NOT_FOUND', why: 'an unknown id' },
          { op, who: 'agent', id: 'alices', expect: 404, code: 'REQUEST_NOT_FOUND', why: "another principal's request, for an agent" },
        );
      }
      if (item[m]!.requestBody) {
        rows.push(
          { op, who: 'alice', raw: '{"reason": ', expect: 400, code: 'BAD_JSON', why: 'a body that is no JSON' },
          { op, who: 'alice', body: { unexpected: true }, expect: 400, code: 'BAD_REQUEST', why: 'a body of the wrong shape' },
          { op, who: 'alice', raw: BIG, headers: { 'content-length': String(Buffer.byteLength(BIG)) }, expect: 413, code: 'BODY_TOO_LARGE', why: 'a body over the limit, by its Content-Length' },
          { op, who: 'alice', raw: BIG, expect: 413, code: 'BODY_TOO_LARGE', why: 'a body over the limit, without Content-Length' },
        );
      }
    }
    const other = METHODS.find((x) => !item[x])!.toUpperCase();
    rows.push({ op: `${other} ${path}`, who: v1 ? 'alice' : null, expect: 405, code: 'METHOD_NOT_ALLOWED', why: 'a method the path does not take' });
    if (v1) rows.push({ op: `${other} ${path}`, who: null, expect: 401, code: 'AUTH_REQUIRED', why: 'a method the path does not take, no credential' });
  }
  return rows;
}

/** Each route's own error paths, in order (a row may set up the next: a vote, a cancel, a waiting request). */
const ROUTE_ROWS: Row[] = [
  { op: 'GET /healthz', who: null, expect: 200 },
  { op: 'POST /v1/actions', who: 'agent', body: read, expect: 200 },
  { op: 'POST /v1/actions', who: 'agent', body: { ...read, kind: 'ddl' }, expect: 403, code: 'POLICY_DENIED' },
  { op: 'POST /v1/actions', who: 'agent', body: { ...read, resource: 'no-such-db' }, expect: 404, code: 'UNKNOWN_RESOURCE' },
  { op: 'POST /v1/actions', who: 'agent', body: { ...read, kind: 'unmask' }, expect: 400, code: 'BAD_REQUEST', why: 'an unmask asked for here' },
  { op: 'POST /v1/actions', who: 'agent', body: { ...read, connector: 'mcp' }, expect: 400, code: 'BAD_REQUEST', why: 'posing as another connector' },
  { op: 'POST /v1/actions', who: 'agent', body: read, headers: { 'x-countersign-key': UNKNOWN_KEY }, expect: 401, code: 'AUTH_INVALID', why: 'two credential headers that disagree' },
  { op: 'POST /v1/actions', who: 'agent', body: deleteAction(3), expect: 202, why: "the agent's second waiting request" },
  { op: 'POST /v1/actions', who: 'agent', body: deleteAction(4), expect: 429, code: 'TOO_MANY_PENDING', why: 'a third, past max_pending_per_principal' },
  { op: 'POST /v1/actions/outcome', who: 'agent', body: { actionDigest: '0'.repeat(64), resource: 'prod-db', status: 'succeeded' }, expect: 404, code: 'NOT_FOUND' },
  { op: 'GET /v1/requests', who: 'agent', expect: 200 },
  { op: 'GET /v1/requests', who: 'alice', query: 'status=bogus', expect: 400, code: 'BAD_REQUEST' },
  { op: 'GET /v1/requests', who: 'alice', query: 'limit=ten', expect: 400, code: 'BAD_REQUEST' },
  { op: 'GET /v1/requests/{id}', who: 'agent', expect: 200 },
  { op: 'GET /v1/requests/{id}/wait', who: 'agent', query: 'timeout=0', expect: 200 },
  { op: 'GET /v1/requests/{id}/wait', who: 'agent', query: 'timeout=soon', expect: 400, code: 'BAD_REQUEST' },
  { op: 'POST /v1/requests/{id}/approve', who: 'agent', expect: 403, code: 'SELF_APPROVAL', why: 'the requester' },
  { op: 'POST /v1/requests/{id}/approve', who: 'alice', expect: 403, code: 'SELF_APPROVAL', why: 'the human the agent acts for' },
  { op: 'POST /v1/requests/{id}/approve', who: 'carol', expect: 403, code: 'NOT_AN_APPROVER' },
  { op: 'POST /v1/requests/{id}/approve', who: 'bob', body: { reason: 7 }, expect: 400, code: 'BAD_REQUEST', why: 'a reason that is no string' },
  { op: 'POST /v1/requests/{id}/approve', who: 'bob', expect: 200, why: 'one of two approvals' },
  { op: 'POST /v1/requests/{id}/approve', who: 'bob', expect: 409, code: 'ALREADY_VOTED' },
  { op: 'POST /v1/requests/{id}/deny', who: 'dave', id: 'alices', expect: 400, code: 'REASON_REQUIRED' },
  { op: 'POST /v1/requests/{id}/cancel', who: 'bob', id: 'alices', expect: 403, code: 'FORBIDDEN', why: 'a person who is not the requester' },
  { op: 'POST /v1/requests/{id}/cancel', who: 'alice', id: 'alices', expect: 200 },
  { op: 'POST /v1/requests/{id}/cancel', who: 'alice', id: 'alices', expect: 409, code: 'REQUEST_FINISHED' },
  { op: 'POST /v1/requests/{id}/deny', who: 'dave', id: 'alices', body: { reason: 'too late' }, expect: 409, code: 'REQUEST_FINISHED' },
  { op: 'POST /v1/unmask', who: 'agent', body: { scope: 'agent:etl', token: `tok_${'A'.repeat(22)}` }, expect: 404, code: 'TOKEN_UNKNOWN' },
  { op: 'POST /v1/unmask', who: 'agent', body: { scope: 'agent:etl' }, expect: 400, code: 'BAD_REQUEST', why: 'no token' },
  { op: 'GET /v1/audit', who: 'alice', expect: 200 },
  { op: 'GET /v1/audit', who: 'alice', query: 'after=x', expect: 400, code: 'BAD_REQUEST' },
  { op: 'GET /v1/audit', who: 'agent', expect: 403, code: 'FORBIDDEN' },
  { op: 'GET /v1/no-such-route', who: 'alice', expect: 404, code: 'NOT_FOUND' },
  { op: 'GET /v1/no-such-route', who: null, expect: 401, code: 'AUTH_REQUIRED' },
];

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
const MCP = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** Requests only a real port answers: /mcp (a plain Node handler), the metadata document, the HTTP server's refusals. */
const PORT_ROWS: Array<Omit<Row, 'id' | 'later'> & { session?: boolean }> = [
  { op: 'POST /mcp', who: null, raw: INIT, headers: MCP, expect: 401, why: 'no credential' },
  { op: 'POST /mcp', who: null, raw: INIT, headers: { ...MCP, authorization: `Bearer ${UNKNOWN_KEY}` }, expect: 401, why: 'an unknown API key' },
  { op: 'POST /mcp', who: 'agent', raw: '{"jsonrpc": ', headers: MCP, expect: 400, why: 'a body that is no JSON' },
  { op: 'POST /mcp', who: 'agent', raw: INIT, headers: { ...MCP, 'content-type': 'text/plain' }, expect: 415 },
  { op: 'POST /mcp', who: 'agent', raw: INIT, headers: { ...MCP, accept: 'application/json' }, expect: 406 },
  { op: 'POST /mcp', who: 'agent', raw: INIT, headers: { ...MCP, 'mcp-session-id': 'no-such-session' }, expect: 404 },
  { op: 'POST /mcp', who: 'agent', raw: JSON.stringify({ pad: 'x'.repeat(4 * 1024 * 1024) }), headers: MCP, expect: 413, why: 'over mcp.max_message_bytes' },
  { op: 'POST /mcp', who: 'alice', raw: INIT, headers: MCP, session: true, expect: 403, why: "the agent's session" },
  { op: 'GET /mcp', who: 'agent', expect: 400, why: 'no session' },
  { op: 'GET /mcp', who: 'agent', headers: { accept: 'application/json' }, session: true, expect: 406 },
  { op: 'DELETE /mcp', who: 'agent', headers: { 'mcp-session-id': 'no-such-session' }, expect: 404 },
  { op: 'PUT /mcp', who: 'agent', expect: 405 },
  { op: 'GET /.well-known/oauth-protected-resource/mcp', who: null, expect: 200 },
  { op: 'POST /.well-known/oauth-protected-resource/mcp', who: null, expect: 404, code: 'NOT_FOUND' },
  { op: 'GET /healthz', who: null, headers: { 'x-filler': 'a'.repeat(17 * 1024) }, expect: 431, code: 'HEADERS_TOO_LARGE' },
];

/** The responses that may answer `method path`: its operation's, or the file's answers for unlisted operations. */
function documented(method: string, path: string): Record<string, ResponseDoc> {
  const own = operationResponses(spec, method, path);
  return own ?? Object.fromEntries(Object.entries(spec['x-unlisted-operations'].responses).map(([s, r]) => [s, resolveResponse(spec, r)]));
}

/** Everything a row's answer must agree with in openapi.yaml. */
function checkAnswer(method: string, path: string, res: { status: number; headers: Headers; json: any }, row: { expect: number; code?: string }) {
  const label = `${method} ${path} → ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`;
  assert.equal(res.status, row.expect, label);
  if (row.code) assert.equal(res.json?.error?.code, row.code, label);
  const doc = documented(method, path)[String(res.status)] ?? resolveAny(res.status);
  assert.ok(doc, `${label}: openapi.yaml does not document ${res.status} for ${method} ${path}`);
  const schema = doc.content?.['application/json']?.schema;
  if (schema && /json/.test(res.headers.get('content-type') ?? '')) {
    assert.equal(mismatch(spec, res.json, schema), null, `${label}: the body is not of the documented shape`);
  }
  if (res.status >= 400 && typeof res.json?.error?.code === 'string') {
    const code = res.json.error.code as ErrorCode;
    assert.ok(errorCodes(spec, schema).includes(code), `${label}: ${code} is not among the codes documented for ${res.status}`);
    assert.equal(ERRORS[code].status, res.status, `${label}: the catalog gives ${code} another status`);
  }
  for (const [name, h] of Object.entries(doc.headers ?? {})) {
    const header = h.$ref ? deref<{ required?: boolean }>(spec, h.$ref) : h;
    if (header.required) assert.ok(res.headers.get(name), `${label}: no ${name} header`);
  }
  if (res.status === 401) {
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (path === '/mcp') assert.match(challenge, /^Bearer\b/, label);
    else if (res.json.error.code === 'AUTH_REQUIRED') assert.equal(challenge, 'Bearer realm="countersign"', label);
    else assert.match(challenge, /^Bearer realm="countersign", error="invalid_token", error_description="[^"\\]+"$/, label);
  }
  if (res.status === 405) {
    const allow = (res.headers.get('allow') ?? '').split(',').map((x) => x.trim()).sort();
    assert.deepEqual(allow, listedMethods(spec, path).sort(), `${label}: Allow is not the methods openapi.yaml lists`);
  }
}

/** A status any request may get before routing (x-any-request). */
function resolveAny(status: number): ResponseDoc | undefined {
  const r = spec['x-any-request'].responses[String(status)];
  return r && resolveResponse(spec, r);
}

const name = (r: { op: string; why?: string; expect: number; code?: string; who: Who }) => `${r.op}${r.why ? ` (${r.why})` : ''} as ${r.who ?? 'nobody'} → ${r.expect}${r.code ? ` ${r.code}` : ''}`;

describe('openapi.yaml documents every status the API answers', () => {
  let k: Kernel;
  let srv: RunningServer;
  const ids: Record<'agents' | 'alices' | 'unknown', string> = { agents: '', alices: '', unknown: 'req_does_not_exist' };
  let session = '';

  before(async () => {
    k = await startKernel({ maxPending: 2 });
    const held = async (who: Who, n: number) => {
      const r = await k.req('POST', '/v1/actions', who, deleteAction(n));
      assert.equal(r.status, 202);
      return r.json.requestId as string;
    };
    ids.agents = await held('agent', 1);
    ids.alices = await held('alice', 2);
    srv = await startServer(k.rt, { port: 0, host: '127.0.0.1' });
    const init = await fetch(`${srv.url}/mcp`, { method: 'POST', headers: { ...MCP, authorization: `Bearer ${k.tokens.agent}` }, body: INIT });
    assert.equal(init.status, 200);
    session = init.headers.get('mcp-session-id')!;
    await init.body?.cancel();
  });
  after(async () => {
    await srv?.close();
    await k?.close();
  });

  for (const row of [...fromSpec(spec), ...ROUTE_ROWS]) {
    it(name(row), async () => {
      const [method, path] = row.op.split(' ') as [string, string];
      const url = path.replace('{id}', ids[row.id ?? 'agents']) + (row.query ? `?${row.query}` : '');
      const saved = k.clock.now();
      if (row.later) k.clock.advance(row.later);
      try {
        checkAnswer(method, path, await k.req(method, url, row.who, row.body, row.raw, row.headers), row);
      } finally {
        k.clock.set(saved);
      }
    });
  }

  for (const row of PORT_ROWS) {
    it(`${name(row)} (on a port)`, async () => {
      const [method, path] = row.op.split(' ') as [string, string];
      const headers: Record<string, string> = { ...(row.who ? { authorization: `Bearer ${k.tokens[row.who]}` } : {}), ...row.headers, ...(row.session ? { 'mcp-session-id': session } : {}) };
      const res = await fetch(srv.url + path, { method, headers, body: row.raw });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: a stream or a document of another type
      }
      checkAnswer(method, path, { status: res.status, headers: res.headers, json }, row);
    });
  }

  it('POST / as bytes that are no HTTP → 400 BAD_HTTP, as x-any-request documents', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(srv.url).port), '127.0.0.1');
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.write('THIS IS NOT HTTP\r\n\r\n');
    });
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    assert.match(head, /^HTTP\/1\.1 400 /);
    const headers = new Headers(head.split('\r\n').slice(1).map((l) => l.split(/:\s*/, 2) as [string, string]));
    checkAnswer('POST', '/', { status: 400, headers, json: JSON.parse(body) }, { expect: 400, code: 'BAD_HTTP' });
  });
});

describe('openapi.yaml: every error response is complete', () => {
  const operations = Object.entries(spec.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, responses: operationResponses(spec, m, path)! })));
  const extras = (['x-unlisted-operations', 'x-any-request'] as const).map((x) => ({ path: x, method: '', responses: Object.fromEntries(Object.entries(spec[x].responses).map(([s, r]) => [s, resolveResponse(spec, r)])) }));

  it('names error codes of its own status from the catalog (the /v1 shape), or is a JSON-RPC error (/mcp)', () => {
    for (const { path, method, responses } of [...operations, ...extras]) {
      for (const [status, doc] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        const where = `${method.toUpperCase()} ${path} ${status}`;
        const schema = doc.content?.['application/json']?.schema;
        assert.ok(schema, `${where}: no JSON schema`);
        if (path === '/mcp') {
          assert.deepEqual(schema, { $ref: '#/components/schemas/JsonRpcError' }, where);
          continue;
        }
        const codes = errorCodes(spec, schema);
        assert.ok(codes.length > 0, `${where}: names no error code`);
        for (const c of codes) assert.equal(ERRORS[c as ErrorCode]?.status, Number(status), `${where}: ${c} is not a ${status} in src/core/errors.ts`);
        if (status === '401') assert.ok(doc.headers?.['WWW-Authenticate'], `${where}: no WWW-Authenticate header`);
      }
    }
  });

  it('lists, on every /v1 operation, what authentication and the store can answer before the route runs', () => {
    for (const { path, method, responses } of operations.filter((o) => o.path.startsWith('/v1/'))) {
      for (const s of ['401', '500', '502', '503', '504']) assert.ok(responses[s], `${method.toUpperCase()} ${path} does not document ${s}`);
    }
  });
});
