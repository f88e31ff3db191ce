// Structured text: JSON, JSON Lines and tables with a header row, read as text (a tool result's text block, a file
// piped to `countersign mask`, an API body), are masked value by value with the key or column as field context,
// every other byte kept. See structured.ts and docs/masking.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { maskingConfigSchema } from './config.js';
import { createMasker } from './engine.js';
import { fieldMatters, fieldRole, fieldType, normaliseField, scan } from './scan.js';
import { MAX_DEPTH, structuredSegments } from './structured.js';
import { NAME_FIELD_KINDS, NAME_FIELD_OWNERS, NAME_FIELD_PARTS, NAME_FIELD_WORDS, PLACE_FIELD_WORDS } from './detectors/person.js';
import { MemoryTokenStore } from './vault.js';

const m = createMasker();
const mask = (t: string) => m.maskTextSync(t).text;
/** What the plain-text scan (before structured text was read) finds. */
const plainFindings = (t: string) => scan(t, {}, { minConfidence: 0.5 });

async function streamed(text: string, size: number, opts: { chunk: number; overlap: number; maxUnit?: number }): Promise<string> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
  }
  let out = '';
  for await (const p of m.maskStream(chunks(), {}, opts)) out += p;
  return out;
}

test('D14: JSON text gets its keys as context, as maskValue does on the parsed value', () => {
  const input = '{"ssn":"123-45-6789","first_name":"Hope","last_name":"Grant","name":"Will Young","full_name":"May Bell","order_id":5551234567}';
  const out = mask(input);
  assert.equal(out, '{"ssn":"[US_SSN]","first_name":"[PERSON]","last_name":"[PERSON]","name":"[PERSON]","full_name":"[PERSON]","order_id":5551234567}');
  assert.deepEqual(JSON.parse(out), m.maskValueSync(JSON.parse(input)).value);
  // The findings are offsets in the text, never the values.
  const r = m.maskTextSync(input);
  assert.deepEqual(r.findings.map((f) => input.slice(f.start, f.end)), ['123-45-6789', 'Hope', 'Grant', 'Will Young', 'May Bell']);
  assert.deepEqual(m.scanSync(input).map((f) => f.type), ['US_SSN', 'PERSON', 'PERSON', 'PERSON', 'PERSON']);
});

test('every byte that is not masked is kept: whitespace, key order, escapes; the output parses to the same shape', () => {
  const input = '\ufeff \r\n{\r\n\t"z" :  {"first_name" : "Hope" , "id":7},\n  "a": [ "ann@example.org" ,\t12, true, null, -0.5e+3 ],\n  "note": "caf\\u00e9 \\"Will Young\\" \\\\ \\/ mail bob@example.com\\n",\n  "empty": "", "o": {}, "l": []\n}\n\n';
  const out = mask(input);
  assert.equal(out, '\ufeff \r\n{\r\n\t"z" :  {"first_name" : "[PERSON]" , "id":7},\n  "a": [ "[EMAIL]" ,\t12, true, null, -0.5e+3 ],\n  "note": "caf\\u00e9 \\"Will Young\\" \\\\ \\/ mail [EMAIL]\\n",\n  "empty": "", "o": {}, "l": []\n}\n\n');
  const parsed = JSON.parse(out.replace(/^\ufeff/, ''));
  assert.deepEqual(Object.keys(parsed), ['z', 'a', 'note', 'empty', 'o', 'l']);
  assert.deepEqual(parsed.a, ['[EMAIL]', 12, true, null, -500]);
});

test('escaped strings: the value is read decoded, the replacement written back escaped, other escapes kept', () => {
  // The e-mail is itself escaped (\u0040 is @): the whole escaped span is replaced.
  assert.equal(mask('{"contact": "mail ann\\u0040example.org today"}'), '{"contact": "mail [EMAIL] today"}');
  // A line break written as \n does not glue words: the name after it is still a name.
  assert.equal(mask('{"note": "Thanks,\\nWill Young\\nphone 415-555-0123"}'), m.maskTextSync('{"note": "Thanks,\nWill Young\nphone 415-555-0123"}'.replace(/\n/g, '\\n')).text);
  const note = JSON.parse(mask('{"note": "Thanks,\\nWill Young\\nbob@example.com"}')).note as string;
  assert.equal(note.includes('bob@example.com'), false);
  // A partial transform keeps characters of the value: a quote or backslash among them is escaped again.
  const p = createMasker(maskingConfigSchema.parse({ profiles: { p: { transforms: { US_SSN: 'partial' } } } }));
  const out = p.maskTextSync('{"ssn": "123\\"45\\\\6789"}', { profile: 'p' }).text;
  assert.doesNotThrow(() => JSON.parse(out));
  assert.equal(JSON.parse(out).ssn, '***"**\\6789');
});

test('numbers: a masked number becomes a JSON string; ids stay numbers', () => {
  const out = mask('{"ssn": 123456789, "phone": 4155550123, "order_id": 4155550123, "id": 42, "amount": 12.5, "phones": [4155550123]}');
  // As a string under an id field too, after a phone cue.
  assert.equal(mask('{"note": "call my phone", "order_id": "4155550123"}'), '{"note": "call my phone", "order_id": "4155550123"}');
  assert.equal(out, '{"ssn": "[US_SSN]", "phone": "[PHONE]", "order_id": 4155550123, "id": 42, "amount": 12.5, "phones": ["[PHONE]"]}');
  assert.deepEqual(JSON.parse(out), m.maskValueSync(JSON.parse('{"ssn": 123456789, "phone": 4155550123, "order_id": 4155550123, "id": 42, "amount": 12.5, "phones": [4155550123]}')).value);
});

