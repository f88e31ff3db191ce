import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_PHONE_CONTEXT, notPhoneContext, RUN, runEnd } from './numbers.js';
import { wordPass } from '../words.js';

// The number scanner finds runs by hand (runEnd) instead of with RUN: both must give the same matches, in the same
// order, on any text (a global search, resuming after each match).
function byRegex(s: string): string {
  const out: string[] = [];
  const re = new RegExp(RUN.source, 'g');
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(`${m.index}-${m.index + m[0].length}`);
  return out.join(' ');
}
function byHand(s: string): string {
  const cu = Uint16Array.from(s, (ch) => ch.charCodeAt(0));
  const out: string[] = [];
  for (let p = 0; p < s.length; ) {
    const q = runEnd(cu, p, s.length);
    if (q < 0) p++;
    else (out.push(`${p}-${q}`), (p = q));
  }
  return out.join(' ');
}

test('runEnd finds exactly the matches of the run pattern', () => {
  let seed = 11;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const alphabet = ['0', '1', '5', '9', '0', '3', ' ', '.', '/', '-', '(', ')', '+', 'a', 'x', '\n', '  ', ') ', ')-', ' (', '+4', '(0'];
  for (let i = 0; i < 60_000; i++) {
    let s = '';
    for (let j = rnd(40); j > 0; j--) s += alphabet[rnd(alphabet.length)];
    assert.equal(byHand(s), byRegex(s), JSON.stringify(s));
  }
  for (const s of ['+44 20 7946 0958', '(555) 123-4567', '4111 1111 1111 1111', '1-(2)-3', '12 (34) 5678', '+(12) 3456789', '2025-03-01', '1 . 2345678', '123456', '1234567']) {
    assert.equal(byHand(s), byRegex(s), s);
  }
});

test('notPhoneContext answers as the not-a-phone pattern', () => {
  let seed = 5;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = ['order', 'no', 'no.', 'id', 'invoice', 'inv', 'po', 'port', '#', ':', '=', ' ', '  ', '\n', '\t', '\u00a0', '$', '€', '£', 'x', 'a', 'call', 'phone', 'sku', 'ref', 'reference', 'total', 'usd', '.', ',', 'n', 'o'];
  for (let i = 0; i < 60_000; i++) {
    let b = '';
    for (let j = rnd(8); j > 0; j--) b += parts[rnd(parts.length)];
    assert.equal(notPhoneContext(b), NOT_PHONE_CONTEXT.test(b), JSON.stringify(b));
  }
});

test('the word pass stretches hold every run of 7 or more the run pattern finds in the whole text', () => {
  let seed = 23;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const alphabet = ['0', '1', '5', '9', ' ', '  ', '.', '/', '-', '(', ')', '+', 'a', 'Ab', 'x ', '\n', ') ', ' (', '+4', '(0', 'é', "O'", '12 ', ' 3'];
  for (let i = 0; i < 60_000; i++) {
    let s = '';
    for (let j = rnd(50); j > 0; j--) s += alphabet[rnd(alphabet.length)];
    const want = byRegex(s).split(' ').filter((m) => m !== '' && +m.split('-')[1] - +m.split('-')[0] >= 7);
    const w = wordPass(s, {});
    const cu = Uint16Array.from(s, (ch) => ch.charCodeAt(0));
    const got: string[] = [];
    for (let r = 0; r < w.nNum; r++) {
      for (let p = w.numS[r]; p < w.numE[r]; ) {
        const q = runEnd(cu, p, w.numE[r]);
        if (q < 0) p++;
        else (q - p >= 7 && got.push(`${p}-${q}`), (p = q));
      }
    }
    assert.deepEqual(got, want, JSON.stringify(s));
  }
});

import { createMasker } from '../engine.js';
const masker = createMasker();
const spans = (text: string, field?: string) => masker.scanSync(text, { field }).filter((f) => f.type !== 'PERSON').map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

test('timestamps are not phones, in every common log, SQL, CSV and HTTP form', () => {
  for (const text of [
    '2026-03-14 10:22:33 INFO started',
    '[2026-03-14 10:22:33,123] ERROR',
    '2026/03/14 10:22:33',
    '2026.03.14 10:22',
    '14/03/2026 10:22',
    '03-14-2026 9:05 AM',
    '14.03.2026 10:00',
    'created_at | 2026-03-14 10:22:33',
    '2026-03-14 10:22:33.123456+00',
    '2026-03-14 10:22:33.123456',
    'created: Sun Nov 22 2026 02:34:20 GMT+0000',
    'Date: Sun, 06 Nov 1994 08:49:37 GMT',
    '20260314 102233 backup done',
    'backup 20260314-102233 done',
    '2026-03-14 1234567 rows',
    '10:22:33 2026-03-14',
    '127.0.0.1 - - [14/Mar/2026:10:22:33 +0000] "GET / HTTP/1.1" 200 1234',
  ]) {
    assert.deepEqual(spans(text).filter((s) => !s.startsWith('IP_ADDRESS:')), [], text);
  }
});

