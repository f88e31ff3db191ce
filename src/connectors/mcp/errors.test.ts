import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CountersignError, ERRORS, type ErrorCode as CsCode } from '../../core/errors.js';
import { MCP_ERROR_MAP, toolErrorOrThrow } from './errors.js';

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

  it('tells the model who denied and why, never internals of unknown errors', () => {
    const r = toolErrorOrThrow(new CountersignError('APPROVAL_DENIED', 'not now', { decidedBy: 'bob@example.com', requestId: 'req_1' }));
    assert.match(JSON.stringify(r.content), /\(bob@example\.com\) denied this call \(approval request req_1\): not now/);
    assert.throws(() => toolErrorOrThrow(new Error('db password is hunter2')), (e: unknown) => e instanceof McpError && !e.message.includes('hunter2'));
  });
});