test('nested values take the nearest key; arrays pass their key on', () => {
  const out = JSON.parse(mask('{"customer": {"first_name": "Hope", "address": {"city": "Austin", "street": "14 Crown Street"}}, "emails": ["a@b.co"], "ssn_list": ["123-45-6789"]}'));
  assert.deepEqual(out, { customer: { first_name: '[PERSON]', address: { city: 'Austin', street: '[ADDRESS]' } }, emails: ['[EMAIL]'], ssn_list: ['[US_SSN]'] });
  // The array's key is the context of its items; `city` keeps a city that plain text would take for a name.
  assert.deepEqual(out, m.maskValueSync(JSON.parse('{"customer": {"first_name": "Hope", "address": {"city": "Austin", "street": "14 Crown Street"}}, "emails": ["a@b.co"], "ssn_list": ["123-45-6789"]}')).value);
});

test('a key that is itself a value is masked; two alike in one object are told apart', () => {
  const out = mask('{"ann@example.org": 1, "bob@example.org": {"carl@example.org": 2}, "n": 3}');
  assert.equal(out, '{"[EMAIL]": 1, "[EMAIL]#": {"[EMAIL]": 2}, "n": 3}');
  assert.deepEqual(Object.keys(JSON.parse(out)), ['[EMAIL]', '[EMAIL]#', 'n']);
});

test('JSON Lines and values one after another; a line that is not JSON is plain text and the next lines JSON again', () => {
  const input = '{"first_name":"Hope"}\n{"ssn":"123-45-6789"}\nERROR for Ana Lima <ana@example.org> {oops\n[{"last_name":"Grant"}]\n{\n  "full_name": "May Bell"\n}\n';
  assert.equal(mask(input), '{"first_name":"[PERSON]"}\n{"ssn":"[US_SSN]"}\nERROR for [PERSON] <[EMAIL]> {oops\n[{"last_name":"[PERSON]"}]\n{\n  "full_name": "[PERSON]"\n}\n');
  // A value must end its line: "[1] Hope Grant" is not JSON Lines.
  assert.equal(structuredSegments('[1] words\n[2] more', undefined), undefined);
});

test('text that only starts with { or [ is scanned as plain text, as before', () => {
  for (const t of ['{ this is not json, Will Young ann@example.org }', '[INFO] started for ann@example.org\n[WARN] disk 91%\n', '{{template}} Ana Lima', '[', '{"a":1,}', "{'a': 'ann@example.org'}"]) {
    assert.equal(structuredSegments(t, undefined), undefined, t);
    assert.deepEqual(m.scanSync(t), plainFindings(t), t);
  }
});

test('truncated JSON (a cut-off tool result) keeps the context of what arrived', () => {
  const out = mask('{"users": [{"first_name": "Hope", "ssn": "123-45-6789"}, {"first_name": "Will", "note": "call ann@exa');
  assert.equal(out, '{"users": [{"first_name": "[PERSON]", "ssn": "[US_SSN]"}, {"first_name": "[PERSON]", "note": "call ann@exa');
});

test('JSON in a JSON string (MCP text blocks, approval details): read as JSON too', async () => {
  // D26: the approver preview is maskValue over the action detail; a JSON string in it is masked with its keys.
  const detail = { first_name: 'Hope', note: '{"first_name":"Hope","ssn":"123-45-6789"}' };
  const { value } = await m.maskValue(detail);
  assert.deepEqual(value, { first_name: '[PERSON]', note: '{"first_name":"[PERSON]","ssn":"[US_SSN]"}' });
  // An MCP tool result: JSON in a text content block.
  const result = { content: [{ type: 'text', text: JSON.stringify({ rows: [{ first_name: 'Hope', last_name: 'Grant', ssn: '123-45-6789' }] }, null, 2) }] };
  const masked = (await m.maskValue(result)).value.content[0].text;
  assert.deepEqual(JSON.parse(masked), { rows: [{ first_name: '[PERSON]', last_name: '[PERSON]', ssn: '[US_SSN]' }] });
  // Twice encoded, in text.
  assert.equal(mask('{"body":"{\\"ssn\\":\\"123-45-6789\\"}"}'), '{"body":"{\\"ssn\\":\\"[US_SSN]\\"}"}');
});

test('tokens: the same token as maskValue gives for the decoded value, and it reveals the decoded value', async () => {
  const tokens = new MemoryTokenStore();
  const t = createMasker(maskingConfigSchema.parse({ profiles: { t: { transforms: { '*': 'token' } } } }), { key: randomBytes(32), tokens });
  const ctx = { profile: 't', scope: 's' };
  const text = (await t.maskText('{"email": "ann\\u0040example.org"}', ctx)).text;
  const value = (await t.maskValue({ email: 'ann@example.org' }, ctx)).value;
  assert.equal(JSON.parse(text).email, value.email);
  assert.equal(await t.reveal('s', value.email), 'ann@example.org');
});

test('deep or huge JSON does not fail: past the depth limit it is plain text, in linear time', () => {
  const deep = '['.repeat(MAX_DEPTH + 10) + '"ann@example.org"' + ']'.repeat(MAX_DEPTH + 10);
  assert.equal(mask(deep), '['.repeat(MAX_DEPTH + 10) + '"[EMAIL]"' + ']'.repeat(MAX_DEPTH + 10));
  const ok = '['.repeat(100) + '{"ssn":"123-45-6789"}' + ']'.repeat(100);
  assert.equal(mask(ok), '['.repeat(100) + '{"ssn":"[US_SSN]"}' + ']'.repeat(100));
  const t0 = performance.now();
  for (const s of ['['.repeat(2_000_000), '{"a":'.repeat(400_000), '["x",'.repeat(400_000), '{' + '"k": 1, '.repeat(250_000)]) m.scanSync(s);
  assert.ok(performance.now() - t0 < 20_000, 'structured reading is linear');
});

test('a text that does not start with { or [ and has no table header is not parsed', () => {
  assert.equal(structuredSegments('x'.repeat(1_000_000), undefined), undefined);
  assert.equal(structuredSegments('Hello there, how are you?\nFine, thanks.', undefined), undefined);
});

