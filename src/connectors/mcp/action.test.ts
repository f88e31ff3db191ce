import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeAction } from '../../core/action.js';
import type { Principal } from '../../core/identity.js';
import { annotationTags, splitToolName, toolCallInput, toolKind, toolSummary } from './action.js';

const principal: Principal = { id: 'agent:a', type: 'agent', groups: ['agents'], authMethod: 'api_key' };

describe('MCP action mapping', () => {
  it('tags from annotations, with the MCP defaults for absent hints', () => {
    const table: Array<[Parameters<typeof annotationTags>[0], string[], string]> = [
      [undefined, ['destructive', 'open_world'], 'tool_call'],
      [{ readOnlyHint: true }, ['open_world', 'read_only'], 'read'],
      [{ readOnlyHint: true, destructiveHint: true, openWorldHint: false }, ['read_only'], 'read'],
      [{ readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false }, ['idempotent'], 'tool_call'],
      [{ destructiveHint: true, idempotentHint: false }, ['destructive', 'open_world'], 'tool_call'],
    ];
    for (const [a, tags, kind] of table) {
      assert.deepEqual(annotationTags(a), tags, JSON.stringify(a));
      assert.equal(toolKind(a), kind);
    }
  });

  it('splits exposed names on the first separator only', () => {
    assert.deepEqual(splitToolName('fs.read.file'), { upstream: 'fs', tool: 'read.file' });
    assert.equal(splitToolName('.x'), undefined);
    assert.equal(splitToolName('x.'), undefined);
    assert.equal(splitToolName('plain'), undefined);
  });

  it('binds the digest to the upstream, tool, exact arguments and summary, not to the context', () => {
    const base = { principal, upstream: 'fs', tool: 'write_file', annotations: { destructiveHint: true }, arguments: { path: '/a', content: 'x' }, summary: 's' };
    const d = describeAction(toolCallInput(base)).digest;
    assert.equal(describeAction(toolCallInput({ ...base, context: { session: 'y' } })).digest, d);
    assert.notEqual(describeAction(toolCallInput({ ...base, summary: 'other' })).digest, d);
    assert.notEqual(describeAction(toolCallInput({ ...base, arguments: { path: '/a', content: 'y' } })).digest, d);
    assert.notEqual(describeAction(toolCallInput({ ...base, tool: 'edit_file' })).digest, d);
    assert.notEqual(describeAction(toolCallInput({ ...base, upstream: 'fs2' })).digest, d);
    const a = toolCallInput(base);
    assert.equal(a.connector, 'mcp');
    assert.equal(a.resource, 'fs');
    assert.deepEqual(a.detail, { tool: 'write_file', arguments: { path: '/a', content: 'x' } });
  });

  it('cuts long summaries', () => {
    const s = toolSummary('fs', 'write_file', { content: 'z'.repeat(1000) });
    assert.ok(s.startsWith('fs.write_file {"content":"zzz'));
    assert.ok(s.length < 230 && s.endsWith('…'));
  });
});
