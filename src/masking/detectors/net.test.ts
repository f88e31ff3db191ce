import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../core/masking.js';
import { emails, emailsByIndexOf, ipv6, ipv6ByIndexOf } from './net.js';
import { urlCredentials, urlCredentialsByIndexOf } from './urls.js';
import { wordPass } from '../words.js';
import { createMasker } from '../engine.js';

// ipv6, url-credentials and email take the colons and at signs from the word pass's list of `:`, `=` and `@` and read
// the text by code unit; they found them with indexOf and charCodeAt before, and still do for a small value no other
// detector made a word pass for. The two ways must agree on generated text full of colons, hex digits, slashes, dots
// and `@` (the word pass is made first here, so the detectors take their lists).
test('ipv6, url-credentials and email find what their indexOf versions found', () => {
  let seed = 31;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = [':', '::', ':::', '=', 'fe80', '1', 'a', 'F', 'db8', '2001', '.', '0', '10', '22', '33', 'g', ' ', '\n', '/', '//', '://', '@', 'user', 'pa:ss',
    'https', 'x', '"', "'", '<', '>', '-', '::1', '2001:db8::1', '10:22:33', 'é', '=:', ':=', '@@', 'bob', '.com', '.co.uk', '_', '%', '+', 'ops@example.org',
    'ü', 'ß', 'рф', '中国', '에게', 'xn--p1ai', 'müller.de'];
  let ips = 0, urls = 0, mails = 0;
  for (let i = 0; i < 100_000; i++) {
    let text = '';
    for (let j = 1 + rnd(24); j > 0; j--) text += parts[rnd(parts.length)];
    const a: Finding[] = [], b: Finding[] = [], c: Finding[] = [];
    const ctx = {};
    wordPass(text, ctx);
    ipv6(text, a, ctx);
    urlCredentials(text, b, ctx);
    emails(text, c, ctx);
    const ra: Finding[] = [], rb: Finding[] = [], rc: Finding[] = [];
    ipv6ByIndexOf(text, ra);
    urlCredentialsByIndexOf(text, rb);
    emailsByIndexOf(text, rc);
    assert.deepEqual(a, ra, JSON.stringify(text));
    assert.deepEqual(b, rb, JSON.stringify(text));
    assert.deepEqual(c, rc, JSON.stringify(text));
    ips += a.length;
    urls += b.length;
    mails += c.length;
  }
  assert.ok(ips > 1_000 && urls > 1_000 && mails > 1_000, `${ips} addresses, ${urls} passwords, ${mails} e-mails`);
});

const masker = createMasker();
const masked = (text: string) => masker.maskTextSync(text).text;

test('URL credentials: the password is masked, user, host and path kept; the host is no e-mail address', () => {
  assert.equal(masked('git clone https://oauth2:q8Zr2LmX0vNp4TkW9sYb@gitlab.com/group/repo.git'), 'git clone https://oauth2:[PASSWORD]@gitlab.com/group/repo.git');
  // A token of a known format keeps its own type.
  assert.equal(masked('git clone https://oauth2:glpat-xY3zA5bC7dE9fG1hJ3kL@gitlab.com/group/repo.git'), 'git clone https://oauth2:[SECRET]@gitlab.com/group/repo.git');
  assert.equal(masked('REDIS_URL=redis://:hunter2hunter2@redis.internal:6379/0'), 'REDIS_URL=redis://:[PASSWORD]@redis.internal:6379/0');
  assert.equal(masked('https://user:pw@host.example.com/path'), 'https://user:[PASSWORD]@host.example.com/path');
  assert.equal(masked('https://u:p@ss@h.example.com/x'), 'https://u:[PASSWORD]@h.example.com/x');
  assert.equal(masked('MONGO_URI=mongodb+srv://admin:Xk9%40pL2q@cluster0.ab1cd.mongodb.net/prod'), 'MONGO_URI=mongodb+srv://admin:[PASSWORD]@cluster0.ab1cd.mongodb.net/prod');
  // A user alone that is a token (Sentry DSN keys); a plain user name stays.
  assert.equal(masked('SENTRY_DSN=https://8f3a9c1b2d4e6f808f3a9c1b2d4e6f80@o123456.ingest.sentry.io/4505123'), 'SENTRY_DSN=https://[SECRET]@o123456.ingest.sentry.io/4505123');
  assert.equal(masked('ssh://git@github.com/org/repo.git and https://bob@example.com/x'), 'ssh://git@github.com/org/repo.git and https://bob@example.com/x');
  // E-mail addresses next to URLs are still e-mail addresses.
  assert.equal(masked('see https://example.com/a, mail bob@example.com'), 'see https://example.com/a, mail [EMAIL]');
  assert.equal(masked('mailto:bob@example.com https://x.example.com/?to=ann@example.org'), 'mailto:[EMAIL] https://x.example.com/?to=[EMAIL]');
});