test('D15: a CSV with a header row gives its column names as context', () => {
  const input = 'first_name,last_name,email,ssn,dob,city\nHope,Grant,h@x.com,536-22-8714,1990-04-01,Austin\nWill,Young,w@x.org,123-45-6789,1985-12-31,Reading\nMay,Bell,m@x.org,219099999,07/04/1976,Bath\n';
  assert.equal(
    mask(input),
    'first_name,last_name,email,ssn,dob,city\n[PERSON],[PERSON],[EMAIL],[US_SSN],[DATE_OF_BIRTH],Austin\n[PERSON],[PERSON],[EMAIL],[US_SSN],[DATE_OF_BIRTH],Reading\n[PERSON],[PERSON],[EMAIL],[US_SSN],[DATE_OF_BIRTH],Bath\n',
  );
});

test('CSV per RFC 4180: quoted fields with commas, quotes and line breaks; CRLF; TSV and ; delimiters; header names with spaces', () => {
  const csv = 'id,Full Name,note,phone\r\n1,"Grant, Hope","said ""hi"" to ann@example.org\r\nsecond line",4155550123\r\n2,Will Young,"{""ssn"":""123-45-6789""}",""\r\n';
  assert.equal(mask(csv), 'id,Full Name,note,phone\r\n1,"[PERSON]","said ""hi"" to [EMAIL]\r\nsecond line",[PHONE]\r\n2,[PERSON],"{""ssn"":""[US_SSN]""}",""\r\n');
  assert.equal(mask('first_name\tssn\nHope\t123-45-6789\n'), '[PERSON]\t[US_SSN]\n'.replace(/^/, 'first_name\tssn\n'));
  assert.equal(mask('first_name;ssn\nHope;123-45-6789'), 'first_name;ssn\n[PERSON];[US_SSN]');
  // Excel's exports start with a byte-order mark; quoted header names.
  assert.equal(mask('\ufeff"First Name","SSN"\r\nHope,123-45-6789\r\n'), '\ufeff"First Name","SSN"\r\n[PERSON],[US_SSN]\r\n');
  // A replacement with the delimiter in a bare field quotes the field (partial keeps a card's separators).
  const p = createMasker(maskingConfigSchema.parse({ profiles: { p: { transforms: { US_SSN: 'partial' } } } }));
  assert.equal(p.maskTextSync('ssn;x\n123;45;6789;y\n', { profile: 'p' }).text, 'ssn;x\n123;45;6789;y\n'); // 4 fields: not a row of this table
});

test('not tables: prose with commas, rows of another width, a header that is not column names', () => {
  for (const t of ['Smith, John\nDoe, Jane\n', 'Dear John,\nthanks for the call, see you\n', 'a,b\n1,2,3\n', 'name,name\nHope,Grant\n', 'Hello world, again\nyes, no\n', 'one line, no break']) {
    assert.equal(structuredSegments(t, undefined), undefined, t);
    assert.deepEqual(m.scanSync(t), plainFindings(t), t);
  }
  // A later row of another width is plain text; the rows around it keep their columns.
  assert.equal(mask('first_name,ssn\nHope,123-45-6789\nnote from Ana Lima, ana@example.org, today\nMay,219099999\n'), 'first_name,ssn\n[PERSON],[US_SSN]\nnote from [PERSON], [EMAIL], today\n[PERSON],[US_SSN]\n');
});

test('SQL result tables: psql, Markdown and MySQL', () => {
  const psql = ' first_name | last_name |     ssn     |  city\n------------+-----------+-------------+--------\n Hope       | Grant     | 078-05-1120 | Austin\n Will       | Young     |             | Bath\n(2 rows)\n';
  assert.equal(mask(psql), ' first_name | last_name |     ssn     |  city\n------------+-----------+-------------+--------\n [PERSON]       | [PERSON]     | [US_SSN] | Austin\n [PERSON]       | [PERSON]     |             | Bath\n(2 rows)\n');
  assert.equal(mask('| first_name | ssn |\n|:---|---:|\n| Hope | 078-05-1120 |\n'), '| first_name | ssn |\n|:---|---:|\n| [PERSON] | [US_SSN] |\n');
  assert.equal(mask('\ufeff ?column? | ssn\n----------+-----\n x        | 078-05-1120\n'), '\ufeff ?column? | ssn\n----------+-----\n x        | [US_SSN]\n');
  const mysql = '+------------+-------------+\n| first_name | ssn         |\n+------------+-------------+\n| Hope       | 078-05-1120 |\n+------------+-------------+\n1 row in set (0.00 sec)\n';
  assert.equal(mask(mysql), '+------------+-------------+\n| first_name | ssn         |\n+------------+-------------+\n| [PERSON]       | [US_SSN] |\n+------------+-------------+\n1 row in set (0.00 sec)\n');
});

test('streams: a JSON document, JSON Lines and a table split anywhere give what the whole text gives', async () => {
  const doc = JSON.stringify({ users: Array.from({ length: 120 }, (_, i) => ({ id: i, first_name: 'Hope', ssn: '123-45-6789', phone: 4155550123, 'k@x.org': i, note: 'ok "q" [x] {y}' })) }, null, 2);
  const lines = Array.from({ length: 120 }, (_, i) => JSON.stringify({ id: i, last_name: 'Grant', ssn: '123-45-6789' })).join('\n') + '\n';
  const csv = 'first_name,last_name,ssn,city\n' + Array.from({ length: 150 }, () => 'Hope,Grant,123-45-6789,"Austin, ""TX"""').join('\r\n') + '\n';
  const psql = ' first_name | ssn\n------------+-----\n' + Array.from({ length: 150 }, () => ' Hope       | 123-45-6789').join('\n') + '\n(150 rows)\n';
  for (const text of [doc, lines, csv, psql]) {
    const whole = mask(text);
    assert.equal(whole.includes('Hope') || whole.includes('Grant') || whole.includes('123-45-6789'), false);
    for (const size of [1, 97, 700, 5000]) assert.equal(await streamed(text, size, { chunk: 512, overlap: 64 }), whole, `chunks of ${size}`);
  }
  // A single string longer than maxUnit cannot be waited for: from there the stream is masked as text.
  const long = JSON.stringify({ note: 'x'.repeat(3000) + ' bob@example.com', ssn: '123-45-6788' });
  const out = await streamed(long, 100, { chunk: 512, overlap: 64, maxUnit: 1024 });
  assert.equal(out.includes('bob@example.com') || out.includes('123-45-6788'), false);
});

