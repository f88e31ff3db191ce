import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMasker } from './engine.js';
import { githubTokenFor } from './validators.js';

const m = createMasker();
const types = (text: string, field?: string) => m.scanSync(text, { field }).map((f) => f.type);
const spans = (text: string) => m.scanSync(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
const b64u = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

// Each row: text, the finding expected (type:value), or [] when the text must come out clean.
const CASES: [string, string[]][] = [
  ['mail bob.smith+x@example.co.uk now', ['EMAIL:bob.smith+x@example.co.uk']],
  ['not a mail: foo@bar or @handle', []],
  ['call me on +44 20 7946 0958 today', ['PHONE:+44 20 7946 0958']],
  ['phone: (212) 555-0147', ['PHONE:(212) 555-0147']],
  ['order ORD-20250115 total 1234567 items', []],
  ['card 4111 1111 1111 1111 exp 12/29', ['CREDIT_CARD:4111 1111 1111 1111']],
  ['card 4111 1111 1111 1112 fails luhn', []],
  ['refund to GB82 WEST 1234 5698 7654 32 ok', ['IBAN:GB82 WEST 1234 5698 7654 32']],
  ['ref GB82WEST12345698765433 (bad check digits)', []],
  ['SSN 123-45-6788 on file', ['US_SSN:123-45-6788']],
  ['SSN 666-45-6788 and 000-12-3456 are invalid', []],
  ['from 192.168.10.20:5432 and 2001:db8::8a2e:370:7334', ['IP_ADDRESS:192.168.10.20', 'IP_ADDRESS:2001:db8::8a2e:370:7334']],
  ['version 1.2.3.4 at 10:22:33', []],
  ['She was born on 12/03/1984 in Lyon', ['DATE_OF_BIRTH:12/03/1984']],
  ['deployed on 12/03/2024 at noon', []],
  ['Patient MRN: 00482913 admitted', ['MEDICAL_RECORD:00482913']],
  ['postgres://app:s3cr3t-Pass@db:5432/prod', ['PASSWORD:s3cr3t-Pass']],
  ['DB_PASSWORD=hunter2xyz', ['PASSWORD:hunter2xyz']],
  ['password: ******** and password=${DB_PASS}', []],
  ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----', ['PRIVATE_KEY:-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----']],
  ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', []],
  ['key AKIAIOSFODNN7ABCDEFG in use', ['AWS_ACCESS_KEY:AKIAIOSFODNN7ABCDEFG']],
  ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', ['AWS_SECRET_KEY:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']],
  ['xoxb-12345678901-123456789012-AbCdEfGhIjKlMnOpQrStUvWx', ['SLACK_TOKEN:xoxb-12345678901-123456789012-AbCdEfGhIjKlMnOpQrStUvWx']],
  ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', ['STRIPE_KEY:sk_live_4eC39HqLyjWDarjtT1zdp7dc']],
  ['sk_test_4eC39HqLyjWDarjtT1zdp7dc pk_live_4eC39HqLyjWDarjtT1zdp7dc', []],
  ['AIzaSyA1234567890abcdefghijklmnopqrstuv', ['GOOGLE_API_KEY:AIzaSyA1234567890abcdefghijklmnopqrstuv']],
  ['commit da39a3ee5e6b4b0d3255bfef95601890afd80709 id 550e8400-e29b-41d4-a716-446655440000', []],
  ['client_secret: "q8Zr2LmX0vNp4TkW9sYb"', ['SECRET:q8Zr2LmX0vNp4TkW9sYb']],
  ['api_key=aaaaaaaaaaaa', []],
  ['Dear Mr. Kowalski, thanks', ['PERSON:Kowalski']],
  ['My name is Priya Natarajan', ['PERSON:Priya Natarajan']],
  ['The deployment finished and the queue drained.', []],
  ['Ship to 1600 Pennsylvania Avenue, Washington, DC 20500', ['ADDRESS:1600 Pennsylvania Avenue, Washington, DC 20500']],
  ['He lives at 5049 Harjukuja 54', ['ADDRESS:5049 Harjukuja 54']],
  ['price $1234.56, port 8080, ISBN 978-0-306-40615-7, v10.4.2', []],
];

for (const [text, want] of CASES) {
  test(`detect: ${JSON.stringify(text.slice(0, 50))}`, () => {
    const got = spans(text).filter((s) => !s.startsWith('PERSON:') || want.some((w) => w.startsWith('PERSON:')));
    assert.deepEqual(got, want);
  });
}

test('GitHub tokens: a valid CRC32 checksum is found, a broken one is not', () => {
  const tok = githubTokenFor('ghp', 'x9ZkQ2pLm4Rt7Vw1Yb3Nc6Hd8Jf0Gs');
  assert.deepEqual(types(`token ${tok}`), ['GITHUB_TOKEN']);
  const broken = tok.slice(0, -6) + '000000';
  assert.deepEqual(types(`token ${broken}`), []);
});

test('JWT: the header must decode to JSON with alg', () => {
  const good = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u({ sub: '1' })}.c2lnbmF0dXJl`;
  assert.deepEqual(types(`Bearer ${good}`), ['JWT']);
  assert.deepEqual(types(`eyJ${'x'.repeat(20)}.eyJ${'y'.repeat(10)}.sig`), []);
});

test('OpenAI and Anthropic key formats', () => {
  assert.deepEqual(types(`sk-proj-${'Ab3'.repeat(20)}`), ['OPENAI_KEY']);
  assert.deepEqual(types(`sk-ant-api03-${'aB3_'.repeat(23)}AA`), ['ANTHROPIC_KEY']);
});

test('field names give context: a JSON key or column raises or decides the type', () => {
  assert.deepEqual(types('4155550123', 'phone'), ['PHONE']);
  assert.deepEqual(types('4155550123', 'order_id'), []);
  assert.deepEqual(types('hunter2', 'password'), ['PASSWORD']);
  assert.deepEqual(types('Jo Park', 'customerName'), ['PERSON']);
  assert.deepEqual(types('1990-01-02', 'date_of_birth'), ['DATE_OF_BIRTH']);
});

test('a name found once is masked everywhere in the text', () => {
  const out = m.maskTextSync('Directed by Wacława Adamska and starring Adamska.').text;
  assert.equal(out.includes('Adamska'), false);
});

test('everyday words the name lists also hold are not names alone: days, months, weather, colours, software words', () => {
  for (const text of [
    'The release sync moved to Monday, March 27.',
    'Meet on Monday, Tuesday and Friday.',
    'The deadline is June.',
    'Status: Cloudy',
    'Color: Teal',
    'colour: grey, centre: left',
    '# Demo folder',
    'Canary rollout paused on Saturday.',
    'Legacy API removed in August 2024.',
  ]) {
    assert.deepEqual(spans(text), [], text);
  }
});

test('names built on those words are still names: with a surname, a greeting or a cue', () => {
  assert.deepEqual(spans('Contact June Garcia about it.'), ['PERSON:June Garcia']);
  assert.deepEqual(spans('Hello April, the report is ready.'), ['PERSON:April']);
  assert.deepEqual(spans('August Schneider called.'), ['PERSON:August Schneider']);
  assert.deepEqual(spans('Dear Ms. Teal, thanks'), ['PERSON:Teal']);
});

test('phones: an id label right before the digits outweighs a phone cue further back; cues start at a word', () => {
  assert.deepEqual(types('Contact June Garcia about invoice #2997849 before July.').filter((t) => t === 'PHONE'), []);
  assert.deepEqual(spans('4773,SofiaPatel@mail.example.com,#1410773,$2657.66'), ['EMAIL:SofiaPatel@mail.example.com']);
  assert.deepEqual(spans('during the outage 5550123 was down'), []);
  assert.deepEqual(spans('phone no. 5550123'), ['PHONE:5550123']);
  assert.deepEqual(spans('phone #: 415 555 0199'), ['PHONE:415 555 0199']);
  assert.deepEqual(spans('tel: 415 555 0199'), ['PHONE:415 555 0199']);
});

test('capitalised fragments of base64, hashes and ids are not names; names in paths and lists still are', () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const blob = Buffer.from(Array.from({ length: 60_000 }, () => Math.floor(rnd() * 256))).toString('base64').replace(/.{76}/g, '$&\n');
  assert.deepEqual(types(blob).filter((t) => t === 'PERSON'), [], 'PERSON inside random base64');
  assert.deepEqual(spans('build LJPb8Mat1XG done'), []);
  assert.deepEqual(spans('"license": "Apache-2.0"'), []);
  assert.deepEqual(spans('Files: /home/Anna/docs'), ['PERSON:Anna']);
  assert.deepEqual(spans('Report by Smith/Jones'), ['PERSON:Smith', 'PERSON:Jones']);
});
