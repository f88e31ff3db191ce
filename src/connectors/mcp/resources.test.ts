import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceCatalog, type UpstreamResources } from './resources.js';

const DOC = 'demo://resource/static/document/architecture.md';
const up = (upstream: string, uris: string[], templates: string[] = [], offered = true): UpstreamResources => ({
  upstream,
  offered,
  resources: uris.map((uri) => ({ uri, name: uri })),
  templates: templates.map((uriTemplate) => ({ uriTemplate, name: uriTemplate })),
});

describe('ResourceCatalog', () => {
  it('lists unique URIs as the upstream gives them and routes their reads there', () => {
    const c = new ResourceCatalog([up('fs', []), up('ev', [DOC, 'demo://x'], ['demo://resource/dynamic/text/{id}'])]);
    assert.deepEqual(c.resources().map((r) => r.uri), [DOC, 'demo://x']);
    assert.deepEqual(c.templates().map((t) => t.uriTemplate), ['demo://resource/dynamic/text/{id}']);
    assert.equal(c.collisions, 0);
    assert.deepEqual(c.resolve(DOC), { kind: 'route', upstream: 'ev', uri: DOC });
    assert.deepEqual(c.resolve('demo://resource/dynamic/text/7'), { kind: 'route', upstream: 'ev', uri: 'demo://resource/dynamic/text/7' });
  });

  it('prefixes a URI several upstreams list, refuses the plain one as ambiguous, and routes each prefixed copy', () => {
    const c = new ResourceCatalog([up('ev', [DOC, 'demo://only-ev'], ['demo://t/{id}']), up('ev-2', [DOC], ['demo://t/{id}'])]);
    assert.deepEqual(c.resources().map((r) => r.uri), [`ev.${DOC}`, 'demo://only-ev', `ev-2.${DOC}`]);
    assert.deepEqual(c.templates().map((t) => t.uriTemplate), ['ev.demo://t/{id}', 'ev-2.demo://t/{id}']);
    assert.equal(c.collisions, 1);
    assert.deepEqual(c.resolve(DOC), { kind: 'ambiguous', upstreams: ['ev', 'ev-2'], choices: [`ev.${DOC}`, `ev-2.${DOC}`] });
    assert.deepEqual(c.resolve(`ev-2.${DOC}`), { kind: 'route', upstream: 'ev-2', uri: DOC });
    assert.deepEqual(c.resolve(`ev.${DOC}`), { kind: 'route', upstream: 'ev', uri: DOC });
    // A listing without what policy hides: the kept copy stays prefixed (routing never depends on hiding).
    assert.deepEqual(c.resources((upstream, r) => !(upstream === 'ev' && r.uri === DOC)).map((r) => r.uri), ['demo://only-ev', `ev-2.${DOC}`]);
    assert.deepEqual(c.entries().map((e) => `${e.upstream} ${e.resource.uri}`), [`ev ${DOC}`, 'ev demo://only-ev', `ev-2 ${DOC}`]);
    assert.deepEqual(c.resolve('demo://only-ev'), { kind: 'route', upstream: 'ev', uri: 'demo://only-ev' });
    // The same template on both: a URI it matches is ambiguous too; prefixed, it is not.
    assert.equal(c.resolve('demo://t/3').kind, 'ambiguous');
    assert.deepEqual(c.resolve('ev-2.demo://t/3'), { kind: 'route', upstream: 'ev-2', uri: 'demo://t/3' });
  });

  it('routes by the longest template prefix, and to the only upstream that offers resources as a last resort', () => {
    const c = new ResourceCatalog([up('a', [], ['file:///{path}']), up('b', [], ['file:///logs/{day}'])]);
    assert.deepEqual(c.resolve('file:///logs/monday'), { kind: 'route', upstream: 'b', uri: 'file:///logs/monday' });
    assert.deepEqual(c.resolve('file:///etc/hosts'), { kind: 'route', upstream: 'a', uri: 'file:///etc/hosts' });
    assert.deepEqual(c.resolve('other://x'), { kind: 'unknown' }, 'two upstreams offer resources: no guess');
    const one = new ResourceCatalog([up('fs', [], [], false), up('ev', ['demo://x'])]);
    assert.deepEqual(one.resolve('demo://unlisted'), { kind: 'route', upstream: 'ev', uri: 'demo://unlisted' });
  });

  it('finds nothing when no upstream offers resources, and never routes to one that does not', () => {
    const none = new ResourceCatalog([up('fs', [], [], false)]);
    assert.deepEqual(none.resources(), []);
    assert.deepEqual(none.resolve('file:///etc/passwd'), { kind: 'unknown' });
    // Look-alikes of the prefixed form: an upstream without resources, an unknown name, no URI after the prefix.
    assert.deepEqual(none.resolve('fs.file:///etc/passwd'), { kind: 'unknown' });
    const c = new ResourceCatalog([up('fs', [], [], false), up('ev', ['demo://x']), up('gh', ['gh://y'])]);
    assert.deepEqual(c.resolve('fs.file:///etc/passwd'), { kind: 'unknown' });
    assert.deepEqual(c.resolve('nope.demo://x'), { kind: 'unknown' });
    assert.deepEqual(c.resolve('ev.notauri'), { kind: 'unknown' });
    assert.deepEqual(c.resolve('ev.demo://z'), { kind: 'route', upstream: 'ev', uri: 'demo://z' });
  });
});