test('the field names a detector reads are all scanned on their own (fieldMatters covers them)', () => {
  const root = fileURLToPath(new URL('.', import.meta.url));
  const numbers = readFileSync(`${root}detectors/numbers.ts`, 'utf8');
  // person.ts builds FIELD_IS_NAME and FIELD_IS_PLACE from these lists.
  const words: string[] = ['name', 'user_name', ...NAME_FIELD_WORDS, ...[...NAME_FIELD_OWNERS, ...NAME_FIELD_PARTS, ...NAME_FIELD_KINDS].map((w) => `${w}_name`), ...PLACE_FIELD_WORDS, ...PLACE_FIELD_WORDS.map((w) => `${w}_name`)];
  for (const [, body] of numbers.matchAll(/field && \/([^/]+)\/\.test\(field\)/g)) words.push(...body.replace(/^\(\?:|\)$/g, '').split('|').map((w) => w.replace(/\[cs\]/, 'c')));
  assert.ok(words.length > 30 && words.includes('phone') && words.includes('city'), JSON.stringify(words));
  for (const w of words) assert.ok(fieldMatters(normaliseField(w)), `field "${w}" is read by a detector but fieldMatters misses it`);
  for (const w of ['created_at', 'note', 'status', 'description', 'tags']) assert.equal(fieldMatters(w), false, w);
  for (const w of ['id', 'order_id', 'invoice_no', 'ticket']) assert.equal(fieldRole(w), 2, w);
});

test('generated JSON: the output is valid JSON of the same shape, with no e-mail or SSN left, streamed or not', async () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const pieces = ['ann@example.org', '536-22-8714', 'Will Young', 'caf\u00e9', 'a "quoted" word', 'back\\slash', 'line\nbreak', 'tab\there', '\u2028', '😀', 'Austin', '4155550123', ' '];
  const keys = ['first_name', 'note', 'ssn', 'phone', 'city', 'order_id', 'id', 'tags', 'bob@example.com', 'k\u00e9y', 'a"b'];
  const gen = (depth: number): unknown => {
    const r = rnd(depth > 3 ? 3 : 6);
    // JSON in a string is read as JSON when it is the whole string (in prose it is prose: the SSN below has no cue).
    if (r === 0 && rnd(5) === 0) return '{"ssn":"219-09-9999"}';
    if (r === 0) return Array.from({ length: rnd(4) + 1 }, () => pieces[rnd(pieces.length)]).join(rnd(2) ? ' ' : ', ');
    if (r === 1) return [5551234567, 42, 123456789, -1.5e3, 0][rnd(5)];
    if (r === 2) return [true, false, null][rnd(3)];
    if (r === 3) return Array.from({ length: rnd(4) }, () => gen(depth + 1));
    const o: Record<string, unknown> = {};
    for (let k = rnd(5); k > 0; k--) o[keys[rnd(keys.length)]] = gen(depth + 1);
    return o;
  };
  const shape = (v: unknown): unknown => (Array.isArray(v) ? v.map(shape) : v !== null && typeof v === 'object' ? Object.values(v).map(shape) : typeof v === 'number' || typeof v === 'string' ? 's' : v);
  for (let i = 0; i < 300; i++) {
    const v = { root: gen(0), mail: 'carl@example.org' };
    const text = i % 3 === 0 ? JSON.stringify(v, null, 2) : i % 3 === 1 ? JSON.stringify(v) : JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
    const out = mask(text);
    const parsed = JSON.parse(out) as unknown;
    assert.deepEqual(shape(parsed), shape(v), text);
    assert.doesNotMatch(JSON.stringify(parsed), /example\.org|536-22-8714|219-09-9999/, text);
    if (i % 10 === 0) {
      // Cut into tiny pieces the text around a value differs (a phone cue in a neighbouring key may be in another
      // piece), so the stream need not equal the whole; it is still valid JSON of the same shape, with nothing left.
      const s = JSON.parse(await streamed(text, 1 + rnd(50), { chunk: 64, overlap: 16 })) as unknown;
      assert.deepEqual(shape(s), shape(v), text);
      assert.doesNotMatch(JSON.stringify(s), /example\.org|536-22-8714|219-09-9999/, text);
    }
  }
});

test('generated CSV: the output has the same rows and cells, with no e-mail or SSN left', () => {
  let seed = 11;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const pieces = ['ann@example.org', '536-22-8714', 'Will Young', 'a, b', 'say "hi"', 'two\nlines', 'Austin', '4155550123', '', 'x;y', 'tab\tin'];
  const cols = ['first_name', 'note', 'ssn', 'phone', 'city', 'order_id', 'email'];
  const enc = (c: string) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  // RFC 4180 reader for the check.
  const read = (t: string) => {
    const rows: string[][] = [[]];
    let cell = '', q = false;
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (q) {
        if (c === '"' && t[i + 1] === '"') (cell += '"'), i++;
        else if (c === '"') q = false;
        else cell += c;
      } else if (c === '"') q = true;
      else if (c === ',') rows[rows.length - 1].push(cell), (cell = '');
      else if (c === '\n') rows[rows.length - 1].push(cell.replace(/\r$/, '')), (cell = ''), rows.push([]);
      else cell += c;
    }
    if (cell || rows[rows.length - 1].length) rows[rows.length - 1].push(cell);
    else rows.pop();
    return rows;
  };
  for (let i = 0; i < 200; i++) {
    const n = 2 + rnd(cols.length - 1);
    const header = cols.slice(0, n);
    const rows = Array.from({ length: 1 + rnd(6) }, () => header.map(() => Array.from({ length: rnd(3) }, () => pieces[rnd(pieces.length)]).join(' and ')));
    const nl = rnd(2) ? '\r\n' : '\n';
    const text = [header, ...rows].map((r) => r.map(enc).join(',')).join(nl) + (rnd(2) ? nl : '');
    const out = mask(text);
    const got = read(out);
    assert.deepEqual(got.map((r) => r.length), [header, ...rows].map((r) => r.length), `${text}\n=>\n${out}`);
    assert.doesNotMatch(out, /example\.org|536-22-8714/, `${text}\n=>\n${out}`);
  }
});

