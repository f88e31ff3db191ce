import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMasker } from './index.js';
import { lexiconCacheWords } from './lexicon.js';
import { personCacheWords } from './detectors/person.js';

// The engine keeps no masked value after a call. Its look-up caches hold words of the public lists only, and never a
// word that is someone's name: after masking text full of names, neither cache holds any of them.
describe('what the engine keeps between calls', () => {
  it('holds no name in its word caches', async () => {
    const m = createMasker();
    const names = ['Maria', 'Garcia', 'James', 'Okafor', 'José', 'Álvarez', 'Zoë', 'Ødegård', 'Nakamura'];
    const text = 'Dear Maria Garcia, your ticket was closed by James Okafor. Thank you, José Álvarez and Zoë Ødegård. Please call Nakamura.';
    const { text: masked } = await m.maskText(text);
    for (const n of names) assert.ok(!masked.includes(n), `${n} was masked`);
    const held = [...lexiconCacheWords(), ...personCacheWords()].map((w) => w.toLowerCase());
    assert.ok(held.includes('dear') || held.includes('please'), 'common words are cached (the caches are in use)');
    for (const n of names) assert.ok(!held.includes(n.toLowerCase()), `${n} is held after the call`);
  });
});
