import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CachedList, REFRESH_MIN_MS } from './cached-list.js';

/** A listing the test finishes by hand, counting how often it was started. */
function lister() {
  let started = 0;
  const pending: Array<(v: string[]) => void> = [];
  return {
    list: () => (started++, new Promise<string[]>((r) => pending.push(r))),
    finish: (v: string[]) => pending.shift()!(v),
    get started() {
      return started;
    },
  };
}

describe('CachedList', () => {
  it('serves refreshes from the cache for REFRESH_MIN_MS after a listing, then lists again (a fake clock)', async () => {
    let now = 1000;
    const c = new CachedList<string[]>(() => now);
    const l = lister();
    const first = c.get(l.list, false);
    l.finish(['a']);
    assert.deepEqual(await first, ['a']);
    assert.deepEqual(await c.get(l.list, false), ['a']);
    now += REFRESH_MIN_MS - 1;
    assert.deepEqual(await c.get(l.list, true), ['a'], 'a refresh sooner than the floor: the cache');
    assert.equal(l.started, 1);
    now += 1;
    const refreshed = c.get(l.list, true);
    l.finish(['a', 'b']);
    assert.deepEqual(await refreshed, ['a', 'b']);
    assert.equal(l.started, 2);
  });

  it('shares one listing among concurrent callers, and lists anew after a clear without keeping the older answer', async () => {
    const c = new CachedList<string[]>(() => 0);
    const l = lister();
    const a = c.get(l.list, false);
    const b = c.get(l.list, true);
    assert.equal(l.started, 1, 'one listing for both');
    c.clear(); // the upstream said the list changed while it was being fetched
    const fresh = c.get(l.list, false);
    assert.equal(l.started, 2, 'callers after the change do not join the older listing');
    l.finish(['old']);
    l.finish(['new']);
    assert.deepEqual([await a, await b, await fresh], [['old'], ['old'], ['new']]);
    assert.deepEqual(await c.get(l.list, false), ['new'], 'the older answer was not cached');
    assert.equal(l.started, 2);
  });

  it('caches nothing from a failed listing: the next caller lists again', async () => {
    const c = new CachedList<string[]>(() => 0);
    await assert.rejects(c.get(() => Promise.reject(new Error('down')), false), /down/);
    assert.deepEqual(await c.get(() => Promise.resolve(['x']), true), ['x']);
  });
});