test('E12: SQL dumps: the column list of INSERT … VALUES and COPY … FROM stdin is the header of the values', () => {
  const ins = "INSERT INTO public.users (id, first_name, last_name, email, phone, ssn, created_at) VALUES (1, 'Grace', 'Hopper', 'grace.hopper@example.com', '+1-202-555-0143', '536-22-8714', '2024-01-15 09:30:00'), (2, 'Hope', 'O''Neil', NULL, '+1-202-555-0144', 536228715, DEFAULT);";
  assert.equal(
    mask(ins),
    "INSERT INTO public.users (id, first_name, last_name, email, phone, ssn, created_at) VALUES (1, '[PERSON]', '[PERSON]', '[EMAIL]', '[PHONE]', '[US_SSN]', '2024-01-15 09:30:00'), (2, '[PERSON]', '[PERSON]', NULL, '[PHONE]', '[US_SSN]', DEFAULT);",
  );
  // Quoted identifiers (MySQL backticks), lower case, inside other text.
  assert.equal(mask("-- dump\ninsert into `users` (`id`, `first_name`) values (7, 'Grace');\nselect 1;"), "-- dump\ninsert into `users` (`id`, `first_name`) values (7, '[PERSON]');\nselect 1;");
  const copy = 'SET x = 1;\nCOPY public.patients (id, name, dob, mrn) FROM stdin;\n1\tOlga Petrova\t1979-05-14\tMRN-0048213\n2\tKwame Mensah\t1988-09-23\t\\N\n3\tshort row\n\\.\n\nSELECT 1;\n';
  const out = mask(copy);
  assert.equal(out.includes('1988-09-23'), false);
  assert.equal(out.includes('Kwame'), false);
  assert.ok(out.startsWith('SET x = 1;\nCOPY public.patients (id, name, dob, mrn) FROM stdin;\n1\t[PERSON]\t[DATE_OF_BIRTH]\t'));
  assert.ok(out.includes('\t\\N\n3\tshort row\n\\.\n\nSELECT 1;\n'));
  // Look-alikes: prose and SQL without a column list are read as before.
  for (const t of ['Please insert into the form (name) the values asked.', "INSERT INTO t VALUES (1, 'Grace')", 'COPY t FROM stdin;\n1\tGrace\n\\.\n']) {
    assert.equal(mask(t), m.maskTextSync(t, {}).text);
    assert.deepEqual(m.scanSync(t).map((f) => f.type), plainFindings(t).map((f) => f.type));
  }
});

test('E22: a table inside a unified diff is read with the prefix column stripped; prefixes stay', () => {
  const d =
    'diff --git a/data/customers.csv b/data/customers.csv\n--- a/data/customers.csv\n+++ b/data/customers.csv\n@@ -1,3 +1,4 @@\n id,first_name,last_name,email,phone\n 1,Grace,Hopper,grace@example.com,415-555-0172\n-2,Hope,Summers,hope@example.com,415-555-0199\n+2,Hope,Summers-Lee,hope.lee@example.com,415-555-0199\n+3,Will,Turner,will@example.com,+44 20 7946 0958\ndiff --git a/x.ts b/x.ts\n@@ -1 +1 @@\n-const a = 1;\n+const a = 2;\n';
  assert.equal(
    mask(d),
    'diff --git a/data/customers.csv b/data/customers.csv\n--- a/data/customers.csv\n+++ b/data/customers.csv\n@@ -1,3 +1,4 @@\n id,first_name,last_name,email,phone\n 1,[PERSON],[PERSON],[EMAIL],[PHONE]\n-2,[PERSON],[PERSON],[EMAIL],[PHONE]\n+2,[PERSON],[PERSON],[EMAIL],[PHONE]\n+3,[PERSON],[PERSON],[EMAIL],[PHONE]\ndiff --git a/x.ts b/x.ts\n@@ -1 +1 @@\n-const a = 1;\n+const a = 2;\n',
  );
  // A hunk of code (no table) is plain text as before.
  const code = '@@ -1,2 +1,2 @@\n-const who = "Grace";\n+const who = "Hope", mail = "a@example.com";\n';
  assert.equal(mask(code), m.maskTextSync(code).text);
  assert.deepEqual(m.scanSync(code).map((f) => f.type), plainFindings(code).map((f) => f.type));
});

