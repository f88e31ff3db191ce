import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CountersignError } from '../../core/errors.js';
import type { Masker } from '../../core/masking.js';
import { maskMcpResult } from './mask.js';

// A stand-in engine that redacts one word: what matters here is which parts of a result reach it.
const seen: unknown[] = [];
const masker: Masker = {
  async maskText(text) {
    return { text: text.replaceAll('SECRET', '[X]'), findings: [] };
  },
  async maskValue<T>(value: T) {
    seen.push(value);
    return { value: JSON.parse(JSON.stringify(value).replaceAll('SECRET', '[X]')) as T, findings: [] };
  },
};
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('maskMcpResult', () => {
  it('masks text, structured content, embedded text resources and text-like blobs; passes images through', async () => {
    const image = b64('SECRET-pixels');
    const result = {
      content: [
        { type: 'text', text: 'a SECRET here' },
        { type: 'image', data: image, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'file:///a.txt', mimeType: 'text/plain', text: 'SECRET text' } },
        { type: 'resource', resource: { uri: 'file:///b.json', mimeType: 'application/json', blob: b64('{"k":"SECRET"}') } },
        { type: 'resource_link', uri: 'file:///SECRET', name: 'SECRET' },
      ],
      structuredContent: { data: { nested: 'SECRET' } },
    };
    const { value } = await maskMcpResult(masker, result);
    assert.equal(value.content[0].text, 'a [X] here');
    assert.equal(value.content[1].data, image, 'binary passes as is');
    assert.equal((value.content[2].resource as { text: string }).text, '[X] text');
    assert.equal(Buffer.from((value.content[3].resource as { blob: string }).blob, 'base64').toString(), '{"k":"[X]"}');
    assert.equal(value.content[4].uri, 'file:///[X]');
    assert.deepEqual(value.structuredContent, { data: { nested: '[X]' } });
    assert.ok(!JSON.stringify(seen.at(-1)).includes(image), 'base64 payloads are not scanned as text');
    assert.equal(result.content[0].text, 'a SECRET here', 'the input is not changed');
  });

  it('masks a text-only result without changing the input', async () => {
    const result = { content: [{ type: 'text', text: 'a SECRET here' }], structuredContent: { data: 'SECRET', type: 'image' } };
    const { value } = await maskMcpResult(masker, result);
    assert.deepEqual(value, { content: [{ type: 'text', text: 'a [X] here' }], structuredContent: { data: '[X]', type: 'image' } });
    assert.deepEqual(result.content[0], { type: 'text', text: 'a SECRET here' }, 'the input is not changed');
  });

  it('masks as text a binary-looking payload that is not base64, and resource read blobs that are', async () => {
    const r1 = await maskMcpResult(masker, { content: [{ type: 'image', data: 'SECRET pixels!', mimeType: 'image/png' }] });
    assert.equal(r1.value.content[0].data, '[X] pixels!', 'not base64: read as text');
    const read = { contents: [{ uri: 'file:///c.txt', mimeType: 'text/plain', blob: b64('a SECRET') }, { uri: 'file:///d.bin', mimeType: 'application/octet-stream', blob: b64('SECRET') }] };
    const r2 = await maskMcpResult(masker, read);
    assert.equal(Buffer.from(r2.value.contents[0].blob, 'base64').toString(), 'a [X]');
    assert.equal(r2.value.contents[1].blob, b64('SECRET'), 'binary blob passes as is');
    assert.equal(Buffer.from(read.contents[0].blob, 'base64').toString(), 'a SECRET', 'the input is not changed');
  });

  it("lifts a prompt message's image and masks its text", async () => {
    const image = b64('SECRET-pixels');
    const prompt = { messages: [{ role: 'user', content: { type: 'text', text: 'mail SECRET' } }, { role: 'user', content: { type: 'image', data: image, mimeType: 'image/png' } }] };
    const { value } = await maskMcpResult(masker, prompt);
    assert.equal(value.messages[0]!.content.text, 'mail [X]');
    assert.equal(value.messages[1]!.content.data, image);
  });

  it('fails closed: a masking error propagates', async () => {
    const broken: Masker = { ...masker, maskValue: async () => Promise.reject(new CountersignError('MASKING_FAILED')) };
    await assert.rejects(maskMcpResult(broken, { content: [{ type: 'text', text: 'x' }] }), /MASKING_FAILED|masking engine failed/);
  });
});