test('incoming-webhook URLs: the path after the prefix is the credential (Slack, Discord, Teams)', () => {
  assert.equal(masked('SLACK_WEBHOOK=https://hooks.slack.com/services/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'), 'SLACK_WEBHOOK=https://hooks.slack.com/services/[SLACK_TOKEN]');
  assert.equal(masked('"https://discord.com/api/webhooks/123456789012345678/aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3vW5xY7"'),
    '"https://discord.com/api/webhooks/[SECRET]"');
  assert.equal(masked('url: https://acme.webhook.office.com/webhookb2/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab@0a1b2c3d/IncomingWebhook/abc/def'),
    'url: https://acme.webhook.office.com/webhookb2/[SECRET]');
  for (const t of ['docs: https://hooks.slack.com/services/ and https://api.slack.com/messaging/webhooks', 'https://hooks.slack.com.evil.example/services/T024BE7LD/B08QWERTY12/aB3dE5fG7hJ9kL1mN3pQ5rS7',
    'https://discord.com/channels/123456789012345678/123456789012345678']) {
    assert.equal(masked(t), t);
  }
});

test('loopback, unspecified and netmask addresses identify nobody and stay; host addresses are masked (E19)', () => {
  for (const t of ['listen 127.0.0.1:8080 and 0.0.0.0:443, netmask 255.255.255.0', 'resolver 127.0.0.53', 'mask 255.255.240.0 bc 255.255.255.255',
    '+\taddr := net.JoinHostPort("0.0.0.0", port)', 'bind [::1]:80 and ::']) {
    assert.equal(masked(t), t);
  }
  assert.equal(masked('odd 255.255.0.255 host 10.0.0.5 pub 8.8.8.8 x 128.0.0.0 v6 2001:db8::1'),
    'odd [IP_ADDRESS] host [IP_ADDRESS] pub [IP_ADDRESS] x [IP_ADDRESS] v6 [IP_ADDRESS]');
});

test('internationalised e-mail addresses are masked whole; look-alikes are not (F2)', () => {
  const m = createMasker();
  const mask = (t: string) => m.maskTextSync(t).text;
  for (const a of ['müller@example.de', 'renée.dupont@example.fr', 'zoë.smith@x.com', 'søren.kierkegaard@firma.dk', 'jürgen_ß@web.de', 'bob@müller.de',
    '用户@例子.广告', 'иван@пример.рф', 'info@bücher.xn--p1ai', 'a@b.xn--p1ai', 'δοκιμή@παράδειγμα.δοκιμή', 'rene\u0301e@exa\u0308mple.com']) {
    assert.equal(mask(`mail ${a} now`), 'mail [EMAIL] now', a);
    assert.equal(mask(`<${a}>`), '<[EMAIL]>', a);
  }
  // A JSON string with the letter escaped is read decoded: the whole address is masked, escape and all.
  assert.equal(mask('{"msg":"ren\\u00e9e@example.fr"}'), '{"msg":"[EMAIL]"}');
  // A word glued after the address (a Korean particle) is not part of its top-level domain.
  assert.equal(mask('bob@example.com에게 보냈어요'), '[EMAIL]에게 보냈어요');
  // Look-alikes: @handles, user@host without a domain, a Unicode domain with a bad label or top-level domain.
  for (const t of ['@müller', 'thanks @zoë!', 'müller@host', 'jürgen@localhost', 'bob@-müller.de', 'bob@müller-.de', 'bob@müller.d', 'bob@müller.dé1', 'bob@müller..de x', 'ü@ü', '@@ü.de']) {
    assert.equal(mask(t), t, t);
  }
});

// IBANs written in lower case (copied from a form, a URL, a lower-cased log): the letters of a country that has
// IBANs, its exact length (ISO 13616 registry), its BBAN's digits where the country's are all digits, and mod 97.
// Hex hashes and ids that start with two letters and two digits (de89…, be12…) fail one of these.
test('lower-case IBANs are masked, spaced or not; hex ids that start like one are not', () => {
  for (const [text, iban] of [
    ['refund to de89370400440532013000 today', 'de89370400440532013000'],
    ['iban: de89 3704 0044 0532 0130 00.', 'de89 3704 0044 0532 0130 00'],
    ['{"acct": "gb82 west 1234 5698 7654 32"}', 'gb82 west 1234 5698 7654 32'],
    ['nl91abna0417164300', 'nl91abna0417164300'],
    ['to fr1420041010050500013m02606, thanks', 'fr1420041010050500013m02606'],
    ['be68539007547034', 'be68539007547034'],
    ['de89 3704 0044 0532 0130 00 for the refund', 'de89 3704 0044 0532 0130 00'],
    ['msg\\nde89370400440532013000', 'de89370400440532013000'],
    ['q=%20DE89370400440532013000', 'DE89370400440532013000'],
  ]) {
    assert.equal(masked(text), text.replace(iban, '[IBAN]'), text);
  }
  for (const t of [
    'de89370400440532013001', // check digits wrong
    'de89370400440532013000ffee0123456789abcdef', // a longer hex string that starts with one
    'de5137040044053201300', // mod 97 holds, but a German IBAN has 22 characters
    'us88370400440532013000', // mod 97 holds, no IBAN country
    'de583704004405320130ab', // mod 97 holds, a German BBAN is digits only
    'commit be68539007547034a1', 'de89 3704 0044 0532 0130 0012', 'de89 3704 0044 0532 0130 00 12', 'dE89370400440532013000',
    'C:\\new\\DE89370400440532013001',
  ]) {
    assert.equal(masked(t), t, t);
  }
  // Upper case as before: mod 97 alone, the longest valid prefix.
  assert.equal(masked('DE89370400440532013000'), '[IBAN]');
});
