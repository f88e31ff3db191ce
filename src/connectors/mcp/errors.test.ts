import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CountersignError, ERRORS, type ErrorCode as CsCode } from '../../core/errors.js';
import { createMasker } from '../../masking/index.js';
import { MCP_ERROR_MAP, logInternal, maskRefusal, maskUpstreamError, rpcError, toMcpError, toolErrorOrThrow } from './errors.js';

describe('MCP error mapping', () => {
  it('pins how every Countersign error reaches an MCP client', () => {
    const wire = (code: CsCode) => {
      try {
        const r = toolErrorOrThrow(new CountersignError(code, 'why'));
        return r.isError ? 'tool_error' : 'result';
      } catch (e) {
        assert.ok(e instanceof McpError);
        assert.deepEqual(e.data, { code });
        return e.code;
      }
    };
    for (const code of Object.keys(ERRORS) as CsCode[]) {
      const expected = (MCP_ERROR_MAP as Record<string, unknown>)[code] ?? ErrorCode.InternalError;
      assert.equal(wire(code), expected, code);
    }
  });

  it('tells the model who denied and why in one consistent sentence, never internals of unknown errors', () => {
    // The pipeline's shape: decidedBy is a list, the message quotes the reason as well.
    const denied = new CountersignError('APPROVAL_DENIED', 'denied by bob@example.com: not now', { decidedBy: ['bob@example.com'], requestId: 'req_1', reason: 'not now' });
    const text = (r: { content: unknown }) => (r.content as Array<{ text: string }>)[0]!.text;
    assert.equal(
      text(toolErrorOrThrow(denied)),
      'A human approver (bob@example.com) denied this call (approval request req_1); it was not run. Reason: not now. Do not retry it unchanged: change course, or ask the person you act for.',
    );
    assert.doesNotMatch(text(toolErrorOrThrow(denied)), /\(an approver\)|denied by/, 'who decided is said once');
    // One id as a string, two deciders, a reason ending in a full stop, no reason at all.
    assert.match(text(toolErrorOrThrow(new CountersignError('APPROVAL_DENIED', 'x', { decidedBy: 'bob@example.com', requestId: 'req_1', reason: 'not now.' }))), /\(bob@example\.com\) denied .* Reason: not now\. Do not/);
    assert.match(text(toolErrorOrThrow(new CountersignError('APPROVAL_DENIED', 'x', { decidedBy: ['a@x.io', 'b@x.io'], reason: 'no' }))), /^A human approver \(a@x\.io, b@x\.io\) denied this call; it was not run\. Reason: no\./);
    assert.match(text(toolErrorOrThrow(new CountersignError('APPROVAL_DENIED', 'denied by : secret 415-555-0172', {}))), /^A human approver denied this call; it was not run\. Reason: no reason given\./);
    assert.doesNotMatch(text(toolErrorOrThrow(new CountersignError('APPROVAL_DENIED', 'denied by : secret 415-555-0172', {}))), /415/, 'the message is never quoted');
    assert.throws(() => toolErrorOrThrow(new Error('db password is hunter2')), (e: unknown) => e instanceof McpError && !e.message.includes('hunter2'));
    // Too many requests waiting: the model is told not to retry now.
    assert.match(
      text(toolErrorOrThrow(new CountersignError('TOO_MANY_PENDING', 'agent:x already has 20 approval requests waiting'))),
      /^Countersign refused this call: agent:x already has 20 approval requests waiting\. Do not retry now: wait for your pending approval requests to be decided\.$/,
    );
  });

  it("masks an approver's reason before the model reads it, and leaves it out when masking fails", async () => {
    const masker = createMasker();
    const raw = 'not today, call Jonathan Whitaker at 415-555-0172 or jw@example.com';
    const denied = new CountersignError('APPROVAL_DENIED', `denied by bob@example.com: ${raw}`, { decidedBy: ['bob@example.com'], requestId: 'req_1', reason: raw });
    const masked = (await maskRefusal(masker, denied)) as CountersignError;
    const all = JSON.stringify({ text: (toolErrorOrThrow(masked).content as Array<{ text: string }>)[0]!.text, message: masked.message, details: masked.details });
    for (const secret of ['Jonathan Whitaker', '415-555-0172', 'jw@example.com']) assert.ok(!all.includes(secret), `${secret} reached the agent: ${all}`);
    assert.match(all, /not today, call /);
    assert.equal((masked.details as { reason: string }).reason, (await masker.maskValue({ reason: raw })).value.reason, 'the same text the audit log keeps');
    // Look-alikes: other refusals and JSON-RPC errors pass as they are.
    const policy = new CountersignError('POLICY_DENIED', 'writes are not allowed');
    assert.equal(await maskRefusal(masker, policy), policy);
    const rpc = new McpError(ErrorCode.InvalidParams, 'Unknown tool: x');
    assert.equal(await maskRefusal(masker, rpc), rpc);
    const failing = { maskText: async () => { throw new Error('engine down'); }, maskValue: async () => { throw new Error('engine down'); } };
    const closed = toolErrorOrThrow(await maskRefusal(failing, denied));
    assert.ok(!JSON.stringify(closed).includes('415-555-0172'), 'fails closed');
    assert.match(JSON.stringify(closed), /Reason: not shown/);
  });

  it("masks an upstream's error text and data before an agent reads it, keeps the code only when masking fails", async () => {
    const masker = createMasker();
    const raw = new McpError(-32603, 'MCP error -32603: insert failed for carol@example.com card 4111 1111 1111 1111', { row: { email: 'carol@example.com' } });
    const masked = (await maskUpstreamError(masker, raw, { profile: 'default' })) as McpError;
    assert.equal(masked.code, -32603);
    assert.equal(masked.message, 'insert failed for [EMAIL] card **** **** **** 1111', 'masked, prefixes gone');
    assert.deepEqual(masked.data, { row: { email: '[EMAIL]' } });
    assert.equal(await maskUpstreamError(masker, masked), masked, 'masked once');
    assert.throws(() => toolErrorOrThrow(masked), (e: unknown) => e === masked);
    // An upstream error that reaches the wire without masking (a path that forgot) keeps its code only: fail closed.
    for (const thrown of [() => toolErrorOrThrow(raw), () => { throw toMcpError(raw); }]) {
      assert.throws(thrown, (e: unknown) => e instanceof McpError && e.code === -32603 && !JSON.stringify([e.message, e.data]).includes('carol') && /could not be masked/.test(e.message));
    }
    // The gateway's own errors pass as they are.
    const own = rpcError(ErrorCode.InvalidParams, 'Unknown tool: fs.nope');
    assert.throws(() => toolErrorOrThrow(own), (e: unknown) => e === own);
    // An upstream fault's message may quote the upstream: masked too, the code kept.
    const down = (await maskUpstreamError(masker, new CountersignError('UPSTREAM_UNAVAILABLE', 'upstream db is unavailable: it could not be started: no access for carol@example.com', { upstream: 'db' }))) as CountersignError;
    assert.equal(down.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(down.message, 'upstream db is unavailable: it could not be started: no access for [EMAIL]');
    const policy = new CountersignError('POLICY_DENIED', 'writes are not allowed');
    assert.equal(await maskUpstreamError(masker, policy), policy);
    // Masking fails: the JSON-RPC code (or the Countersign code with its public message), never the text.
    const failing = { maskText: async () => { throw new Error('engine down'); }, maskValue: async () => { throw new Error('engine down'); } };
    const closed = (await maskUpstreamError(failing, raw)) as McpError;
    assert.equal(closed.code, -32603);
    assert.equal(closed.data, undefined);
    assert.equal(closed.message, 'The upstream answered with error -32603; its message is not shown because it could not be masked.');
    const closedDown = (await maskUpstreamError(failing, new CountersignError('UPSTREAM_TIMEOUT', 'upstream db: carol@example.com'))) as CountersignError;
    assert.equal(closedDown.code, 'UPSTREAM_TIMEOUT');
    assert.equal(closedDown.message, ERRORS.UPSTREAM_TIMEOUT.doc);
  });

  it('logs an INTERNAL error as one masked line with its first stack frame, and nothing else', async (t) => {
    const lines: string[] = [];
    t.mock.method(console, 'error', (...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    const masker = createMasker();
    await logInternal(masker, new TypeError('cannot read x of\nundefined for carol@example.com'), 'tools/call fs.read');
    await logInternal(masker, new CountersignError('POLICY_DENIED', 'no'), 'tools/call fs.read');
    await logInternal(masker, new McpError(-32602, 'Unknown tool'), 'tools/call fs.read');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^countersign: internal error in MCP tools\/call fs\.read: TypeError: cannot read x of undefined for \[EMAIL\] at .+errors\.test\.ts:\d+:\d+\)?$/);
  });
});
