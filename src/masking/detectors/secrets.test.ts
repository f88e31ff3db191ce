import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../core/masking.js';
import { KEYWORD_SRC } from '../cues.js';
import { createMasker } from '../engine.js';
import { ASSIGN, assignments, isValueStop, mayAssign, pemBlocks, visitKeyword } from './secrets.js';

// The secret-assignment detector rules out most keyword hits by code unit (mayAssign) before trying ASSIGN on a
// slice, and ends unquoted values by a table (isValueStop) instead of a class pattern per character: mayAssign must
// hold wherever ASSIGN matches, and isValueStop must agree with the class on every code unit.
test('mayAssign holds wherever the assignment pattern matches', () => {
  let seed = 20261122;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const pieces = [' ', '  ', '\t', '\n', '\u00a0', '\u2028', '"', "'", '`', ':', '=', ':=', '=>', 'is', 'IS', 'Was', 'was set to', 'i', 'w', 'x', 'ı', 'İ', ';', 'a', '1', '        '];
  let matched = 0;
  for (let i = 0; i < 200_000; i++) {
    let s = '';
    for (let j = rnd(12); j > 0; j--) s += pieces[rnd(pieces.length)];
    const at = rnd(3);
    const text = 'k'.repeat(at) + s;
    const m = ASSIGN.exec(text.slice(at, at + 40)) !== null;
    if (m) matched++;
    if (m) assert.ok(mayAssign(text, at), JSON.stringify(s));
  }
  assert.ok(matched > 10_000, `${matched} matches`);
});

test('isValueStop is the class [\\s;,"\'<>)}\\]] on every code unit (an & ends a value only in a query string)', () => {
  const re = /[\s;,"'<>)}\]]/;
  for (let c = 0; c < 65536; c++) assert.equal(isValueStop(c), re.test(String.fromCharCode(c)), `U+${c.toString(16)}`);
  assert.equal(isValueStop(NaN), false);
});

// The detector looks for keywords only in names an assignment sign follows; the reference searches the whole text
// for them (one regex, restarted after each hit) and visits every hit in order, as the detector did before.
function byWholeTextSearch(text: string): Finding[] {
  const out: Finding[] = [];
  const re = new RegExp(KEYWORD_SRC, 'gi');
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const p = m.index;
    re.lastIndex = p + 1;
    if (p < last) continue;
    last = visitKeyword(text, out, p, p + m[0].length);
  }
  return out;
}

test('the assignment detector finds what a whole-text keyword search finds', () => {
  let seed = 77;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = ['password', 'PASSWD', 'pwd', 'Secret', 'token', 'api_key', 'apiKey', 'auth', 'AUTHOR', 'credential', 'session', 'signature', 'cookie', 'passphrase',
    'db_', 'x-', '.', '_', '-', 'name', 'id', 'DB', 'my', 'the', 'key', 'monkey', 'keys', 'tokens', 'expires_at', 'aws_secret_access_key',
    ' ', '  ', '\t', '\n', '\u00a0', '"', "'", '`', ':', '=', ':=', '=>', ': ', '= ', ' is ', ' was ', ' was set to ', ' IS ', ' island ', ' in ', ' with ', ' i', ' w',
    'hunter2', 'Zx9$kq2!Lm', 'aB3dE5gH7jK9', 's3cr3t-V4lu3', '${VAR}', '***', 'changeme', '<redacted>', '1234567890', ';', ',', '&', ')', '}', ']', '<', '>', 'é', 'İ',
    'a'.repeat(70), 'pass'.repeat(20), 'k'.repeat(63) + 'token', 'Set-Cookie', 'Cookie: ', 'sid=', '; Path=/', 'theme=dark; '];
  let found = 0;
  for (let i = 0; i < 120_000; i++) {
    let text = '';
    for (let j = 1 + rnd(16); j > 0; j--) text += parts[rnd(parts.length)];
    const want = byWholeTextSearch(text);
    const got: Finding[] = [];
    assignments(text, got, {});
    assert.deepEqual(got, want, JSON.stringify(text));
    found += want.length;
  }
  assert.ok(found > 5_000, `${found} findings`);
});

