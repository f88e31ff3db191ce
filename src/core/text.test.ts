import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonForTerminal, printable, UNPRINTABLE } from './text.js';

test('printable writes controls, separators and bidirectional overrides as visible escapes, and keeps the rest', () => {
  assert.equal(printable('x\r\u001b[1A\u001b[2Kwho bob\n\tend\u007f\u0085'), 'x\\r\\x1b[1A\\x1b[2Kwho bob\\n\\tend\\x7f\\x85');
  assert.equal(printable('invoice \u202egpj.exe\u202c \u2066x\u2069 \u2028'), 'invoice \\u202egpj.exe\\u202c \\u2066x\\u2069 \\u2028');
  assert.equal(printable('Zoë Müller — 日本語 [EMAIL] 😀'), 'Zoë Müller — 日本語 [EMAIL] 😀');
  assert.ok(!UNPRINTABLE.test('delete user 42 (jane) — ok'));
  assert.ok(UNPRINTABLE.test('a\u200fb'));
  // Invisible: zero-width space and joiner, BOM, soft hyphen, tag characters, a lone surrogate, fillers.
  for (const c of ['\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e', '\ufff9', '\u3164', '\u2800', '\u{e0061}', '\ud800']) {
    assert.ok(UNPRINTABLE.test(`ok${c}ok`), `U+${c.codePointAt(0)!.toString(16)}`);
  }
  assert.equal(printable('rows\u{e0020}\u{e0064}\u200b'), 'rows\\u{e0020}\\u{e0064}\\u200b');
});

test('jsonForTerminal escapes what JSON.stringify leaves invisible, and reads back to the same value', () => {
  const value = { summary: 'invoice \u202egpj.exe\u202c\u2028next \u0085 zero\u200bwidth \u{e0061}tag', tags: ['ok', 'Zoë 日本語 😀'], n: 1 };
  const out = jsonForTerminal(value);
  assert.ok(!UNPRINTABLE.test(out.replace(/\n/g, ' ')), out);
  assert.match(out, /invoice \\u202egpj\.exe\\u202c\\u2028next \\u0085 zero\\u200bwidth \\udb40\\udc61tag/);
  assert.ok(out.includes('Zoë 日本語 😀'));
  assert.deepEqual(JSON.parse(out), value);
});
