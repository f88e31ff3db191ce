// The OpenAPI file documents every route the API serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createApi } from '../../src/api/app.js';
import { createMetrics } from '../../src/api/metrics.js';

test('openapi.yaml lists every HTTP route with its methods', () => {
  const spec = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  // Routes are read from the app itself; the runtime is not needed to enumerate them.
  const app = createApi({ config: { server: { body_limit: 1 } } } as never, createMetrics());
  const served = app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ path: r.path.replace(/:(\w+)/g, '{$1}'), method: r.method.toLowerCase() }));
  assert.ok(served.length >= 12);
  for (const r of served) assert.ok(spec.paths[r.path]?.[r.method], `${r.method.toUpperCase()} ${r.path} is not in openapi.yaml`);
});