// PEM headers come from the word pass's list (every `-----BEGIN `); the reference searches with indexOf.
function pemByIndexOf(text: string): Finding[] {
  const out: Finding[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('-----BEGIN ', from);
    if (start < 0) return out;
    const headEnd = text.indexOf('-----', start + 11);
    if (headEnd < 0 || headEnd - start > 80) {
      from = start + 11;
      continue;
    }
    if (!/PRIVATE KEY/.test(text.slice(start + 11, headEnd))) {
      from = headEnd + 5;
      continue;
    }
    const endMark = text.indexOf('-----END ', headEnd);
    let end = text.length;
    if (endMark >= 0) {
      const close = text.indexOf('-----', endMark + 9);
      end = close >= 0 ? close + 5 : text.length;
    }
    out.push({ type: 'PRIVATE_KEY', start, end, confidence: 0.99, detector: 'pem' });
    from = end;
  }
}

test('PEM blocks are found as the indexOf search found them', () => {
  let seed = 41;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const parts = ['-----BEGIN ', '-----BEGIN', '------BEGIN ', 'BEGIN ', '-----', '-', 'RSA ', 'PRIVATE KEY', 'CERTIFICATE', '-----END ', 'MIIB', 'x', '\n', ' ', 'é',
    "a-", "O'", 'BEGINS ', 'BEGIn ', '-----BEGIN\t'];
  let found = 0;
  for (let i = 0; i < 60_000; i++) {
    let text = '';
    for (let j = 1 + rnd(14); j > 0; j--) text += parts[rnd(parts.length)];
    const got: Finding[] = [];
    pemBlocks(text, got, {});
    assert.deepEqual(got, pemByIndexOf(text), JSON.stringify(text));
    found += got.length;
  }
  assert.ok(found > 1_000, `${found} blocks`);
});

// What the engine masks, as `TYPE:value` spans, for the cases below.
const masker = createMasker();
const spans = (text: string, field?: string) => masker.scanSync(text, { field }).filter((f) => f.type !== 'PERSON').map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

test('Authorization headers: the credential after the scheme is masked, the scheme kept (text, JSON, curl)', () => {
  const basic = Buffer.from('admin:supersecret').toString('base64');
  assert.deepEqual(spans('Authorization: Bearer 7Hk2mLp9vR4tY8wN3sB6cDxQ'), ['SECRET:7Hk2mLp9vR4tY8wN3sB6cDxQ']);
  assert.deepEqual(spans(`Proxy-Authorization: Basic ${basic}`), [`PASSWORD:${basic}`]);
  assert.deepEqual(spans(`{"headers":{"Authorization":"Bearer 7Hk2mLp9vR4tY8wN3sB6cDxQ","Proxy-Authorization":"Basic ${basic}"}}`),
    ['SECRET:7Hk2mLp9vR4tY8wN3sB6cDxQ', `PASSWORD:${basic}`]);
  assert.deepEqual(spans('curl -H "Authorization: Bearer 7Hk2mLp9vR4tY8wN3sB6cDxQ" https://api.example.com/x'), ['SECRET:7Hk2mLp9vR4tY8wN3sB6cDxQ']);
  assert.deepEqual(spans("curl -H 'authorization: token q8Zr2LmX0vNp4TkW9sYb' x"), ['SECRET:q8Zr2LmX0vNp4TkW9sYb']);
  assert.deepEqual(spans('HTTP_AUTHORIZATION=Bearer q8Zr2LmX0vNp4TkW9sYb'), ['SECRET:q8Zr2LmX0vNp4TkW9sYb']);
  // A raw token without a scheme; auth parameters (Digest, AWS SigV4) run to the end of the value.
  assert.deepEqual(spans('Authorization: q8Zr2LmX0vNp4TkW9sYb'), ['SECRET:q8Zr2LmX0vNp4TkW9sYb']);
  assert.deepEqual(spans('Authorization: Digest username="bob", response="6629fae49393a05397450978507c4ef1"'), ['SECRET:username="bob", response="6629fae49393a05397450978507c4ef1"']);
  // As a JSON value (the key is the field).
  assert.equal(masker.maskValueSync({ headers: { Authorization: 'Bearer 7Hk2mLp9vR4tY8wN3sB6cDxQ' } }).value.headers.Authorization, 'Bearer [SECRET]');
  assert.equal(masker.maskValueSync({ authorization: `Basic ${basic}` }).value.authorization, 'Basic [PASSWORD]');
  // Look-alikes: placeholders, prose, the challenge header, a Bearer with nothing after it.
  for (const t of ['Authorization: Bearer ${TOKEN}', 'Authorization: Bearer <token>', 'The Authorization: Bearer header is required',
    'WWW-Authenticate: Bearer realm="api"', "headers = {'Authorization': 'Bearer ' + token}", 'Authorization: Bearer {token}', 'authorization: none']) {
    assert.deepEqual(spans(t), [], t);
  }
  assert.equal(masker.maskValueSync({ Authorization: 'Bearer' }).value.Authorization, 'Bearer');
});

