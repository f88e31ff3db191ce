import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMasker } from '../index.js';
import { hasCue, hasCueSlow, isParticle, KEY_BEFORE, keyBefore } from './person.js';

// PERSON reads three things by code unit that were sliced and matched before: the cue before a word (hasCue, against
// the sliced, lower-cased, trimmed text), the key before a value (keyBefore, against KEY_BEFORE) and the particle
// between two name words (isParticle, against the particle set on the trimmed slice). Each must agree with what it
// replaces on generated text aimed at it, beyond ASCII included (İ lower-cases to two code units, K to k).
let seed = 20261122;
const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
const gen = (parts: string[], max: number) => {
  let s = '';
  for (let j = rnd(max); j > 0; j--) s += parts[rnd(parts.length)];
  return s;
};

test('hasCue agrees with the sliced, lower-cased text', () => {
  const parts = ['my name is', 'Name Is', 'I AM', "i'm", 'hi', 'Hello', 'dear', 'thank you', 'by', 'with', 'attn:', 'cc:', 'from:', 'to:', 'and', ',', 'is',
    'last name?', 'ex-zombie', 'son', ' ', '  ', '\t', '\n', '\u00a0', 'x', 'Z', 'a', 'İ', 'K', 'é', 'Ä', 'ß', '\u2028', 'name', 'ask ', 'for', 'called', 'said'];
  let yes = 0;
  for (let i = 0; i < 150_000; i++) {
    const text = gen(parts, 10) + 'Ann';
    const start = text.length - 3;
    const want = hasCueSlow(text, Math.max(0, start - 24), start);
    assert.equal(hasCue(text, Uint16Array.from(text, (ch) => ch.charCodeAt(0)), start), want, JSON.stringify(text));
    if (want) yes++;
  }
  assert.ok(yes > 20_000, `${yes} cues`);
});

test('keyBefore is the key KEY_BEFORE captures', () => {
  const parts = ['city', 'Country', 'home_town', 'x', '"', "'", ':', '=', ' ', '  ', '\t', '\u00a0', '-', '1', 'é', 'key', ': "', '= \'', '"city": "', '{'];
  let keys = 0;
  for (let i = 0; i < 150_000; i++) {
    const text = gen(parts, 14) + 'Lisbon';
    const start = text.length - 6;
    const m = KEY_BEFORE.exec(text.slice(Math.max(0, start - 40), start));
    assert.equal(keyBefore(text, start), m ? m[1] : '', JSON.stringify(text));
    if (m) keys++;
  }
  assert.ok(keys > 20_000, `${keys} keys`);
});

test('isParticle is the particle set on the trimmed slice', () => {
  const particles = new Set(['van', 'de', 'der', 'den', 'von', 'da', 'di', 'del', 'della', 'la', 'le', 'du', 'bin', 'ibn', 'al', 'ben', 'dos', 'das', 'y', 'ter', 'ten', 'zu', 'af', 'los', 'las']);
  const parts = ['van', 'de', 'r', 'n', 'della', 'y', 'a', 'l', 'D', 'É', ' ', '\u00a0', '\t', 'zu', 'af', 'x', '\ufeff'];
  for (let i = 0; i < 150_000; i++) {
    const inner = gen(parts, 5);
    const text = 'Ann ' + inner + ' Bo';
    const cu = Uint16Array.from(text, (ch) => ch.charCodeAt(0));
    assert.equal(isParticle(cu, 3, 4 + inner.length + 1), particles.has(text.slice(3, 4 + inner.length + 1).trim()), JSON.stringify(inner));
  }
});

// Behaviour: what the detector masks as PERSON, with the look-alikes it must leave alone.
const engine = createMasker();
const scan = (t: string): string[] => engine.scanSync(t).filter((f) => f.type === 'PERSON').map((f) => t.slice(f.start, f.end));