test('phones next to dates and times stay phones', () => {
  assert.deepEqual(spans('Call 415-555-0172 10:30 tomorrow'), ['PHONE:415-555-0172']);
  assert.deepEqual(spans('10:22 415-555-0172 called'), ['PHONE:415-555-0172']);
  assert.deepEqual(spans('2026-03-14 415-555-0172 called'), ['PHONE:415-555-0172']);
  assert.deepEqual(spans('2026-03-14 10:22:33 call from (415) 555-0172'), ['PHONE:(415) 555-0172']);
  assert.deepEqual(spans('2026-03-14 10:22:33 +0000 415 555 0172'), ['PHONE:415 555 0172']);
  assert.deepEqual(spans('+4930 901820 is Berlin'), ['PHONE:+4930 901820']); // no clock before: a phone's own +
  assert.deepEqual(spans('Date: 2020-06-20 14:11:22\nPhone: 451 5986'), ['PHONE:451 5986']);
  assert.deepEqual(spans('"GET / HTTP/1.1" 200 1234'.replace('HTTP/1.1', 'hello')), ['PHONE:200 1234']); // no request line: a number
});

test('a decimal number is a measurement, unless a telephone is named', () => {
  assert.deepEqual(spans('pi=3.14159265358979, e=2.718281828, lat=51.5073509 lon=-0.1277583'), []);
  assert.deepEqual(spans('coords 51.5073509 0.1277583 and lat=+51.5073509'), []);
  assert.deepEqual(spans('the number is 3.14159265'), []);
  assert.deepEqual(spans('phone: 0172.5551234'), ['PHONE:0172.5551234']);
  assert.deepEqual(spans('3.14159265', 'mobile'), ['PHONE:3.14159265']);
  assert.deepEqual(spans('call 415.555.0172'), ['PHONE:415.555.0172']); // two dots: a phone's groups
});

test('an id label with its noun ("order number is") outweighs the phone cue in the noun', () => {
  for (const text of ['Your order number is 4155550172.', 'Invoice number 4155550172', 'Ticket number 4155550172', 'Order 4155550172', 'ticket #: 415 555 0172', 'account number 4155550172', 'Confirmation number: 415 555 0172', 'case id = 4155550172']) {
    assert.deepEqual(spans(text), [], text);
  }
  assert.deepEqual(spans('order phone number: 415 555 0172'), ['PHONE:415 555 0172']);
  assert.deepEqual(spans('contact number for order 12345: 415 555 0172'), ['PHONE:415 555 0172']);
  assert.deepEqual(spans('phone number is 415 555 0172'), ['PHONE:415 555 0172']);
  assert.deepEqual(spans('Reorder number 4155550172'), ['PHONE:4155550172']); // "Reorder" is not the label "order"
});

test('IPv4 after a word that ends in a digit ("IPv4 10.0.12.7")', () => {
  assert.deepEqual(spans('IPv4 10.0.12.7'), ['IP_ADDRESS:10.0.12.7']);
  assert.deepEqual(spans('client 10.0.12.7'), ['IP_ADDRESS:10.0.12.7']);
  assert.deepEqual(spans('version 1.2.3.4 and v1.2.3.4 and ab12.3.4.5'), []);
  assert.deepEqual(spans('x264 1920 1080 and H264 415 555 0172'), []); // after a word's digits only an address is looked for
});

test('SSNs: under an SSN cue or field every issued number is masked, samples too; without, not the samples', () => {
  for (const ssn of ['123-45-6789', '078-05-1120', '219-09-9999', '536-22-8714']) assert.deepEqual(spans(`SSN ${ssn}`), [`US_SSN:${ssn}`]);
  assert.deepEqual(spans('{"ssn":"123-45-6789"}'), ['US_SSN:123-45-6789']);
  assert.deepEqual(spans('ssn=123456789'), ['US_SSN:123456789']);
  assert.deepEqual(spans('123-45-6789', 'ssn'), ['US_SSN:123-45-6789']);
  assert.deepEqual(spans('SSN 666-45-6788 and 000-12-3456 and 912-34-5678'), []); // never issued
  assert.deepEqual(spans('sample 123-45-6789 in the docs'), []);
  assert.deepEqual(spans('id 536-22-8714'), ['US_SSN:536-22-8714']);
});

