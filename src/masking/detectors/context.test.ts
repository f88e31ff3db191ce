import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BIRTH_SRC, CARD_CODE_SRC, CUE_BIRTH, CUE_CARD_CODE, CUE_MRN, CUE_NATIONAL, eachCue, MRN_SRC, NATIONAL_SRC } from '../cues.js';
import { dniValid, nirValid, steuerIdValid } from './context.js';
import { createMasker } from '../engine.js';

const masker = createMasker();
const spans = (text: string) => masker.scanSync(text).filter((f) => f.type !== 'PERSON').map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

// The cue pass confirms word-anchored cues only where the word pass saw a candidate word start: it must find what a
// global search of each cue pattern finds, on text made of the cue words' pieces, accented letters and separators.
test('the cue pass finds every birth, medical-record, national-ID and card-code cue a global search finds', () => {
  let seed = 41;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = ['born', 'birth', 'DOB', 'd.o.b', 'Geburtsdatum', 'geboren', 'geb.', 'geb', 'nacimiento', 'nacido', 'Nacida', 'naissance', 'Né', 'né', 'née', 'nee', ' le', 'le',
    'nascita', 'nato', ' il', 'nascimento', 'Medicare', 'medical record', 'MBI', 'mbi', 'mrn', 'DNI', 'nie', 'NIF', 'nir', 'INSEE', 'sociale', 'sécurité', 'Vitale', 'Steuer-ID', 'steuerid', 'Steueridentifikationsnummer', 'st', 'so', 'in', 'x', 'é', ' ', ' ', ':', '.', '1', 'N', 'n', 'e', 'ge', 'na', 'mb', 'ab',
    'CVV', 'cvv2', 'CVC', 'cv', 'card', 'Card ', 'security', 'Security code', ' code', 'verification', ' value', 'car', 'sec', '_', '-', 'no.', 'number', '2'];
  for (let i = 0; i < 40_000; i++) {
    let s = '';
    for (let j = rnd(12); j > 0; j--) s += parts[rnd(parts.length)];
    for (const [group, src] of [[CUE_BIRTH, BIRTH_SRC], [CUE_MRN, MRN_SRC], [CUE_NATIONAL, NATIONAL_SRC], [CUE_CARD_CODE, CARD_CODE_SRC]] as const) {
      const want: string[] = [];
      const re = new RegExp(src, 'gi');
      for (let m = re.exec(s); m; m = re.exec(s)) want.push(`${m.index}-${m.index + m[0].length}`);
      const got: string[] = [];
      eachCue(s, {}, group, (a, b) => void got.push(`${a}-${b}`));
      assert.deepEqual(got, want, JSON.stringify([s, src]));
    }
  }
});

test('dates of birth after German, Spanish, French, Italian and Dutch cues', () => {
  for (const [text, date] of [
    ['Geburtsdatum: 14.05.1979', '14.05.1979'],
    ['geboren am 14. Mai 1979 in Köln', '14. Mai 1979'],
    ['geb. 14.05.1979', '14.05.1979'],
    ['Fecha de nacimiento: 23/09/1988.', '23/09/1988'],
    ['nacida el 23 de septiembre de 1988', '23 de septiembre de 1988'],
    ['Né le 02/11/1965 à Lyon.', '02/11/1965'],
    ['née le 2 novembre 1965', '2 novembre 1965'],
    ['Date de naissance : 1er janvier 1980', '1er janvier 1980'],
    ['data di nascita: 12/03/1984', '12/03/1984'],
    ['geboortedatum 3 maart 1990', '3 maart 1990'],
    ['Born 14.05.1979', '14.05.1979'],
  ]) {
    assert.deepEqual(spans(text), [`DATE_OF_BIRTH:${date}`], text);
  }
  for (const text of ['general 14.05.1979', 'name 14.05.1979', 'national day 14.05.1979', 'ne le fais pas 14.05.1979', 'Gebühr 14.05.1979', 'Datum: 14. Mai 1979']) {
    assert.deepEqual(spans(text), [], text);
  }
});

