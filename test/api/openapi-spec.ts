// openapi.yaml read for the contract tests: operations, their responses with $refs resolved, and a check of a JSON
// value against the small part of JSON Schema the file uses ($ref, allOf/anyOf/oneOf, type, const, enum, required,
// properties).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type Schema = Record<string, unknown>;
export interface ResponseDoc {
  description?: string;
  headers?: Record<string, { required?: boolean; $ref?: string }>;
  content?: Record<string, { schema?: Schema }>;
}
export interface Spec {
  paths: Record<string, Record<string, { responses?: Record<string, ResponseDoc & { $ref?: string }>; requestBody?: unknown }>>;
  components: Record<string, Record<string, unknown>>;
  'x-unlisted-operations': { responses: Record<string, ResponseDoc & { $ref?: string }> };
  'x-any-request': { responses: Record<string, ResponseDoc & { $ref?: string }> };
}

export const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

export function loadSpec(): Spec {
  return parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as Spec;
}

/** The object a local `$ref` points at. */
export function deref<T>(spec: Spec, ref: string): T {
  let o: unknown = spec;
  for (const part of ref.replace(/^#\//, '').split('/')) o = (o as Record<string, unknown> | undefined)?.[part];
  if (o === undefined) throw new Error(`openapi.yaml: ${ref} points at nothing`);
  return o as T;
}

/** A response with its `$ref` followed; the reference's own `description` wins (OpenAPI 3.1 Reference Object). */
export function resolveResponse(spec: Spec, r: ResponseDoc & { $ref?: string }): ResponseDoc {
  if (!r.$ref) return r;
  const target = deref<ResponseDoc>(spec, r.$ref);
  return r.description === undefined ? target : { ...target, description: r.description };
}

/** The documented responses of an operation, by status; undefined when the path does not list the method. */
export function operationResponses(spec: Spec, method: string, path: string): Record<string, ResponseDoc> | undefined {
  const op = spec.paths[path]?.[method.toLowerCase()];
  if (!op) return undefined;
  return Object.fromEntries(Object.entries(op.responses ?? {}).map(([s, r]) => [s, resolveResponse(spec, r)]));
}

/** The methods a path lists, upper-case. */
export function listedMethods(spec: Spec, path: string): string[] {
  return METHODS.filter((m) => spec.paths[path]?.[m]).map((m) => m.toUpperCase());
}

/** Why `value` does not match `schema`, or null when it does. */
export function mismatch(spec: Spec, value: unknown, schema: Schema, at = '$'): string | null {
  const { $ref, allOf, anyOf, oneOf, ...rest } = schema as Schema & { $ref?: string; allOf?: Schema[]; anyOf?: Schema[]; oneOf?: Schema[] };
  const all: Schema[] = [...($ref ? [deref<Schema>(spec, $ref)] : []), ...(allOf ?? []), rest];
  for (const s of all) {
    const why = mismatchOne(spec, value, s, at);
    if (why) return why;
  }
  const alternatives = anyOf ?? oneOf;
  if (alternatives && alternatives.every((s) => mismatch(spec, value, s, at) !== null)) return `${at}: matches none of the alternatives`;
  return null;
}

function mismatchOne(spec: Spec, value: unknown, s: Schema, at: string): string | null {
  if ('const' in s && value !== s.const) return `${at}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`;
  if (Array.isArray(s.enum) && !s.enum.includes(value)) return `${at}: ${JSON.stringify(value)} is none of ${s.enum.join(', ')}`;
  if (s.type !== undefined) {
    const types = ([] as unknown[]).concat(s.type);
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return `${at}: ${actual} is not ${types.join(' or ')}`;
  }
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  if (Array.isArray(s.required)) {
    if (!isObject) return `${at}: not an object`;
    for (const k of s.required as string[]) if (!(k in (value as object))) return `${at}.${k}: missing`;
  }
  if (s.properties && isObject) {
    for (const [k, sub] of Object.entries(s.properties as Record<string, Schema>)) {
      if (k in (value as object)) {
        const why = mismatch(spec, (value as Record<string, unknown>)[k], sub, `${at}.${k}`);
        if (why) return why;
      }
    }
  }
  return null;
}

/** The error codes a response's JSON schema allows (`error.code` enums, through $ref, allOf and alternatives). */
export function errorCodes(spec: Spec, schema: Schema | undefined): string[] {
  if (!schema) return [];
  const s = schema as Schema & { $ref?: string; allOf?: Schema[]; anyOf?: Schema[]; oneOf?: Schema[]; properties?: Record<string, Schema> };
  const error = s.properties?.error as { properties?: { code?: { enum?: string[] } } } | undefined;
  return [
    ...(error?.properties?.code?.enum ?? []),
    ...(s.$ref ? errorCodes(spec, deref<Schema>(spec, s.$ref)) : []),
    ...[...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap((x) => errorCodes(spec, x)),
  ];
}