test('E16: space-aligned tables (pandas, column -t) read columns by position under a header of identifiers', () => {
  // pandas (right-aligned, an index column), as DataFrame.to_string() prints it.
  const pd = '  id first_name last_name             email\n0  1      Grace    Hopper grace@example.com\n1  2       Hope     Smith  hope@example.com\n\n[2 rows x 4 columns]\n';
  assert.equal(pd.replace(/Grace|Hopper|Hope|Smith/g, '[PERSON]').replace(/\w+@example\.com/g, '[EMAIL]'), mask(pd));
  const pd2 = '           name         dob\n0  Olga Petrova  1979-05-14\n1  Kwame Mensah  1988-09-23\n';
  assert.equal(mask(pd2), '           name         dob\n0  [PERSON]  [DATE_OF_BIRTH]\n1  [PERSON]  [DATE_OF_BIRTH]\n');
  // Hand-aligned: one word per column, each under its name.
  assert.equal(mask('   id first_name last_name                 email\n0   1      Grace    Hopper  grace@example.com\n1   2        Hope     Smith  hope@example.com\n'), '   id first_name last_name                 email\n0   1      [PERSON]    [PERSON]  [EMAIL]\n1   2        [PERSON]     [PERSON]  [EMAIL]\n');
  // column -t (left-aligned); in a Jupyter output's text/plain (a JSON string) too.
  const ct = 'id  first_name  last_name\n1   Grace       Hopper\n2   Hope        Smith\n';
  assert.equal(mask(ct), 'id  first_name  last_name\n1   [PERSON]       [PERSON]\n2   [PERSON]        [PERSON]\n');
  assert.equal(JSON.parse(mask(JSON.stringify({ data: { 'text/plain': ct } }))).data['text/plain'], mask(ct));
  // Look-alikes: prose, a header that is not identifiers, rows that do not sit under the header: as before.
  for (const t of [
    'Dear  Sir,\nHope Smith wrote to you today\n',
    'Hello there\nHello world\n',
    'Martin Karlsen\n\nLos Angeles\nUnited States',
    'Martin  Karlsen\nLos     Angeles\n',
    'USER  PID %CPU\nroot  1   0.0\n',
    'name  note\nthis line is prose that does not line up with anything at all, Hope Smith\n',
    'NAME                     READY   STATUS\nweb-7d9f8b6c5d-x2x4q     1/1     Running\n',
  ]) {
    assert.deepEqual(m.scanSync(t).map((f) => f.type), plainFindings(t).map((f) => f.type), t);
  }
});

test('E13: percent-encoded query values are read decoded, with the parameter name as field context', () => {
  assert.equal(mask('GET /v1/users?email=sam.lee%40example.com&phone=%2B14155550172 HTTP/1.1\n'), 'GET /v1/users?email=[EMAIL]&phone=[PHONE] HTTP/1.1\n');
  // An encoded URL in a parameter: only the e-mail inside is replaced, every other escape kept.
  assert.equal(mask('redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Femail%3Djoe%40example.com\n'), 'redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Femail%3D[EMAIL]\n');
  assert.equal(mask('[Reset password](https://app.example.com/reset?step=2&email=sam.lee%40example.com)'), '[Reset password](https://app.example.com/reset?step=2&email=[EMAIL])');
  // In a JSON string, and multi-byte escapes before the finding map back to the right bytes.
  assert.equal(mask('{"url": "https://x.example.com/?email=sam.lee%40example.com"}'), '{"url": "https://x.example.com/?email=[EMAIL]"}');
  assert.equal(mask('q=%F0%9F%98%80%C3%A9%20sam%40example.com%20ok'), 'q=%F0%9F%98%80%C3%A9%20[EMAIL]%20ok');
  // A replacement that is not a plain label is percent-encoded.
  const p = createMasker(maskingConfigSchema.parse({ profiles: { p: { transforms: { EMAIL: 'partial' } } } }));
  const out = p.maskTextSync('?email=sam.lee%40example.com&x=1', { profile: 'p' }).text;
  assert.match(out, /^\?email=[A-Za-z0-9%*._~[\]:-]+&x=1$/);
  assert.equal(decodeURIComponent(out).includes('sam.lee@example.com'), false);
  // Look-alikes: percent signs that are no escapes, escapes that do not decode, no `name=`: as before.
  for (const t of ['discount 50% off, 100%=full, a%41b=%zz', 'x=%E0%A4%A sam', 'path /a%20b/%40c', 'progress 10%20 done']) {
    assert.deepEqual(m.scanSync(t).map((f) => f.type), plainFindings(t).map((f) => f.type), t);
    assert.equal(mask(t), t);
  }
});

test('E17: base64 / base64url runs that decode to JSON are masked decoded and written back re-encoded', () => {
  const j = JSON.stringify({ user: { name: 'Olga Petrova', email: 'olga.petrova@example.com', ssn: '536-22-8714' } });
  const masked = '{"user":{"name":"[PERSON]","email":"[EMAIL]","ssn":"[US_SSN]"}}';
  const std = Buffer.from(j).toString('base64');
  const url = Buffer.from(j).toString('base64url');
  const r = m.maskTextSync(`payload=${std}\n`);
  assert.equal(r.text, `payload=${Buffer.from(masked).toString('base64')}\n`);
  assert.deepEqual(r.findings.map((f) => f.type), ['PERSON', 'EMAIL', 'US_SSN']);
  assert.equal(mask(`X-User-Context: ${url}\nok`), `X-User-Context: ${Buffer.from(masked).toString('base64url')}\nok`);
  // In a JSON string and a CSV cell.
  assert.equal(JSON.parse(mask(JSON.stringify({ payload: std, n: 1 }))).payload, Buffer.from(masked).toString('base64'));
  assert.equal(mask(`id,ctx\n1,${url}\n`), `id,ctx\n1,${Buffer.from(masked).toString('base64url')}\n`);
  // Pretty-printed JSON with a line break.
  const pretty = Buffer.from(JSON.stringify({ email: 'sam@example.com' }, null, 2)).toString('base64');
  assert.equal(Buffer.from(mask(`data ${pretty} end`).split(' ')[1], 'base64').toString(), '{\n  "email": "[EMAIL]"\n}');
  // Look-alikes: JSON without findings, a JWT, a token under a secret name (masked whole, as before), not JSON,
  // bytes that are no UTF-8 text: as the plain scan has them.
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.' + Buffer.from('{"sub":"1234567890","email":"a@example.com"}').toString('base64url') + '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  for (const t of [
    `plain ${Buffer.from('{"status":"ok","count":3}').toString('base64')} end`,
    `auth ${jwt}`,
    `token=${std}`,
    `blob ${Buffer.from('hello Olga Petrova olga@example.com not json').toString('base64')}`,
    `bin eyJ${Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0]).toString('base64')}`,
  ]) {
    assert.deepEqual(m.scanSync(t).map((f) => `${f.type} ${f.start} ${f.end}`), plainFindings(t).map((f) => `${f.type} ${f.start} ${f.end}`), t);
  }
  assert.equal(mask(`token=${std}`).includes(std), false);
});

