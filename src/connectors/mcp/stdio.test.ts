import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineParser, type ParsedLine } from './stdio.js';

const MESSAGES = [
  '{"jsonrpc":"2.0","id":1,"method":"ping"}',
  '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  'not json',
  '{"jsonrpc":"2.0","id":"é✓","result":{"text":"ünïcødé ✓ 🙂"}}',
  '',
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}\r',
];
const kinds = (out: ParsedLine[]) => out.map((p) => (p.kind === 'message' ? `message:${JSON.stringify((p.message as { id?: unknown }).id ?? null)}` : p.kind));

describe('LineParser', () => {
  const whole = Buffer.from(MESSAGES.join('\n') + '\n');
  const expected = kinds(new LineParser(1 << 20).push(whole));

  it('parses whole messages, skips blank lines, reports parse errors as values', () => {
    assert.deepEqual(expected, ['message:1', 'message:null', 'parse_error', 'message:"é✓"', 'message:2']);
  });

  it('gives the same messages for every split point, including inside multi-byte characters', () => {
    for (let i = 0; i <= whole.length; i++) {
      const p = new LineParser(1 << 20);
      const out = [...p.push(whole.subarray(0, i)), ...p.push(whole.subarray(i))];
      assert.deepEqual(kinds(out), expected, `split at ${i}`);
    }
  });

  it('gives the same messages byte by byte', () => {
    const p = new LineParser(1 << 20);
    const out: ParsedLine[] = [];
    for (let i = 0; i < whole.length; i++) out.push(...p.push(whole.subarray(i, i + 1)));
    assert.deepEqual(kinds(out), expected);
  });

  it('drops an oversized line as it streams in, reports it once, and resumes at the next line', () => {
    const p = new LineParser(64);
    const big = '{"jsonrpc":"2.0","id":3,"method":"x","params":{"p":"' + 'y'.repeat(200) + '"}}';
    const out = [...p.push(Buffer.from(big.slice(0, 100))), ...p.push(Buffer.from(big.slice(100) + '\n{"jsonrpc":"2.0","id":4,"method":"ping"}\n'))];
    assert.deepEqual(kinds(out), ['too_large', 'message:4']);
  });

  it('reports a JSON value that is not a JSON-RPC message as invalid, with its id when it has one', () => {
    const out = new LineParser(1024).push(Buffer.from('{"jsonrpc":"1.0","id":5}\n"text"\nnull\n'));
    assert.deepEqual(out, [{ kind: 'invalid', id: 5 }, { kind: 'invalid', id: null }, { kind: 'invalid', id: null }]);
  });

  it('reports a batch (any JSON array, even of valid messages) as a batch, and the next line still parses', () => {
    const out = new LineParser(1024).push(Buffer.from('[{"jsonrpc":"2.0","id":1,"method":"ping"}]\n[1,2]\n[]\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n'));
    assert.deepEqual(kinds(out), ['batch', 'batch', 'batch', 'message:2']);
  });
});
