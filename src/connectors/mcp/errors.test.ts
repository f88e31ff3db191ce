import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CountersignError, ERRORS, type ErrorCode as CsCode } from '../../core/errors.js';
import { createMasker } from '../../masking/index.js';
import { MCP_ERROR_MAP, maskRefusal, toolErrorOrThrow } from './errors.js';

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
});