test('embedded readers on large and adversarial input: no failure, same bytes where nothing is found', () => {
  const rows = 'id  first_name\n' + '1   Grace\n'.repeat(20000);
  assert.equal(mask(rows), 'id  first_name\n' + '1   [PERSON]\n'.repeat(20000));
  const pct = 'a=' + '%41'.repeat(100000);
  assert.equal(mask(pct), pct);
  const copy = 'COPY t (id, note) FROM stdin;\n' + '\t'.repeat(100000) + '\n\\.\n';
  assert.equal(mask(copy), copy);
  const ins = 'INSERT INTO t (a, b '.repeat(20000);
  assert.equal(mask(ins), ins);
});

test('streams: SQL dumps, diffs, query values and base64 JSON in a text stream are read as structure too', async () => {
  const j = Buffer.from(JSON.stringify({ email: 'olga.petrova@example.com' })).toString('base64');
  const texts = [
    'COPY public.patients (id, name, dob) FROM stdin;\n1\tOlga Petrova\t1979-05-14\n2\tKwame Mensah\t1988-09-23\n\\.\n',
    '@@ -1,2 +1,3 @@\n id,first_name\n 1,Grace\n+2,Hope\n',
    'GET /v1/users?email=sam.lee%40example.com HTTP/1.1\nmail bob@example.com\n',
    `payload=${j}\n`,
  ];
  for (const t of texts) {
    const whole = mask(t);
    assert.notEqual(whole, t);
    assert.equal(await streamed(t, 7, { chunk: 4096, overlap: 256 }), whole, t);
  }
});

test('E12: INSERT without a column list takes the columns of the CREATE TABLE in the same dump', () => {
  const my = "CREATE TABLE `users` (\n  `id` int(11) NOT NULL,\n  `first_name` varchar(64) DEFAULT NULL,\n  `dob` date,\n  `price` decimal(10,2) DEFAULT '1,2',\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\nINSERT INTO `users` VALUES (1,'Grace','1979-05-14',3.50),(2,'Hope','1988-09-23',NULL);\n";
  assert.ok(mask(my).endsWith("INSERT INTO `users` VALUES (1,'[PERSON]','[DATE_OF_BIRTH]',3.50),(2,'[PERSON]','[DATE_OF_BIRTH]',NULL);\n"));
  const pg = "CREATE TABLE public.patients (\n    id integer NOT NULL,\n    name text,\n    dob date\n);\nINSERT INTO public.patients VALUES (2, 'Kwame Mensah', '1988-09-23');\n";
  assert.ok(mask(pg).endsWith("INSERT INTO public.patients VALUES (2, '[PERSON]', '[DATE_OF_BIRTH]');\n"));
  // Another table, or rows of another width: as the plain scan has them.
  for (const t of [pg + "INSERT INTO other VALUES (1, 'Hope');\n", pg.replace("(2, 'Kwame Mensah', '1988-09-23')", "(2, 'Hope')")]) {
    const tail = t.slice(t.lastIndexOf('INSERT'));
    assert.equal(mask(t).slice(mask(t).lastIndexOf('INSERT')), m.maskTextSync(tail).text);
  }
});

test('a `<thing>_name` field is no person field; `name`, person `_name` fields and place `_name` fields are what they say (F1)', () => {
  // Things: table, host, product, company, service, event, file, team names are read as text, as a thing's name.
  const things = { table_name: 'Orders', host_name: 'Web Server', product_name: 'Macbook Air', company_name: 'Acme Corp', service_name: 'Billing API', event_name: 'User Signup', file_name: 'Quarterly Report.pdf', team_name: 'Platform Team', productName: 'Jordan', hostname: 'Web', app_display_name: 'Billing Service', repo_full_name: 'Octo Hello' };
  assert.equal(mask(JSON.stringify(things)), JSON.stringify(things));
  assert.deepEqual(m.maskValueSync(things).value, things);
  // Places: cities and countries under a place `_name` field are places.
  const places = { city_name: 'Paris', country_name: 'Germany', state_name: 'Texas', region_name: 'Lisbon', location_name: 'Houston', site_name: 'Berlin' };
  assert.equal(mask(JSON.stringify(places)), JSON.stringify(places));
  assert.equal(mask(' table_name | rows\n------------+------\n Orders     |   12\n Customers  |    3\n(2 rows)\n'), ' table_name | rows\n------------+------\n Orders     |   12\n Customers  |    3\n(2 rows)\n');
  assert.equal(mask('product_name,price\nMacbook Air,999\nJordan,10\n'), 'product_name,price\nMacbook Air,999\nJordan,10\n');
  // A real person's name in a thing field is still found by the name lists (two known name words, or an honorific).
  assert.equal(mask('{"file_name":"Maria Garcia contract.pdf","company_name":"Mr. Jordan"}'), '{"file_name":"[PERSON] contract.pdf","company_name":"Mr. [PERSON]"}');
  // Person fields: `name` alone and names whose prefix says a person.
  const people = { name: 'Will Young', customer_name: 'Hope', patient_name: 'Grant', cardholder_name: 'Hope', contact_name: 'Grant', user_name: 'Hope', displayName: 'Hope', emergency_contact: 'Hope', first_name: 'jo', billing_first_name: 'Hope', customer_full_name: 'may bell', full_name: 'may bell' };
  assert.deepEqual(m.maskValueSync(people).value, Object.fromEntries(Object.keys(people).map((k) => [k, '[PERSON]'])));
  assert.equal(mask('customer_name,total\nHope,10\n'), 'customer_name,total\n[PERSON],10\n');
  // A display name or a repository's full name is no forced type: a lower-case value under it is left.
  assert.deepEqual(m.maskValueSync({ display_name: 'billing-bot', repo_full_name: 'octo/hello' }).value, { display_name: 'billing-bot', repo_full_name: 'octo/hello' });
  for (const f of ['table_name', 'host_name', 'product_name', 'display_name', 'app_display_name', 'repo_full_name', 'username']) assert.equal(fieldType(f), undefined, f);
  for (const f of ['first_name', 'last_name', 'billing_first_name', 'surname', 'full_name', 'customer_full_name', 'fullName']) assert.equal(fieldType(f), 'PERSON', f);
});