test('header, trailer and contact labels are not speakers; real speakers still are (D2, D35)', () => {
  for (const t of ['Content-Type: application/json', 'User-Agent: Mozilla/5.0', 'X-Request-Id: 9f1c', 'Proxy-Authorization: Bearer x',
    'X-Api-Key: abc', 'X-Amz-Date: 20260314T102233Z', 'Referer: https://example.com/', 'Tel: 1', 'Telefon: 030 1234567', 'Ref: 020 7946 0958',
    'Fax: +1 415 555 0173', 'Headcount: 580', 'Tlf: 22 33 44 55', 'Co-authored-by: bot', 'Accept-Encoding: gzip, deflate']) {
    assert.deepEqual(scan(t), [], t);
  }
  assert.deepEqual(scan('User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'), []);
  assert.deepEqual(scan('Maria: can you check the invoice?'), ['Maria']);
  assert.deepEqual(scan('Dr. Chen: the results are fine'), ['Chen']);
  assert.deepEqual(scan('Kowalczyk: "who are you?"'), ['Kowalczyk']);
  assert.deepEqual(scan('Smith-Jones: hi there'), ['Smith-Jones']);
  assert.deepEqual(scan('Jean-Luc: ready'), ['Jean-Luc']);
  assert.deepEqual(scan('Signed-off-by: Linus Torvalds <t@l.org>'), ['Linus Torvalds']);
});

test('software and product names, alone or in lists, are not people (D11)', () => {
  for (const t of ['We deploy with Kubernetes and Terraform.', 'Docker image', 'Price list: Basic $9.99, Pro $29.99', 'Java: at com.example.X.run(X.java:1)',
    'We use Docker, Kafka and Jenkins.', 'We deploy with Docker and Kubernetes; metrics go to Redis.', 'Built with Jenkins', 'Kubernetes, Terraform, Grafana, Prometheus, Jenkins, Ansible, Kafka, Redis, Django, Flask, Rails, Laravel, Angular, Vue, Svelte, Ember, Jasmine, Mocha, Jest, Chai, Sinon, Karma, Cypress, Selenium, Puppeteer, Hugo, Jekyll, Gatsby, Astro, Remix, Deno, Bun']) {
    assert.deepEqual(scan(t), [], t);
  }
  // People still: with a title, a surname, a greeting, in a list of people, or ending a sentence as a vocative.
  assert.deepEqual(scan('Mr. Jenkins called.'), ['Jenkins']);
  assert.deepEqual(scan('Thanks, Grant'), ['Grant']);
  assert.deepEqual(scan("Don't go to town, Mark!"), ['Mark']);
  assert.deepEqual(scan('Is there a better song? Muslija and Brown were engineers.').sort(), ['Brown', 'Muslija']);
  // Given names that are also products stay names in a list of people; a software word there needs a surname.
  assert.deepEqual(scan('Invited: Hugo, Jasmine, Karma and Docker.'), ['Hugo', 'Jasmine', 'Karma']);
  assert.deepEqual(scan('Invited: Hugo, Jasmine and Sam Docker.'), ['Hugo', 'Jasmine', 'Sam Docker']);
  assert.deepEqual(scan('Anna, Grant and Hope came.').sort(), ['Anna', 'Grant', 'Hope']);
});

test('a place after a postal code or a locative is not a name, and a name found elsewhere does not change that (D8)', () => {
  assert.deepEqual(scan('Adresse: Hauptstraße 12, 10115 Berlin.\nFlights from Berlin to Lisbon.'), []);
  for (const t of ['Su dirección es Calle de Alcalá 48, 28014 Madrid.', 'Adresse : F-75008 Paris.', 'A-1010 Wien', 'Le escribimos desde Madrid.',
    'Né le 02/11/1965 à Lyon.', 'Ich komme aus Berlin.', 'Wir fliegen nach Berlin.']) {
    assert.deepEqual(scan(t), [], t);
  }
  assert.deepEqual(scan('João da Silva, Rua Augusta 10, 1100-053 Lisboa'), ['João da Silva']);
  assert.deepEqual(scan('I met Pierre in Paris and Hans in Wien.'), ['Pierre', 'Hans'], 'a place in a list beside a name is still a place');
  // A year is not a postal code; an honorific still says person.
  assert.deepEqual(scan('In 2019 Angela Merkel said'), ['Angela Merkel']);
  assert.deepEqual(scan('Ticket 4411: Mr. Berlin called. Flights from Berlin to Lisbon.'), ['Berlin']);
});