test('secret names: hex digests, UUIDs and passphrases are secrets under an explicit secret name, not under an id or hash', () => {
  assert.deepEqual(spans('TWILIO_AUTH_TOKEN=7f3a9c1b2d4e6f8091a2b3c4d5e6f708'), ['SECRET:7f3a9c1b2d4e6f8091a2b3c4d5e6f708']);
  assert.deepEqual(spans('DATADOG_API_KEY=3f2a9c1b7d4e8a013f2a9c1b7d4e8a01'), ['SECRET:3f2a9c1b7d4e8a013f2a9c1b7d4e8a01']);
  assert.deepEqual(spans('token: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b'), ['SECRET:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b']);
  assert.deepEqual(spans('HEROKU_API_KEY=01234567-89ab-4cde-8f01-23456789abcd'), ['SECRET:01234567-89ab-4cde-8f01-23456789abcd']);
  assert.deepEqual(spans('ENCRYPTION_KEY=9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0'), ['SECRET:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0']);
  assert.deepEqual(spans('SESSION_SECRET="a long phrase with spaces that is secret"'), ['SECRET:a long phrase with spaces that is secret']);
  assert.deepEqual(spans('GET /b/o?X-Amz-Expires=900&X-Amz-Signature=9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0&x=1'),
    ['SECRET:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0']);
  assert.deepEqual(spans('{"api_key": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"}'), ['SECRET:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d']);
  assert.deepEqual(spans('9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', 'api_key'), ['SECRET:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d']);
  assert.deepEqual(spans('DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7Zx==;EndpointSuffix=core.windows.net'),
    ['SECRET:Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9Dc8Ba7Zx==']);
  assert.deepEqual(spans('Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=q8Zr2LmX0vNp4TkW9sYbQ1w2E3r4T5y6U7i8O9p0AsD='),
    ['SECRET:q8Zr2LmX0vNp4TkW9sYbQ1w2E3r4T5y6U7i8O9p0AsD=']);
  // Hex under names that hold an identifier or a digest stays; so do digests with no secret name.
  for (const t of ['COMMIT_SHA=3f2a9c1b7d4e8a013f2a9c1b7d4e8a013f2a9c1b', 'CHECKSUM=9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', 'ETAG: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
    'TOKEN_HASH=9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', 'api_key_id: 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', 'session_id=01234567-89ab-4cde-8f01-23456789abcd',
    '"private_key_id": "3f2a9c1b7d4e8a013f2a9c1b7d4e8a013f2a9c1b"', 'token_sha256: 9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0',
    'STRIPE_PUBLISHABLE_KEY=pk_live_51HxQ2bKZ9vLmN3pQ5rS7tU9wXyZ', 'max_tokens: 4096', 'token_type: Bearer', '"token_description": "used by the CI job"',
    'session: "Morning session with the team"', 'api_key=aaaaaaaaaaaa']) {
    assert.deepEqual(spans(t), [], t);
  }
});

