import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anySignal } from './client.js';

for (const native of [true, false]) {
  test(`anySignal aborts with the first signal that does (${native ? 'AbortSignal.any' : 'Node 20 before 20.3, without it'})`, () => {
    const saved = AbortSignal.any;
    if (!native) (AbortSignal as { any?: unknown }).any = undefined;
    try {
      const a = new AbortController(), b = new AbortController();
      const s = anySignal([a.signal, b.signal]);
      assert.equal(s.aborted, false);
      b.abort(new Error('b gave up'));
      assert.equal(s.aborted, true);
      assert.equal((s.reason as Error).message, 'b gave up');
      const done = new AbortController();
      done.abort('already');
      assert.equal(anySignal([new AbortController().signal, done.signal]).reason, 'already');
    } finally {
      AbortSignal.any = saved;
    }
  });
}