test('a name after a salutation or label and an honorific, accented or not (D5)', () => {
  assert.deepEqual(scan('Estimada Sra. María José García López'), ['María José García López']);
  assert.deepEqual(scan('Paciente Sra. María García'), ['María García']);
  assert.deepEqual(scan('Cliente Sr. José Pérez'), ['José Pérez']);
  assert.deepEqual(scan('Xyzzy Mr. José Pérez'), ['José Pérez']);
  assert.deepEqual(scan('Bonjour Monsieur François Lefèvre,'), ['François Lefèvre']);
  // "Dr" without its dot after a word is a street, not a title.
  assert.deepEqual(scan('sent to 1737 Cheriton Dr Reuquén Extensions'), []);
  assert.deepEqual(scan('15 Oak Dr. Springfield'), []);
});

test('German, Spanish and French letters: function words, greetings and sign-offs are not names (D7)', () => {
  assert.deepEqual(scan('Sehr geehrte Frau Müller, vielen Dank für Ihre Nachricht.'), ['Müller']);
  assert.deepEqual(scan('Herr Jürgen Weiß aus der Buchhaltung wird sich bei Ihnen melden.'), ['Jürgen Weiß']);
  assert.deepEqual(scan('Mit freundlichen Grüßen, Anneliese Schröder'), ['Anneliese Schröder']);
  assert.deepEqual(scan('Atentamente, Javier Fernández'), ['Javier Fernández']);
  assert.deepEqual(scan('Nous avons bien reçu votre dossier. Adresse : voir ci-dessous.'), []);
  assert.deepEqual(scan('Cordialement, Émilie Dubois'), ['Émilie Dubois']);
  assert.deepEqual(scan('Le escribimos desde Madrid. Su pedido está listo.'), []);
  assert.deepEqual(scan('Gracias, Pedro'), ['Pedro']);
  assert.deepEqual(scan('Liebe Anna, danke!'), ['Anna']);
  // Given names that are also stop words stay names.
  assert.deepEqual(scan('Ella: what a day'), ['Ella']);
});

test('a line break ends a salutation, a list or a vocative: the next line is no name (E09); Email is a form label (E14)', () => {
  assert.deepEqual(scan('Hi Anna,\nThe invoice is attached.'), ['Anna']);
  assert.deepEqual(scan('Hi Anna,\n\nThe invoice is attached.'), ['Anna']);
  assert.deepEqual(scan('Hello Tom,\nWe have updated the server.'), ['Tom']);
  assert.deepEqual(scan('Dear Mr. Smith,\r\nThe invoice is attached.'), ['Smith']);
  assert.deepEqual(scan('Tom and\nThe rest'), ['Tom']);
  // A sign-off before the comma still makes the next line a name; on one line the list still holds.
  assert.deepEqual(scan('Best regards,\nZbrzezniak'), ['Zbrzezniak']);
  assert.deepEqual(scan('Thanks,\nZbrzezniak Qwulf'), ['Zbrzezniak Qwulf']);
  assert.deepEqual(scan('Anna, Zbrzezniak and Brown'), ['Anna', 'Zbrzezniak', 'Brown']);
  // Email labels are form labels like Phone/Fax; a real speaker is still one.
  assert.deepEqual(scan('Name: Bob Stone\nEmail: bob@example.com\nPhone: 415-555-0172'), ['Bob Stone']);
  for (const t of ['Email: none', 'Emails: none', 'E-mail: none', 'EMAIL: none']) assert.deepEqual(scan(t), [], t);
  assert.deepEqual(scan('Kowalczyk: can you check'), ['Kowalczyk']);
});