test('Medicare Beneficiary Identifiers after Medicare / MBI', () => {
  assert.deepEqual(spans('Insurance: Medicare ID 1EG4-TE5-MK73.'), ['MEDICAL_RECORD:1EG4-TE5-MK73']);
  assert.deepEqual(spans('MBI: 1EG4TE5MK73'), ['MEDICAL_RECORD:1EG4TE5MK73']);
  assert.deepEqual(spans('Medicare number 123456789A'), ['MEDICAL_RECORD:123456789A']);
  assert.deepEqual(spans('Medicare 2024 enrollment'), []);
  assert.deepEqual(spans('Medicare ID 1SL4-TE5-MK73'), []); // S and L are never used in an MBI
  assert.deepEqual(spans('order 1EG4-TE5-MK73'), []);
  assert.deepEqual(spans('Patient MRN: 00482913 admitted'), ['MEDICAL_RECORD:00482913']);
});

test('national ID check characters: DNI/NIE letter, NIR key, Steuer-ID check digit', () => {
  for (const ok of ['12345678Z', 'X1234567L', 'Y1234567X', '00000000T']) assert.equal(dniValid(ok), true, ok);
  for (const bad of ['12345678A', 'X1234567Z']) assert.equal(dniValid(bad), false, bad);
  assert.equal(nirValid('1 65 11 69 123 456 50'), true);
  assert.equal(nirValid('1 65 11 69 123 456 78'), false);
  assert.equal(nirValid('2 84 05 2A 123 456 ' + String(97 - Number(BigInt('2840519123456') % 97n)).padStart(2, '0')), true); // Corsica
  assert.equal(steuerIdValid('86095742719'), true);
  assert.equal(steuerIdValid('86095742718'), false);
  assert.equal(steuerIdValid('06095742719'), false);
});

test('national IDs after their cue: Spanish DNI/NIE/NIF, French NIR, German Steuer-ID', () => {
  assert.deepEqual(spans('DNI 12345678Z.'), ['NATIONAL_ID:12345678Z']);
  assert.deepEqual(spans('NIE: X1234567L'), ['NATIONAL_ID:X1234567L']);
  assert.deepEqual(spans('NIF 12345678-Z'), ['NATIONAL_ID:12345678-Z']);
  assert.deepEqual(spans('Numéro de sécurité sociale : 1 65 11 69 123 456 78.'), ['NATIONAL_ID:1 65 11 69 123 456 78']); // the cue says so, whatever the key
  assert.deepEqual(spans('NIR 165116912345650'), ['NATIONAL_ID:165116912345650']);
  assert.deepEqual(spans('Steuer-ID 86 095 742 719'), ['NATIONAL_ID:86 095 742 719']);
  assert.deepEqual(masker.scanSync('DNI 12345678Z').map((f) => f.confidence), [0.95]);
  assert.deepEqual(masker.scanSync('DNI 12345678A').map((f) => f.confidence), [0.8]);
  for (const text of ['dni del cliente pendiente', 'stock 12345678Z', 'sociale 2024', 'ragione sociale 12345', 'NIR: pending', 'Steuer-ID 0123456789']) {
    assert.deepEqual(spans(text), [], text);
  }
  assert.deepEqual(masker.scanSync('12345678Z', { field: 'dni' }).map((f) => f.type), ['NATIONAL_ID']);
});