test('a masked key gives its value no field context, and a key masked now takes no key already spelled that way (F3)', () => {
  const once = mask('{"jane@x.com":"active","10.1.2.3":"web-01","+14155550172":"Mobile","ann@x.org":"Hope"}');
  assert.equal(once, '{"[EMAIL]":"active","[IP_ADDRESS]":"web-01","[PHONE]":"Mobile","[EMAIL]#":"Hope"}');
  assert.equal(mask(once), once);
  assert.deepEqual(m.maskValueSync(JSON.parse(once)).value, JSON.parse(once));
  // Tokens and hashes as keys, columns of tables, and a JSON key in plain text (json-key) say nothing either.
  assert.equal(mask('{"[PHONE:0123456789abcdef]":"Mobile","[EMAIL:tok_AAAAAAAAAAAAAAAAAAAAAA]":"active"}'), '{"[PHONE:0123456789abcdef]":"Mobile","[EMAIL:tok_AAAAAAAAAAAAAAAAAAAAAA]":"active"}');
  assert.equal(mask('[PHONE],[EMAIL],[US_SSN]\nwork,active,12\n'), '[PHONE],[EMAIL],[US_SSN]\nwork,active,12\n');
  assert.equal(mask(' [PHONE] | [EMAIL]\n---------+---------\n Mobile  | active\n'), ' [PHONE] | [EMAIL]\n---------+---------\n Mobile  | active\n');
  for (const f of ['[PHONE]', '[EMAIL]#', '[US_SSN:0123456789abcdef]', '[DATE_OF_BIRTH]']) {
    assert.equal(fieldType(f), undefined, f);
    assert.equal(m.maskTextSync('Mobile 2020-01-02', { field: f }).text, 'Mobile 2020-01-02', f);
  }
  assert.equal(mask('Echo: {"[PHONE]": "Mobile", "[US_SSN]": 12345}'), 'Echo: {"[PHONE]": "Mobile", "[US_SSN]": 12345}');
  // Beside a label, the rest of a key still counts; a real value under a masked key is still found.
  assert.equal(mask('{"[EMAIL]":"bob@example.com","x":"[EMAIL]"}'), '{"[EMAIL]":"[EMAIL]","x":"[EMAIL]"}');
  // De-duplication against every key of the object, before or after, escaped or not; JSON stays one key per name.
  for (const [input, want] of [
    ['{"[EMAIL]":"already masked","a@b.com":"new"}', '{"[EMAIL]":"already masked","[EMAIL]#":"new"}'],
    ['{"a@b.com":"new","[EMAIL]":"already masked"}', '{"[EMAIL]#":"new","[EMAIL]":"already masked"}'],
    ['{"a@b.com":1,"[EMAIL]":2,"[EMAIL]#":3,"c@d.com":4}', '{"[EMAIL]##":1,"[EMAIL]":2,"[EMAIL]#":3,"[EMAIL]###":4}'],
    ['{"a@b.com":1,"\\u005bEMAIL]":2}', '{"[EMAIL]#":1,"\\u005bEMAIL]":2}'],
    ['{"o":{"[EMAIL]":1},"a@b.com":2}', '{"o":{"[EMAIL]":1},"[EMAIL]":2}'],
  ]) {
    const out = mask(input);
    assert.equal(out, want, input);
    assert.equal(Object.keys(JSON.parse(out)).length, Object.keys(JSON.parse(input)).length, input);
    assert.deepEqual(Object.keys(m.maskValueSync(JSON.parse(input)).value as object), Object.keys(JSON.parse(want)), input);
  }
});

// A whole URL or query percent-encoded in a text, with no `name=` of its own before it (a logged redirect target,
// an encoded callback path): a run that holds an encoded `=` (`%3D`) is read decoded, without a field.
test('a percent-encoded query with no name= before it is read decoded', () => {
  assert.equal(mask('GET /cb%3Ftoken%3DZk29vQ7pLmN2aa88bb%26page%3D2 HTTP/1.1'), 'GET /cb%3Ftoken%3D[SECRET]%26page%3D2 HTTP/1.1');
  assert.equal(mask('url: https%3A%2F%2Fapp.example.com%2Fcb%3Fstate%3Dxyz%26password%3DXk29vQ7pLmN2'), 'url: https%3A%2F%2Fapp.example.com%2Fcb%3Fstate%3Dxyz%26password%3D[PASSWORD]');
  assert.equal(mask('note: x%20pw%3DHunter2Hunter2 sent'), 'note: x%20pw%3D[PASSWORD] sent');
  assert.equal(mask('to%3Dsam.lee%40example.com'), 'to%3D[EMAIL]');
  // An encoded `=` in a value that has nothing to find, a `%3D` that is base64 padding: as before.
  for (const t of ['sig%3D%3D', 'path /a%3Db/c%20d', 'state%3Dxyz%26page%3D2']) {
    assert.deepEqual(m.scanSync(t).map((f) => f.type), plainFindings(t).map((f) => f.type), t);
    assert.equal(mask(t), t);
  }
});
