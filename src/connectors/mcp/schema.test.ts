import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { loosenOutputSchema } from './schema.js';

// The validator agents' SDK clients use on structuredContent.
const validator = new AjvJsonSchemaValidator();
const check = (schema: Record<string, unknown>, value: unknown) => validator.getValidator(loosenOutputSchema(schema as never))(value).valid;

describe('loosenOutputSchema', () => {
  const upstream = {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'owner', 'cards'],
    properties: {
      id: { type: 'integer', minimum: 1 },
      owner: { $ref: '#/$defs/person' },
      cards: { type: 'array', minItems: 1, items: { type: 'number', multipleOf: 1 } },
      kind: { oneOf: [{ const: 'a' }, { const: 'b' }] },
      flags: { type: 'boolean' },
    },
    $defs: { person: { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email', pattern: '@' }, name: { type: 'string', enum: ['Bob'] } } } },
  };

  it('accepts what masking makes of valid output', () => {
    const masked = { id: '[ID]', owner: { email: '[EMAIL]', name: '[PERSON]' }, cards: ['************1111'], kind: 'x', flags: true, '[EMAIL]': 1 };
    assert.equal(check(upstream, masked), true);
  });

  it('keeps the shape: required members, object and array types, booleans', () => {
    assert.equal(check(upstream, { owner: { email: 'x' }, cards: [] }), false, 'id is still required');
    assert.equal(check(upstream, { id: 1, owner: 'someone', cards: [] }), false, 'owner is still an object');
    assert.equal(check(upstream, { id: 1, owner: { email: 'x' }, cards: 'none' }), false, 'cards is still an array');
    assert.equal(check(upstream, { id: 1, owner: {}, cards: [] }), false, 'a nested required member too');
    assert.equal(check(upstream, { id: 1, owner: { email: 'x' }, cards: [], flags: 'yes' }), false, 'booleans are never masked');
  });

  it('rewrites keywords as documented', () => {
    const l = loosenOutputSchema(upstream as never) as Record<string, any>;
    assert.equal(l.additionalProperties, undefined);
    assert.deepEqual(l.properties.id, { type: ['integer', 'string'] });
    assert.deepEqual(l.properties.cards, { type: 'array', minItems: 1, items: { type: ['number', 'string'] } });
    assert.deepEqual(l.properties.kind, { anyOf: [{}, {}] });
    assert.deepEqual(l.$defs.person.properties.email, { type: 'string' });
    assert.deepEqual(upstream.properties.id, { type: 'integer', minimum: 1 }, 'the upstream schema is not changed');
    const both = loosenOutputSchema({ type: 'object', anyOf: [{ required: ['a'] }], oneOf: [{ required: ['b'] }, { required: ['c'] }] } as never) as Record<string, unknown>;
    assert.deepEqual(both, { type: 'object', anyOf: [{ required: ['a'] }], allOf: [{ anyOf: [{ required: ['b'] }, { required: ['c'] }] }] });
  });

  it('stops at 64 levels of nesting', () => {
    let deep: Record<string, unknown> = { type: 'integer' };
    for (let i = 0; i < 200; i++) deep = { type: 'object', properties: { x: deep } };
    let l = loosenOutputSchema(deep as never) as Record<string, any>;
    let levels = 0;
    while (l.properties) {
      l = l.properties.x;
      levels++;
    }
    assert.equal(levels, 65);
    assert.deepEqual(l, {});
  });
});