test('CARD_SECURITY_CODE: 3 or 4 digits right after a card-code cue, in text and under a field name; look-alikes stay', () => {
  const cases: [string, string[]][] = [
    ['card 4111 1111 1111 1111 cvv 123 exp 12/29', ['CREDIT_CARD:4111 1111 1111 1111', 'CARD_SECURITY_CODE:123']],
    ['CVC: 4321', ['CARD_SECURITY_CODE:4321']],
    ['CVV2=987, security code is 5678', ['CARD_SECURITY_CODE:987', 'CARD_SECURITY_CODE:5678']],
    ['Card Verification Value "042"', ['CARD_SECURITY_CODE:042']],
    ['the csc 2024 report', []],
    ['cvv12345 and cvv: 12 and 1cvv 123', []],
    ['the card code 77', []],
    // Inside names and with other words between: logs, payment APIs.
    ['2024-01-01 INFO payment ok card_cvv=235 amount=12.00', ['CARD_SECURITY_CODE:235']],
    ['cvv_code=236; cvv no. 888; cvv code 999; Security Code - 444; security-code 777; CVV (3 digits): 123', ['CARD_SECURITY_CODE:236', 'CARD_SECURITY_CODE:888', 'CARD_SECURITY_CODE:999', 'CARD_SECURITY_CODE:444', 'CARD_SECURITY_CODE:777', 'CARD_SECURITY_CODE:123']],
    ['the CVV field is required; order #123 cvv-check passed; CVV is 3 digits; total 123 items', []],
    ['your CVV is: 132; CVV number: 130; CVV-125; <cvv>123</cvv>; q?cvv%3D124&x=1', ['CARD_SECURITY_CODE:132', 'CARD_SECURITY_CODE:130', 'CARD_SECURITY_CODE:125', 'CARD_SECURITY_CODE:123', 'CARD_SECURITY_CODE:124']],
  ];
  for (const [text, want] of cases) assert.deepEqual(spans(text), want, text);
  const json = masker.maskTextSync('{"cvv":"123","card_security_code":777,"securityCode":"1234","code":"123"}').text;
  assert.equal(json, '{"cvv":"[CARD_SECURITY_CODE]","card_security_code":"[CARD_SECURITY_CODE]","securityCode":"[CARD_SECURITY_CODE]","code":"123"}');
  const names = masker.maskTextSync('{"cvv_number":"123","cvc_value":"125","card_cvv_number":"126","cvvCode":"127"}').text;
  assert.equal(names, '{"cvv_number":"[CARD_SECURITY_CODE]","cvc_value":"[CARD_SECURITY_CODE]","card_cvv_number":"[CARD_SECURITY_CODE]","cvvCode":"[CARD_SECURITY_CODE]"}');
  // Never partly shown, even in a profile that shows the last digits of the card beside it.
  assert.equal(masker.maskTextSync('Card: 4111111111111111 CVV: 123').text, 'Card: ************1111 CVV: [CARD_SECURITY_CODE]');
});


test('CARD_SECURITY_CODE is redacted whatever the profile says: never tokenised, hashed or kept', async () => {
  const { randomBytes } = await import('node:crypto');
  const { MemoryTokenStore } = await import('../vault.js');
  const { maskingConfigSchema } = await import('../config.js');
  const tokens = new MemoryTokenStore();
  const config = maskingConfigSchema.parse({ default_profile: 'tok', profiles: { tok: { transforms: { '*': 'token' } }, keep: { transforms: { '*': 'keep' } }, hash: { transforms: { '*': 'hash' } } } });
  const m = createMasker(config, { key: randomBytes(32), tokens });
  const out = (await m.maskText('card 4111 1111 1111 1111 cvv 123')).text;
  assert.match(out, /^card \[CREDIT_CARD:tok_[\w-]{22}\] cvv \[CARD_SECURITY_CODE\]$/);
  assert.equal(tokens.size, 1, 'only the card went into the token store');
  for (const profile of ['keep', 'hash']) assert.match((await m.maskText('cvv 123', { profile })).text, /^cvv \[CARD_SECURITY_CODE\]$/, profile);
  assert.throws(() => maskingConfigSchema.parse({ profiles: { p: { transforms: { CARD_SECURITY_CODE: 'token' } } } }), /always redacted/);
});

// JSON-escaped text read as plain text: a cue right after a `\n`, `\t` or `\r` escape, or a percent escape, is a cue.
test('cues right after a literal escape (\\n, \\t, %20) are cues; Windows paths are not', () => {
  assert.deepEqual(spans('"note":"seen today\\nDOB: 14.05.1979"'), ['DATE_OF_BIRTH:14.05.1979']);
  assert.deepEqual(spans('"note":"admitted\\tMRN 8812345"'), ['MEDICAL_RECORD:8812345']);
  assert.deepEqual(spans('paid\\nCVV: 123'), ['CARD_SECURITY_CODE:123']);
  assert.deepEqual(spans('q=card%20cvv%3A%20123'), ['CARD_SECURITY_CODE:123']);
  for (const t of ['C:\\new\\dob\\1979', 'C:\\temp\\new\\nie 2024.txt', 'C:\\data\\nhs\\2024\\report.csv']) assert.deepEqual(spans(t), [], t);
});