test('code identifiers, reason codes and folders are not names; the user of a home or profile path is (E11, E19)', () => {
  for (const t of ['java.lang.NullPointerException: x', 'stripe.error.CardError: declined', '    raise error.CardError("Your card was declined.")',
    'self.Manager.run()', 'C:\\Windows\\Temp\\x.log', 'cp /srv/Backup/x.txt .', '  Warning  BackOff    2m    kubelet   Back-off restarting', 'Reason: BackOff',
    'Reason: CrashLoopBackOff, FailedScheduling', 'Log: /home/runner/work', 'Log: /home/ubuntu/x', 'C:\\Users\\Public\\x', 'Log: /Users/Shared/x']) {
    assert.deepEqual(scan(t), [], t);
  }
  assert.deepEqual(scan('C:\\Users\\Priya.Sharma\\AppData\\Local\\Temp\\x.log'), ['Priya.Sharma']);
  assert.deepEqual(scan('/Users/Michael.Johnson/go/src/server.go:213'), ['Michael.Johnson']);
  assert.deepEqual(scan('at /home/Michael.Johnson/app.js:10'), ['Michael.Johnson']);
  assert.deepEqual(scan('Log: /home/anna/x and /home/priya_sharma/y'), ['anna', 'priya_sharma']);
  // Names written with an inner capital, names between slashes in prose, and first.last in prose stay names.
  assert.deepEqual(scan('Mr. McDonald and DeShawn Jones met JoAnn Smith'), ['McDonald', 'DeShawn Jones', 'JoAnn Smith']);
  assert.deepEqual(scan('Dear MaryAnn,'), ['MaryAnn']);
  assert.deepEqual(scan('Mr. DiCaprio'), ['DiCaprio']);
  assert.deepEqual(scan('John/Mary came'), ['John', 'Mary']);
  assert.deepEqual(scan('Priya.Sharma wrote'), ['Priya', 'Sharma']);
});

test('names with an Arabic article or two particles are masked whole (E10)', () => {
  assert.deepEqual(scan('Please contact Ahmed al-Farsi about the refund.'), ['Ahmed al-Farsi']);
  assert.deepEqual(scan('Signed-off-by: Ahmed al-Farsi <a@b.ae>'), ['Ahmed al-Farsi']);
  assert.deepEqual(scan('Omar el-Sayed wrote'), ['Omar el-Sayed']);
  assert.deepEqual(scan('Co-authored-by: María de la Cruz <m@x.es>'), ['María de la Cruz']);
  assert.deepEqual(scan('Jan van der Berg called'), ['Jan van der Berg']);
  assert.deepEqual(scan('Ana de los Santos called'), ['Ana de los Santos']);
  // A hyphenated lower-case word that is no article stays out.
  assert.deepEqual(scan('Meet Ahmed as-is'), ['Ahmed']);
  assert.deepEqual(scan('Ahmed re-Sent it'), ['Ahmed']);
});

test('a CJK or Hangul name of 2 to 4 letters after a strong cue is masked; other CJK text is not (E10)', () => {
  assert.deepEqual(scan('Please contact 王小明 about the refund.'), ['王小明']);
  assert.deepEqual(scan('Customer: 李娜, phone 13812345678'), ['李娜']);
  assert.deepEqual(scan('contact 김민준 today'), ['김민준']);
  assert.deepEqual(scan('Patient 田中太郎 was seen'), ['田中太郎']);
  assert.deepEqual(scan('姓名：王小明'), ['王小明']);
  assert.deepEqual(scan('이름: 김민준'), ['김민준']);
  assert.deepEqual(scan('Co-authored-by: 王小明 <w@x.cn>'), ['王小明']);
  // No cue, a weak one, a label cue without its colon, or a run longer than a name: left alone.
  for (const t of ['Customer: 数据库连接失败了', 'go to 北京 now', 'from 北京', '用户登录成功', '王小明 said hi', 'name 王小明']) assert.deepEqual(scan(t), [], t);
});

test('LOGIN after WITH is a PostgreSQL role option, not a name; with a title or a given name it is one', () => {
  const m = createMasker();
  const persons = (t: string) => m.scanSync(t).filter((f) => f.type === 'PERSON').map((f) => t.slice(f.start, f.end));
  for (const t of ['CREATE ROLE app WITH LOGIN;', "ALTER ROLE app_writer WITH LOGIN PASSWORD 'x';"]) assert.deepEqual(persons(t), [], t);
  assert.deepEqual(persons('Dear Mr. Login,'), ['Login']);
  assert.deepEqual(persons('call Anna Login today'), ['Anna Login']);
});