test('kubeconfig: a base64 PEM private key is a PRIVATE_KEY; a base64 certificate is public; env name/value pairs', () => {
  const key = Buffer.from('-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3vygBqWf9kQfFMjOQqGwjkvasfafdasdfasdfasdf\n-----END RSA PRIVATE KEY-----\n').toString('base64');
  const cert = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n-----END CERTIFICATE-----\n').toString('base64');
  const pub = Buffer.from('-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n').toString('base64');
  assert.deepEqual(spans(`users:\n- name: admin\n  user:\n    client-key-data: ${key}\n`), [`PRIVATE_KEY:${key}`]);
  assert.deepEqual(spans(`data:\n  tls.key: ${key}\n`), [`PRIVATE_KEY:${key}`]);
  // `base64` wraps at 76 characters.
  const wrapped = key.replace(/.{76}/g, '$&\n');
  assert.deepEqual(spans(`key:\n${wrapped}\n`), [`PRIVATE_KEY:${wrapped}`]);
  // A value that happens to be 64 or 76 characters long, then the next field on its own line: not a wrapped line.
  const k64 = key.slice(0, 64);
  assert.deepEqual(spans(`client-key-data: ${k64}\ncertificate-authority-data: ${cert}\n`), [`PRIVATE_KEY:${k64}`]);
  for (const t of [`    certificate-authority-data: ${cert}`, `    client-certificate-data: ${cert}`, `pub: ${pub}`, `LS0tLS1CRUdJTiBa`]) assert.deepEqual(spans(t), [], t);
  assert.deepEqual(spans('    env:\n    - name: DB_PASSWORD\n      value: "S3cr3t-P4ss!"\n    - name: LOG_LEVEL\n      value: debug\n'), ['PASSWORD:S3cr3t-P4ss!']);
  assert.deepEqual(spans('[{"name": "API_TOKEN", "value": "q8Zr2LmX0vNp4TkW9sYb"}, {"name": "REGION", "value": "q8Zr2LmX0vNp4TkW9sYb"}]'), ['SECRET:q8Zr2LmX0vNp4TkW9sYb']);
  assert.deepEqual(spans('--overrides Name=DB_PASSWORD,Value=hunter22'), ['PASSWORD:hunter22']);
  assert.deepEqual(spans('- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef: {name: db, key: password}'), []);
  assert.deepEqual(spans('- name: DB_PASSWORD_FILE\n  value: /run/secrets/db'), []);
});

test('password values end where their syntax ends: & only in a query string, a `key: value` line, a token after is', () => {
  assert.deepEqual(spans('my password is Tr0ub4dor&3 ok'), ['PASSWORD:Tr0ub4dor&3']);
  assert.deepEqual(spans('password: Tr0ub4dor&3'), ['PASSWORD:Tr0ub4dor&3']);
  assert.deepEqual(spans('password=Tr0ub4dor&3x'), ['PASSWORD:Tr0ub4dor&3x']);
  assert.deepEqual(spans('Password: Summer 2024!'), ['PASSWORD:Summer 2024!']);
  assert.deepEqual(spans('Password: Summer 2024!  \nnext line'), ['PASSWORD:Summer 2024!']);
  assert.deepEqual(spans('api_key: q8Zr2&LmX0vNp4TkW9'), ['SECRET:q8Zr2&LmX0vNp4TkW9']);
  // A query string or form body: & ends the value.
  assert.deepEqual(spans('GET /login?user=bob&password=hunter22&next=/home'), ['PASSWORD:hunter22']);
  assert.deepEqual(spans('password=hunter22&remember=1'), ['PASSWORD:hunter22']);
  // Another field on the line, a closing quote, a placeholder first.
  assert.deepEqual(spans('user: bob password: s3cret host: db'), ['PASSWORD:s3cret']);
  assert.deepEqual(spans('{password: abc def, user: bob}'), ['PASSWORD:abc def']);
  assert.deepEqual(spans('curl -H "X-Password: abc def" x'), ['PASSWORD:abc def']);
  assert.deepEqual(spans('password: ******** and password=${DB_PASS}'), []);
});

test('adversarial shapes of the new anchors complete in linear time', { timeout: 20_000 }, () => {
  const MB = 1 << 20;
  for (const s of ['Authorization: Bearer ', 'name: DB_PASSWORD\nvalue: ', ' -u a:', ' -p', 'mysql -pa ', 'LS0tLS1CRUdJTi', 'password: a ', 'x=a&', 'https://a:b@', 'value value ']) {
    const t0 = Date.now();
    masker.scanSync(s.repeat(Math.ceil(MB / s.length)));
    assert.ok(Date.now() - t0 < 8000, `${JSON.stringify(s)}: ${Date.now() - t0} ms`);
  }
});

