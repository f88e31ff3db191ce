import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CountersignError } from './errors.js';
import { describeAction, MAX_ACTION_DEPTH, type ActionInput } from './action.js';

const principal = { id: 'agent:etl', type: 'agent' as const, groups: [], authMethod: 'api_key' as const };
const input = (detail: Record<string, unknown>, context?: Record<string, unknown>): ActionInput => ({ principal, resource: 'db', connector: 'test', kind: 'read', summary: 's', detail, ...(context ? { context } : {}) });

describe('describeAction: nesting depth', () => {
  const nest = (levels: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = [v];
    return v;
  };

  it(`accepts detail and context up to ${MAX_ACTION_DEPTH} levels`, () => {
    const a = describeAction(input({ a: nest(MAX_ACTION_DEPTH - 1) }, { c: nest(MAX_ACTION_DEPTH - 1) }));
    assert.match(a.digest, /^[0-9a-f]{64}$/);
  });

  for (const field of ['detail', 'context'] as const) {
    it(`refuses a ${field} one level deeper, and one a million deep, with BAD_REQUEST (no stack overflow)`, () => {
      for (const levels of [MAX_ACTION_DEPTH, 1_000_000]) {
        const value = { a: nest(levels) };
        assert.throws(
          () => describeAction(field === 'detail' ? input(value) : input({}, value)),
          (e: unknown) => e instanceof CountersignError && e.code === 'BAD_REQUEST' && e.message === `the action's ${field} nests deeper than ${MAX_ACTION_DEPTH} levels`,
        );
      }
    });
  }
});

describe('describeAction: what the digest binds', () => {
  const api = (summary: string, detail: Record<string, unknown> = {}, context?: Record<string, unknown>): ActionInput =>
    ({ principal, resource: 'prod-db', connector: 'api', kind: 'delete', summary, detail, ...(context ? { context } : {}) });

  it('covers the summary: an approval of one summary is not an approval of another (no detail to tell them apart)', () => {
    const purge = describeAction(api('purge sessions older than 90 days')).digest;
    assert.notEqual(describeAction(api('DELETE FROM customers (everything)')).digest, purge);
    // Look-alikes: one character, surrounding space, another case, and masked values that would mask alike.
    assert.notEqual(describeAction(api('purge sessions older than 91 days')).digest, purge);
    assert.notEqual(describeAction(api('purge sessions older than 90 days ')).digest, purge);
    assert.notEqual(describeAction(api('Purge sessions older than 90 days')).digest, purge);
    assert.notEqual(describeAction(api('notify alice@example.com')).digest, describeAction(api('notify bob@example.com')).digest);
  });

  it('is the same for the identical action sent again, whatever its context', () => {
    const a = describeAction(api('purge sessions older than 90 days', { sql: 'DELETE FROM sessions' }, { ticket: 'OPS-1' }));
    const b = describeAction(api('purge sessions older than 90 days', { sql: 'DELETE FROM sessions' }, { ticket: 'OPS-2' }));
    assert.equal(a.digest, b.digest);
    assert.notEqual(describeAction(api('purge sessions older than 90 days', { sql: 'DELETE FROM customers' })).digest, a.digest);
  });
});