test('values side by side in columns: a run of 16+ digits in which nothing was found is looked at part by part', () => {
  assert.deepEqual(spans('4155550123 536-22-8714'), ['US_SSN:536-22-8714']);
  assert.deepEqual(spans('Hope   Grant   536-22-8714 4155550123 2026-03-14'), ['US_SSN:536-22-8714']);
  assert.deepEqual(spans('card 4111 1111 1111 1111 ok'), ['CREDIT_CARD:4111 1111 1111 1111']); // found whole, as before
  assert.deepEqual(spans('Order 12345678 20260314 shipped'), []); // ids stay ids, part by part too
  assert.deepEqual(spans('acct 1234567890123456 5550172'), []);
  // A run that starts with a number written with spaces: that number first, then the parts after it.
  assert.deepEqual(spans('call +1 415 555 0172 536-22-8714'), ['PHONE:+1 415 555 0172', 'US_SSN:536-22-8714']);
  assert.deepEqual(spans('(212) 555-0123 536-22-8714'), ['PHONE:(212) 555-0123', 'US_SSN:536-22-8714']);
});

test('a card grouped with dots is a card without a cue, like spaces and dashes (E15)', () => {
  assert.deepEqual(spans('paid with 4111.1111.1111.1111 yesterday'), ['CREDIT_CARD:4111.1111.1111.1111']);
  assert.deepEqual(spans('amex 3782.822463.10005 x'), ['CREDIT_CARD:3782.822463.10005']);
  // Not Luhn-valid, not a card shape, or an address: left to the other checks.
  assert.deepEqual(spans('build 4111.1111.1111.1112 v'), []);
  assert.deepEqual(spans('ver 2024.0101.1234.5678'), []);
  assert.deepEqual(spans('host 10.11.12.13'), ['IP_ADDRESS:10.11.12.13']);
});

test('versions glued to a word and amounts in thousands are no phones', () => {
  assert.deepEqual(spans('Linux 5.15.0-1051-aws booted'), []);
  assert.deepEqual(spans('Betrag: 12.345.678,90 EUR'), []);
  assert.deepEqual(spans('total 1,234,567.89 USD'), []);
  assert.deepEqual(spans('call 555.123.4567 now'), ['PHONE:555.123.4567']);
  assert.deepEqual(spans('phone 601 234 567'), ['PHONE:601 234 567']);
});

test('phones with a glued extension, a Desk: cue, and licence numbers that start with their letters', () => {
  const m = createMasker();
  const cases: [string, string][] = [
    ['Fax: 345-899-3560x4587', 'Fax: [PHONE]'],
    ['Desk: +1-903-140-4508x769 or 259.735.7502x459', 'Desk: [PHONE] or [PHONE]'],
    ['Desk: 5403926876', 'Desk: [PHONE]'],
    ["My driver's license number is F162823540116", "My driver's license number is [DRIVER_LICENSE]"],
    ['DL# U62928788557186.', 'DL# [DRIVER_LICENSE].'],
  ];
  for (const [text, masked] of cases) assert.equal(m.maskTextSync(text).text, masked, text);
  // An x between numbers that is no extension, a licence key, letters glued to digits without a licence cue.
  for (const text of ['Screen 1920x1080 and build 1234567x86', 'serial 4155550172x12 ok', 'my license key is F162823540116', 'order F162823540116', 'help desk ticket 5403926876']) {
    assert.equal(m.maskTextSync(text).text, text, text);
  }
});

test('a zero-padded IPv4 address is an address, never a phone (F7)', () => {
  assert.deepEqual(spans('from 192.168.001.010 port 22'), ['IP_ADDRESS:192.168.001.010']);
  assert.deepEqual(spans('peer 010.000.012.007'), ['IP_ADDRESS:010.000.012.007']);
  assert.deepEqual(spans('host 10.01.2.3 up'), ['IP_ADDRESS:10.01.2.3']);
  // Loopback, unspecified and netmasks identify no host, padded or not; parts above 255 and versions are no address.
  for (const t of ['127.000.000.001', '000.000.000.000', '255.255.255.000', 'v1.02.03.04', 'version 01.02.03.04', '192.168.001.256']) {
    assert.deepEqual(spans(t).filter((s) => s.startsWith('IP_ADDRESS:')), [], t);
  }
  assert.deepEqual(spans('192.168.001.010').filter((s) => s.startsWith('PHONE:')), []);
});