test('Azure shared access signatures: the sig= of a SAS query is a secret, the rest of the query is kept', () => {
  const m = createMasker();
  const sig = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbA%3D';
  const cases = [
    `https://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-12-01T00:00:00Z&spr=https&sig=${sig}`,
    `BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&sp=rwdlac&se=2026-12-01&sig=${sig}`,
    `sv=2021-08-06&se=2026-01-01&sr=b&sp=r&sig=${sig}`,
    `{"download": "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=${sig}"}`,
    `https://acct.blob.core.windows.net/c/b?sig=${sig}&sv=2022-11-02&sp=r`,
  ];
  for (const text of cases) {
    const out = m.maskTextSync(text).text;
    assert.ok(!out.includes(sig.slice(0, 12)), out);
    assert.ok(out.includes('sig=[SECRET]') && out.includes('sv=20'), out);
  }
  // Not a SAS: no sv= before it, a value too short, sig= inside a word or after white space.
  for (const text of ['?sig=abcdefghijklmnopqrstuvwxyz&v=2', 'https://x.example.com/?sv=1&sig=abc', 'the design=abcdefghijklmnopqrstuvwxyz', 'sv=2022-11-02 then &sig=abcdefghijklmnopqrstuvwxyz']) {
    assert.equal(m.maskTextSync(text).text, text);
  }
});

