import type { Tool } from '@modelcontextprotocol/sdk/types.js';

type Schema = Record<string, unknown>;

/** Keywords that constrain a value's text or number: a masked value (`[EMAIL]`, `************1111`) breaks them. */
const VALUE_KEYWORDS = [
  'format', 'pattern', 'minLength', 'maxLength', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'multipleOf', 'contentEncoding', 'contentMediaType', 'contentSchema', 'propertyNames',
  // Conditions on values may flip once a value is masked.
  'not', 'if', 'then', 'else',
];
/** Keywords whose value is one schema. */
const ONE = ['additionalProperties', 'items', 'additionalItems', 'contains', 'unevaluatedItems', 'unevaluatedProperties'];
/** Keywords whose value is a list of schemas. */
const LIST = ['prefixItems', 'anyOf', 'allOf'];
/** Keywords whose value maps names to schemas. */
const MAP = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const MAX_DEPTH = 64;

/**
 * The output schema the gateway lists for a tool: the upstream's, with the shape kept (types, properties, required,
 * items, descriptions) and what masking can break taken out. A masked number becomes a string, a masked e-mail no
 * longer has the e-mail format, a masked name no longer matches its pattern or enum — and agents' SDK clients check
 * `structuredContent` against this schema, so a masked result checked against the upstream's own schema would be
 * refused. Numbers also accept strings; value constraints and value conditions go; `oneOf` becomes `anyOf` (loosened
 * branches may overlap); `false` for additional or unevaluated members goes (a masked key may no longer match its
 * pattern). Past 64 levels of nesting, anything is accepted.
 *
 * @example
 * loosenOutputSchema({ type: 'object', properties: { card: { type: 'integer' }, email: { type: 'string', format: 'email' } } })
 * // { type: 'object', properties: { card: { type: ['integer', 'string'] }, email: { type: 'string' } } }
 */
export function loosenOutputSchema(schema: NonNullable<Tool['outputSchema']>): NonNullable<Tool['outputSchema']> {
  return loosen(schema, 0) as NonNullable<Tool['outputSchema']>;
}

function loosen(node: unknown, depth: number): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node; // `true`/`false` schemas, or junk
  if (depth > MAX_DEPTH) return {};
  const out: Schema = {};
  let oneOf: unknown[] | undefined;
  for (const [k, v] of Object.entries(node as Schema)) {
    if (VALUE_KEYWORDS.includes(k)) continue;
    if (k === 'type') out.type = widenType(v);
    else if (k === 'oneOf' && Array.isArray(v)) oneOf = v.map((s) => loosen(s, depth + 1));
    else if (ONE.includes(k) && !Array.isArray(v)) {
      if (v !== false) out[k] = loosen(v, depth + 1);
    } else if ((LIST.includes(k) || k === 'items') && Array.isArray(v)) out[k] = v.map((s) => loosen(s, depth + 1));
    else if (MAP.includes(k) && v !== null && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([name, s]) => [name, loosen(s, depth + 1)]));
    } else out[k] = v;
  }
  // Exactly-one becomes at-least-one; beside an existing anyOf it is kept as its own clause.
  if (oneOf) {
    if (out.anyOf === undefined) out.anyOf = oneOf;
    else out.allOf = [...((out.allOf as unknown[] | undefined) ?? []), { anyOf: oneOf }];
  }
  return out;
}

/** Numbers may come back as strings once masked; strings stay strings; other types are never masked. */
function widenType(t: unknown): unknown {
  const list = Array.isArray(t) ? (t as unknown[]) : [t];
  if (!list.some((x) => x === 'number' || x === 'integer') || list.includes('string')) return t;
  return [...list, 'string'];
}

/** Loosened output schemas, once per upstream tool object (the upstream caches its list until it changes). */
const loosened = new WeakMap<object, NonNullable<Tool['outputSchema']>>();
export function listedOutputSchema(schema: NonNullable<Tool['outputSchema']>): NonNullable<Tool['outputSchema']> {
  let l = loosened.get(schema);
  if (!l) loosened.set(schema, (l = loosenOutputSchema(schema)));
  return l;
}
