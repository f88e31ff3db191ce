import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lineLimit, limitedFetch, sseEventLimit } from './limits.js';

const b = (s: string) => Buffer.from(s);

describe('message ceilings', () => {
  it('lineLimit: lines up to the ceiling pass, in one chunk or many; a longer one is caught before it ends', () => {
    const over = lineLimit(10);
    assert.equal(over(b('0123456789\n0123')), false);
    assert.equal(over(b('456789\n')), false, 'a line split across chunks is counted whole');
    assert.equal(over(b('0123456789\n')), false);
    assert.equal(over(b('01234567890')), true, 'an unfinished line past the ceiling');
    assert.equal(lineLimit(10)(b('short\n0123456789A\nshort\n')), true, 'a complete long line inside one chunk');
    assert.equal(lineLimit(10)(b('\n'.repeat(100))), false);
  });

  it('sseEventLimit: counts one event up to its blank line; many small events are fine', () => {
    const over = sseEventLimit(30);
    for (let i = 0; i < 100; i++) assert.equal(over(b('event: message\ndata: {"a":1}\n\n')), false);
    assert.equal(over(b('data: ' + 'x'.repeat(20) + '\r\n')), false);
    assert.equal(over(b('data: ' + 'x'.repeat(20) + '\r\n\r\n')), true, 'two data lines make one event over 30 bytes');
  });

  it('limitedFetch: errors a body past the ceiling and reports it', async () => {
    let reported = 0;
    const base = async () => new Response('x'.repeat(5000), { headers: { 'content-type': 'application/json' } });
    const f = limitedFetch(4096, () => reported++, base);
    await assert.rejects((await f('http://upstream.invalid/mcp')).text(), /over 4096 bytes/);
    assert.equal(reported, 1);
    const ok = limitedFetch(4096, () => reported++, async () => new Response('{"ok":true}', { status: 200 }));
    assert.deepEqual(await (await ok('http://upstream.invalid/mcp')).json(), { ok: true });
    assert.equal(reported, 1);
  });
});