test('a Cookie header keeps its cookie names and masks only values that look secret (F6)', () => {
  assert.deepEqual(spans('Cookie: theme=dark; lang=en-US; sessionid=abc123XYZ789def456ghi'), ['SECRET:abc123XYZ789def456ghi']);
  assert.deepEqual(spans('Set-Cookie: sid=abc123XYZ789def456ghi; Path=/'), ['SECRET:abc123XYZ789def456ghi']);
  assert.deepEqual(spans('Set-Cookie: PHPSESSID=9f86d081884c7d659a2feaa0c55ad015; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=3600; HttpOnly; Secure; SameSite=Lax'), ['SECRET:9f86d081884c7d659a2feaa0c55ad015']);
  // By name (a secret name by its own rules: a password is a PASSWORD) or by entropy; short, plain or numeric values stay.
  assert.deepEqual(spans('Cookie: uid=42; csrftoken=Xy7kq9LmN2pR4sT6; password=hunter2; tz=Europe/Berlin; _x=Q2x8vR4mZ7pL1kW9; consent=yes'), ['SECRET:Xy7kq9LmN2pR4sT6', 'PASSWORD:hunter2', 'SECRET:Q2x8vR4mZ7pL1kW9']);
  assert.deepEqual(spans('curl -H "Cookie: session=eyJ0eXAiOi.abcdef123; theme=light" https://example.com/'), ['SECRET:eyJ0eXAiOi.abcdef123']);
  assert.deepEqual(spans('theme=dark; lang=en-US; sessionid=abc123XYZ789def456ghi', 'cookie'), ['SECRET:abc123XYZ789def456ghi']);
  assert.deepEqual(spans('sid="abc123XYZ789def456ghi"; Path=/; Secure', 'Set-Cookie'), ['SECRET:abc123XYZ789def456ghi']);
  assert.equal(masker.maskTextSync('{"headers":{"Cookie":"theme=dark; sid=abc123XYZ789def456ghi"}}').text, '{"headers":{"Cookie":"theme=dark; sid=[SECRET]"}}');
  for (const t of ['Cookie: theme=dark; lang=en-US', 'Set-Cookie: sid=deleted; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'Cookie: consent=true; tz=UTC']) assert.deepEqual(spans(t), [], t);
  // `cookie=` in a query string is one value, as any secret's.
  assert.deepEqual(spans('GET /x?cookie=abc123XYZ789def456ghi&page=2'), ['SECRET:abc123XYZ789def456ghi']);
});

test('pw is a password name where it is a whole name part (F7)', () => {
  for (const [t, v] of [['pw=Hunter2Hunter2', 'Hunter2Hunter2'], ['db_pw: s3cr3t!x', 's3cr3t!x'], ['PW: Summer 2024!', 'Summer 2024!'], ['dbPw=xyz12345', 'xyz12345'], ['"pw": "Tr0ub4dor"', 'Tr0ub4dor'], ['MYSQL_PW=Tr0ub4dor&3', 'Tr0ub4dor&3']]) {
    assert.deepEqual(spans(t), [`PASSWORD:${v}`], t);
  }
  assert.deepEqual(spans('Tr0ub4dor', 'pw'), ['PASSWORD:Tr0ub4dor']);
  assert.deepEqual(spans('Tr0ub4dor', 'admin_pw'), ['PASSWORD:Tr0ub4dor']);
  // Not inside words: upward, pwn, spw, pw2, pwr, cpw.
  for (const t of ['upward=Hunter2Hunter2', 'pwn=Hunter2Hunter2', 'spw=Hunter2Hunter2', 'pw2=Hunter2Hunter2', 'pwr=Hunter2Hunter2', 'cpw=Hunter2Hunter2']) assert.deepEqual(spans(t), [], t);
  assert.deepEqual(spans('Hunter2Hunter2', 'pwr'), []);
});

// JSON-escaped text read as plain text (a log line holding `"msg":"config loaded\npassword=…"`): a `\n`, `\t` or `\r`
// escape before a name is a separator (`\tpw=` is the name `pw`), one between the sign and the value is passed over,
// and one after an unquoted value ends it. A Windows path is no assignment.
test('names and values next to a literal escape (\\n, \\t, \\r): the escape separates; Windows paths stay', () => {
  assert.deepEqual(spans('payload: "config loaded\\tpw=RHbvBdl9Eo7T\\r\\nbilling ready"'), ['PASSWORD:RHbvBdl9Eo7T']);
  assert.deepEqual(spans('"msg":"config loaded\\npassword=Xk29vQ7pLmN2\\nnext step"'), ['PASSWORD:Xk29vQ7pLmN2']);
  assert.deepEqual(spans('line\\rpw: Summer 2024!\\nnext: line'), ['PASSWORD:Summer 2024!']);
  assert.deepEqual(spans('cfg:\\ttoken=\\tZk29vQ7pLmN2aa88bb\\tmode=fast'), ['SECRET:Zk29vQ7pLmN2aa88bb']);
  assert.deepEqual(spans('cfg: password:\\n  Xk29vQ7pLmN2'), ['PASSWORD:Xk29vQ7pLmN2']);
  // Headers end at an escaped line break: the next header is no part of the credential.
  assert.deepEqual(spans('log: "Authorization: Bearer 7Hk2mLp9vR4tY8wN3sB6cDxQ\\r\\nHost: x"'), ['SECRET:7Hk2mLp9vR4tY8wN3sB6cDxQ']);
  assert.deepEqual(spans('log: "Authorization: Basic YWRtaW46c3VwZXJzZWNyZXQ=\\nnext"'), ['PASSWORD:YWRtaW46c3VwZXJzZWNyZXQ=']);
  assert.deepEqual(spans('log: "Cookie: theme=dark; sid=abc123XYZ789def456ghi\\r\\nHost: x"'), ['SECRET:abc123XYZ789def456ghi']);
  // Cut at the escape to nothing worth masking, the value is read on over it as before (the escape may be its own).
  assert.deepEqual(spans('password=ab\\ncdef1234 x'), ['PASSWORD:ab\\ncdef1234']);
  // A name whose own letters start with n, t or r keeps them (`\ntoken`, `\rpassword` are still secret names).
  assert.deepEqual(spans('x\\ntoken=Zk29vQ7pLmN2aa88bb'), ['SECRET:Zk29vQ7pLmN2aa88bb']);
  // No escape before `pw`: a word that ends in pw is no name (as before); a path; an escaped backslash before n.
  for (const t of ['tpw=Hunter2Hunter2', 'C:\\new\\temp\\tools', 'C:\\temp\\new\\readme.txt', 'D:\\reports\\tpw\\run.cmd', 'cfg\\qpw=Hunter2Hunter2']) assert.deepEqual(spans(t), [], t);
});

// Opaque pagination cursors (S3 ListObjectsV2's ContinuationToken / NextContinuationToken, AWS `nextToken`, Google's
// `nextPageToken` / `pageToken`, `cursor`) are handed back to the API to get the next page: no credential.
test('pagination cursors are kept under their own field names; a token is still a secret', () => {
  const c = '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=';
  for (const t of [`{"NextContinuationToken":"${c}"}`, `{"ContinuationToken": "${c}"}`, `nextToken=${c}`, `next_page_token: ${c}`, `{"nextPageToken":"${c}"}`,
    `pageToken=${c}`, `<NextContinuationToken>${c}</NextContinuationToken>`, `{"cursor":"${c}"}`, `NextToken: ${c}`]) {
    assert.deepEqual(spans(t), [], t);
  }
  assert.deepEqual(spans(c, 'NextContinuationToken'), []);
  assert.deepEqual(spans(c, 'next_page_token'), []);
  // Other names with token in them are secrets, as before.
  for (const t of [`{"token":"${c}"}`, `{"access_token":"${c}"}`, `next_token_secret=${c}`, `{"nextTokenKey":"${c}"}`, `refresh_token=${c}`]) assert.deepEqual(spans(t), [`SECRET:${c}`], t);
  assert.deepEqual(spans(c, 'session_token'), [`SECRET:${c}`]);
});

// Azure Service Bus, Event Hubs and IoT Hub SAS tokens: `SharedAccessSignature sr=<resource>&sig=<signature>&se=<expiry>
// &skn=<key name>`, in an Authorization header, a connection string or XML. The sig is the secret; the resource, the
// expiry and the key name are kept.
test('Service Bus / Event Hubs SAS tokens: the sig is a secret, sr, se and skn are kept', () => {
  const m = createMasker();
  const sig = 'e8hVbXRBh5U7bAHKoYb6YJ3UAPyny2JMC9H0Re8JWLY%3D';
  const sr = 'https%3A%2F%2Fshop-bus.servicebus.windows.net%2Forders';
  const cases: [string, string][] = [
    [`Authorization: SharedAccessSignature sr=${sr}&sig=${sig}&se=1775234807&skn=RootManageSharedAccessKey`,
      `Authorization: SharedAccessSignature sr=${sr}&sig=[SECRET]&se=1775234807&skn=RootManageSharedAccessKey`],
    [`Endpoint=sb://ns.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=ns.servicebus.windows.net&sig=${sig}&se=1768901606&skn=send-only`,
      'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=ns.servicebus.windows.net&sig=[SECRET]&se=1768901606&skn=send-only'],
    [`{"headers": {"Authorization": "SharedAccessSignature sr=${sr}&sig=${sig}&se=1775234807&skn=listen"}}`,
      `{"headers": {"Authorization": "SharedAccessSignature sr=${sr}&sig=[SECRET]&se=1775234807&skn=listen"}}`],
    // IoT Hub device tokens carry no skn.
    [`HostName=hub.azure-devices.net;DeviceId=d1;SharedAccessSignature=SharedAccessSignature sr=hub.azure-devices.net%2Fdevices%2Fd1&sig=${sig}&se=1775234807`,
      'HostName=hub.azure-devices.net;DeviceId=d1;SharedAccessSignature=SharedAccessSignature sr=hub.azure-devices.net%2Fdevices%2Fd1&sig=[SECRET]&se=1775234807'],
  ];
  for (const [text, want] of cases) assert.equal(m.maskTextSync(text).text, want, text);
  // In XML the whole value of a SharedAccessSignature element is masked (its name says secret).
  const xml = m.maskTextSync(`<SharedAccessSignature>SharedAccessSignature sr=${sr}&amp;sig=${sig}&amp;se=1775234807&amp;skn=k</SharedAccessSignature>`).text;
  assert.ok(!xml.includes(sig.slice(0, 16)), xml);
  // No signature: a query with sr= and se= but no sig, a sig= without sr=/se= or sv=, a short sig.
  for (const t of ['https://x.example.com/?sr=abc&se=1775234807&page=2', 'sig=abcdefghijklmnopqrstuvwxyz0123&skn=k', 'SharedAccessSignature sr=x&sig=short&se=1']) {
    assert.equal(m.maskTextSync(t).text, t, t);
  }
});
