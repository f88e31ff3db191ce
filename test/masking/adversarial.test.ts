import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMasker } from '../../src/masking/index.js';

// Hang guards, not speed claims: every pattern is linear, so these finish in well under a second each on the
// project machine; the generous bound only catches a catastrophic (quadratic or exponential) regression.
const m = createMasker();
const MB = 5 * 1024 * 1024;
const INPUTS: [string, string][] = [
  ['digits', '1'.repeat(MB)],
  ['digits with separators', '12 34-'.repeat(MB / 6)],
  ['a', 'a'.repeat(MB)],
  ['A', 'A'.repeat(MB)],
  ['=', '='.repeat(MB)],
  ['@', 'a@'.repeat(MB / 2)],
  ['password=', 'password='.repeat(MB / 9)],
  ['capitalised words', 'Maria '.repeat(MB / 6)],
  ['colons and hex', 'ab:'.repeat(MB / 3)],
  ['dots and digits', '1.'.repeat(MB / 2)],
  ['-----BEGIN ', '-----BEGIN '.repeat(MB / 11)],
  ['://', 'x://'.repeat(MB / 4)],
  // Shapes that exercise the shared passes (words.ts, cues.ts): other scripts, joined words, street numbers, cues.
  ['accented letters', 'é'.repeat(MB)],
  ['accented letters and @', 'é@ü.'.repeat(MB / 4)],
  ['joined words', "O'".repeat(MB / 2)],
  ['street numbers', '12 Main '.repeat(MB / 8)],
  ['address cues', 'address '.repeat(MB / 8)],
  ['IBAN starts', 'AB12 '.repeat(MB / 5)],
  ['compound streets', 'Koskikatu '.repeat(MB / 10)],
  // XML elements (detectors/xml.ts): closing tags, CDATA ends, opening tags with long attributes, values near the bound.
  ['closing tags', '</a>'.repeat(MB / 4)],
  ['CDATA ends', ']]></password>'.repeat(MB / 14)],
  ['open attributes', '<password x="'.repeat(MB / 13)],
  ['long values', `<password>${'x>'.repeat(300)}</password>`.repeat(MB / 620)],
  ['provider prefixes', 'dckr_pat_ hvs.a pypi-AgEIcHlwaS5vcmc IQoJb3JpZ2luX2Vj+'.repeat(MB / 54)],
  // Literal escapes before cues and names, percent-encoded signs, lower-case IBAN starts, SQL comments and dollar
  // quotes, Service Bus SAS parameters, closing tags in another case.
  ['escapes before cues', '\\nAKIA\\tpw=a\\r'.repeat(MB / 16)],
  ['percent-encoded signs', '%3Dghp_%3D%20'.repeat(MB / 13)],
  ['lower-case IBAN starts', 'de89 '.repeat(MB / 5)],
  ['SQL comments', 'ALTER USER x PASSWORD /*'.repeat(MB / 24)],
  ['SQL dollar quotes', 'ALTER USER x PASSWORD $a$'.repeat(MB / 25)],
  ['SAS parameters', `sr=a&se=1&sig=${'a'.repeat(20)}&skn= `.repeat(MB / 40)],
  ['closing tags in another case', '<Password>x</PASSWORD>'.repeat(MB / 22)],
];

for (const [name, input] of INPUTS) {
  test(`adversarial input completes: 5 MB of ${name}`, { timeout: 10_000 }, () => {
    const r = m.maskTextSync(input);
    assert.equal(typeof r.text, 'string');
    assert.ok(r.text.length > 0);
  });
}

test('a long stream stays in bounded pieces', { timeout: 20_000 }, async () => {
  const line = 'user=ann@example.org ip=10.1.2.3 note=ok\n';
  let sent = 0, maxPiece = 0, out = 0;
  async function* chunks() {
    for (let i = 0; i < 2000; i++) {
      const c = line.repeat(100);
      sent += c.length;
      yield c;
    }
  }
  for await (const p of m.maskStream(chunks())) {
    maxPiece = Math.max(maxPiece, p.length);
    out += p.length;
    assert.equal(p.includes('ann@example.org'), false);
  }
  assert.ok(sent > 8_000_000);
  assert.ok(maxPiece < 400 * 1024, `piece of ${maxPiece}`);
  assert.ok(out > 0);
});
