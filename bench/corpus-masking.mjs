#!/usr/bin/env node
// Generates Countersign's own masking corpus: machine-ish documents (logs, .env, JSON, CSV, stack traces, HTTP
// dumps, tickets, clinical notes, chat) with sensitive values of every detector type, with valid checksums, next to
// decoys that must survive (UUIDs, git SHAs, versions, timestamps, order/invoice/SKU numbers, prices, ports,
// hashes, ISBNs, Luhn-failing numbers, test and publishable keys). Deterministic (seeded), same format as
// presidio-synth: JSON lines of {text, sensitive[{type,value}], decoys[{kind,value}]}.
// Usage: node bench/corpus-masking.mjs [out.jsonl] [documents] [place documents] [everyday-word documents] [agent-output documents] [payment documents] [gateway documents] [escape and cursor documents]
import { createHash, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const out = process.argv[2] ?? new URL('./corpus-masking.jsonl', import.meta.url).pathname;
const N = Number(process.argv[3] ?? 600);
let seed = 0x2545f491;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const digits = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
const chars = (n, alpha) => Array.from({ length: n }, () => alpha[Math.floor(rnd() * alpha.length)]).join('');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

function luhnDigit(body) {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = +body[body.length - 1 - i];
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
const card = () => {
  const p = pick(['4', '51', '55', '37', '6011', '3530']);
  const len = p === '37' ? 15 : 16;
  const body = p + digits(len - 1 - p.length);
  const c = body + luhnDigit(body);
  return rnd() < 0.5 ? c : c.replace(/(\d{4})(?=\d)/g, '$1 ');
};
const notLuhn = () => { const b = '4' + digits(14); return b + String((+luhnDigit(b) + 3) % 10); };
const iban = () => {
  const bban = 'WEST' + digits(14);
  let m = 0;
  for (const ch of bban + 'GB00') { const v = /[A-Z]/.test(ch) ? ch.charCodeAt(0) - 55 : +ch; m = v >= 10 ? (m * 100 + v) % 97 : (m * 10 + v) % 97; }
  return 'GB' + String(98 - m).padStart(2, '0') + bban;
};
const ssn = () => `${pick(['123', '234', '345', '456', '512', '621', '705'])}-${String(10 + Math.floor(rnd() * 89))}-${String(1000 + Math.floor(rnd() * 8999))}`;
const phone = () => pick([`+1 415 ${digits(3)} ${digits(4)}`, `(212) 555-0${digits(3)}`, `+44 20 7946 0${digits(3)}`, `+49 30 ${digits(8)}`, `+33 1 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`]);
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function crc32(s) { let c, crc = 0xffffffff; for (let i = 0; i < s.length; i++) { c = (crc ^ s.charCodeAt(i)) & 0xff; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; crc = c ^ (crc >>> 8); } return (crc ^ 0xffffffff) >>> 0; }
const ghp = () => { const r = chars(30, ALNUM); let n = crc32(r), s = ''; while (n > 0) { s = B62[n % 62] + s; n = Math.floor(n / 62); } return 'ghp_' + r + s.padStart(6, '0'); };
const b64u = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = () => { const h = b64u({ alg: 'HS256', typ: 'JWT' }), p = b64u({ sub: digits(6), exp: 1900000000 }); return `${h}.${p}.${createHmac('sha256', 'k').update(h + '.' + p).digest('base64url')}`; };
const pem = () => `-----BEGIN RSA PRIVATE KEY-----\n${Array.from({ length: 6 }, () => chars(64, ALNUM + '+/')).join('\n')}\n-----END RSA PRIVATE KEY-----`;
const FIRST = ['Maria', 'James', 'Aisha', 'Wei', 'Olga', 'Carlos', 'Fatima', 'Lukas', 'Priya', 'Tomasz', 'Emma', 'Noah', 'Sofia', 'Mateo'];
const LAST = ['Garcia', 'Okafor', 'Nakamura', 'Kowalski', 'Schneider', 'Haddad', 'Lindqvist', 'Moreau', 'Patel', 'Novak', 'Fischer', 'Rossi'];
const person = () => `${pick(FIRST)} ${pick(LAST)}`;
const address = () => `${1 + Math.floor(rnd() * 9800)} ${pick(['Maple', 'Oak', 'Cedar', 'Elm', 'Harbor', 'Sunset'])} ${pick(['Street', 'Avenue', 'Road', 'Lane', 'Drive'])}`;

// decoys
const uuid = () => `${chars(8, HEX)}-${chars(4, HEX)}-4${chars(3, HEX)}-a${chars(3, HEX)}-${chars(12, HEX)}`;
const sha = () => chars(40, HEX);
const sha256 = () => createHash('sha256').update(digits(10)).digest('hex');
const version = () => `${Math.floor(rnd() * 20)}.${Math.floor(rnd() * 30)}.${Math.floor(rnd() * 200)}`;
const ts = () => `2025-0${1 + Math.floor(rnd() * 9)}-1${Math.floor(rnd() * 9)}T1${Math.floor(rnd() * 9)}:${10 + Math.floor(rnd() * 49)}:${10 + Math.floor(rnd() * 49)}Z`;
const order = () => pick([`ORD-${digits(8)}`, `INV-2025-${digits(6)}`, `SKU-${chars(3, 'ABCDEFGHJK')}-${digits(5)}`, `#${digits(7)}`]);
const price = () => `$${1 + Math.floor(rnd() * 9000)}.${digits(2)}`;
const port = () => String(pick([5432, 6379, 8080, 8443, 9200, 27017, 3306]));
const isbn = () => pick(['978-0-306-40615-7', '978-3-16-148410-0', '978-1-4028-9462-6', '978-0-13-468599-1']);
const testKey = () => pick([`sk_test_${chars(24, ALNUM)}`, `pk_live_${chars(24, ALNUM)}`, `pk_test_${chars(24, ALNUM)}`]);

const templates = [
  () => { const e = `${pick(FIRST).toLowerCase()}.${pick(LAST).toLowerCase()}@example.org`, u = uuid(), t = ts(); return [`${t} INFO request_id=${u} user=${e} status=200 latency_ms=${digits(2)}`, [['EMAIL', e]], [['timestamp', t], ['uuid', u]]]; },
  () => { const p = chars(14, ALNUM), k = 'AKIA' + chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), s = chars(40, ALNUM + '/+'), pt = port(); return [`DB_HOST=db.internal\nDB_PORT=${pt}\nDB_PASSWORD=${p}\nAWS_ACCESS_KEY_ID=${k}\nAWS_SECRET_ACCESS_KEY=${s}\n`, [['PASSWORD', p], ['AWS_ACCESS_KEY', k], ['AWS_SECRET_KEY', s]], [['port', pt]]]; },
  () => { const n = person(), c = card(), o = order(), pr = price(); return [`{"customer": {"name": "${n}", "card": "${c}"}, "order": "${o}", "total": "${pr}"}`, [['PERSON', n], ['CREDIT_CARD', c]], [['order', o], ['price', pr]]]; },
  () => { const n = person(), ph = phone(), a = address(), s = sha(); return [`Ticket: customer ${n} called from ${ph} about a delivery to ${a}. Fixed in commit ${s}.`, [['PERSON', n], ['PHONE', ph], ['ADDRESS', a]], [['git_sha', s]]]; },
  () => { const t = ghp(), v = version(), h = sha256(); return [`git remote set-url origin https://x-access-token:${t}@github.com/acme/app.git  # app v${v}, artifact sha256:${h}`, [['GITHUB_TOKEN', t]], [['version', v], ['hash', h]]]; },
  () => { const j = jwt(), u = uuid(); return [`GET /api/v1/orders/${u} HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer ${j}\r\nAccept: application/json\r\n\r\n`, [['JWT', j]], [['uuid', u]]]; },
  () => { const s = ssn(), n = person(), d = `0${1 + Math.floor(rnd() * 8)}/1${Math.floor(rnd() * 9)}/19${60 + Math.floor(rnd() * 39)}`, mrn = `MRN-${digits(7)}`; return [`Patient ${n}, DOB: ${d}, ${mrn}. SSN ${s}. Seen for follow-up; vitals normal.`, [['PERSON', n], ['DATE_OF_BIRTH', d], ['MEDICAL_RECORD', mrn], ['US_SSN', s]], []]; },
  () => { const i = iban(), x = notLuhn(), b = isbn(); return [`Refund to IBAN ${i} approved. Reference ${x} (not a card). Book ISBN ${b}.`, [['IBAN', i]], [['not_luhn', x], ['isbn', b]]]; },
  () => { const k = pem(), u = uuid(); return [`key for deploy ${u}:\n${k}\n`, [['PRIVATE_KEY', k]], [['uuid', u]]]; },
  () => { const ip = `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${1 + Math.floor(rnd() * 250)}`, v6 = `2001:db8:${chars(4, HEX)}::${chars(3, HEX)}`, pt = port(), tk = testKey(); return [`conn from ${ip}:${pt} and ${v6} using ${tk}`, [['IP_ADDRESS', ip], ['IP_ADDRESS', v6]], [['port', pt], ['test_key', tk]]]; },
  () => { const e = `${pick(FIRST)}${pick(LAST)}@mail.example.com`, n = person(), o = order(), pr = price(); return [`id,name,email,order,amount\n${digits(4)},${n},${e},${o},${pr}\n`, [['PERSON', n], ['EMAIL', e]], [['order', o], ['price', pr]]]; },
  () => { const sk = 'sk_live_' + chars(24, ALNUM), ak = 'sk-ant-api03-' + chars(93, ALNUM + '_-') + 'AA', ok = 'sk-proj-' + chars(48, ALNUM + '_-'), g = 'AIza' + chars(35, ALNUM + '_-'), sl = `xoxb-${digits(11)}-${digits(12)}-${chars(24, ALNUM)}`; return [`STRIPE_KEY=${sk}\nANTHROPIC_API_KEY=${ak}\nOPENAI_API_KEY=${ok}\nGOOGLE_API_KEY=${g}\nSLACK_BOT_TOKEN=${sl}\n`, [['STRIPE_KEY', sk], ['ANTHROPIC_KEY', ak], ['OPENAI_KEY', ok], ['GOOGLE_API_KEY', g], ['SLACK_TOKEN', sl]], []]; },
  () => { const p = chars(12, ALNUM), u = uuid(), pt = port(); return [`Error: connect ECONNREFUSED\n    at Pool.connect (postgres://app:${p}@db:${pt}/prod)\n    at handler (/srv/app/index.js:42:7) trace=${u}`, [['PASSWORD', p]], [['uuid', u], ['port', pt]]]; },
  () => { const n = person(), ph = phone(), t = ts(); return [`[${t}] chat: Hi, this is ${n}, you can reach me at ${ph} after 5pm.`, [['PERSON', n], ['PHONE', ph]], [['timestamp', t]]]; },
  () => { const s = chars(32, ALNUM + '_-'), sha1 = sha(), v = version(); return [`config:\n  client_secret: "${s}"\n  build: ${sha1}\n  version: ${v}\n`, [['SECRET', s]], [['git_sha', sha1], ['version', v]]]; },
];

const lines = [];
for (let i = 0; i < N; i++) {
  const [text, sens, dec] = templates[i % templates.length]();
  lines.push(JSON.stringify({ id: i, text, sensitive: sens.map(([type, value]) => ({ type, value })), decoys: dec.map(([kind, value]) => ({ kind, value })) }));
}
// Place names as decoys: the name lists behind PERSON hold most of them (Lisbon, Germany, Houston), and masking a
// city or a country destroys what an agent needs. A second generator with its own seed, after the documents above
// (which stay as they were).
seed = 0x5eed9ace;
const CITIES = ['Lisbon', 'Berlin', 'Madrid', 'Toronto', 'Houston', 'Boston', 'Denver', 'London', 'Vienna', 'Munich', 'Warsaw', 'Dallas', 'Tokyo', 'Chicago', 'Sydney', 'Paris'];
const COUNTRIES = ['Germany', 'France', 'Canada', 'Brazil', 'Japan', 'Portugal', 'Spain', 'Poland', 'Mexico', 'Kenya'];
const REGIONS = ['Europe', 'Asia', 'Latin America', 'North America', 'Middle East', 'Scandinavia'];
const placeTemplates = [
  () => { const a = pick(CITIES), b = pick(CITIES), pr = price(); return [`Flights from ${a} to ${b} start at ${pr}.`, [], [['place', a], ['place', b], ['price', pr]]]; },
  () => { const c = pick(CITIES), k = pick(COUNTRIES), o = order(); return [`{"shipping": {"city": "${c}", "country": "${k}"}, "order": "${o}"}`, [], [['place', c], ['place', k], ['order', o]]]; },
  () => { const c = pick(CITIES), t = ts(); return [`${t} weather in ${c}: ${Math.floor(rnd() * 30)} C, wind ${Math.floor(rnd() * 40)} km/h`, [], [['place', c], ['timestamp', t]]]; },
  () => { const r = pick(REGIONS), c = pick(CITIES), k = pick(COUNTRIES); return [`Region: ${r}\nOffice: ${c}, ${k}\nHeadcount: ${digits(3)}`, [], [['place', r], ['place', c], ['place', k]]]; },
  () => { const n = person(), c = pick(CITIES), s = sha(); return [`Ticket from ${n} in ${c}: the printer is jammed again (build ${s}).`, [['PERSON', n]], [['place', c], ['git_sha', s]]]; },
  () => { const k = pick(COUNTRIES), pr = price(); return [`Orders shipped to ${k} this week: ${digits(3)}, average ${pr}`, [], [['place', k], ['price', pr]]]; },
];
const PLACE_DOCS = Number(process.argv[4] ?? 60);
for (let i = 0; i < PLACE_DOCS; i++) {
  const [text, sens, dec] = placeTemplates[i % placeTemplates.length]();
  lines.push(JSON.stringify({ id: N + i, text, sensitive: sens.map(([type, value]) => ({ type, value })), decoys: dec.map(([kind, value]) => ({ kind, value })) }));
}
// Everyday words the name lists also hold, as decoys: days and months in dates, weather and colours in records,
// software words at the start of headings and log lines. Names built on such words ("June Smith") are sensitive
// values beside them. A third generator with its own seed, after the documents above (which stay as they were).
seed = 0x0dd3a7e5;
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'April', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEATHER = ['Cloudy', 'Rainy', 'Stormy', 'Foggy', 'Windy', 'Overcast', 'Misty', 'Icy'];
const COLORS = ['Teal', 'Navy', 'Maroon', 'Indigo', 'Cyan', 'Magenta', 'Gray', 'Grey', 'Lime', 'Tan', 'Emerald', 'Sapphire'];
const TECH = ['Demo', 'Canary', 'Legacy', 'Vault', 'Cron', 'Tier', 'Shard', 'Broker', 'Sensor', 'Depot', 'Memo'];
const DATE_FIRST = ['April', 'June', 'August', 'May'];
const wordTemplates = [
  () => { const d = pick(DAYS), m = pick(MONTHS); return [`The release sync moved to ${d}, ${m} ${1 + Math.floor(rnd() * 27)}.`, [], [['day', d], ['month', m]]]; },
  () => { const m = pick(MONTHS), w = pick(WEATHER); return [`{"date": "${m} ${1 + Math.floor(rnd() * 27)}, 2025", "conditions": "${w}", "temperature": ${Math.floor(rnd() * 35)}}`, [], [['month', m], ['weather', w]]]; },
  () => { const t = pick(TECH), u = pick(TECH), d = pick(DAYS), s = sha(); return [`# ${t} notes\n\n${u} rollout paused on ${d}; see build ${s}.`, [], [['software_word', t], ['software_word', u], ['day', d], ['git_sha', s]]]; },
  () => { const c = pick(COLORS), t = pick(TECH), n = person(); return [`Color: ${c}\nStatus: ${t}\nOwner: ${n}`, [['PERSON', n]], [['colour', c], ['software_word', t]]]; },
  () => { const d = pick(DAYS), n = person(), c = pick(COLORS); return [`${d} standup: ${n} will show the ${c.toLowerCase()} theme.`, [['PERSON', n]], [['day', d]]]; },
  () => { const n = `${pick(DATE_FIRST)} ${pick(LAST)}`, o = order(), m = pick(MONTHS); return [`Contact ${n} about invoice ${o} before ${m}.`, [['PERSON', n]], [['order', o], ['month', m]]]; },
  // Base64 payloads: capitalised fragments between digits, slashes and pluses are not names.
  () => { const b = Buffer.from(Array.from({ length: 96 }, () => Math.floor(rnd() * 256))).toString('base64'); return [`{"file": "scan.png", "encoding": "base64", "data": "${b}"}`, [], [['base64', b]]]; },
];
const WORD_DOCS = Number(process.argv[5] ?? 60);
for (let i = 0; i < WORD_DOCS; i++) {
  const [text, sens, dec] = wordTemplates[i % wordTemplates.length]();
  lines.push(JSON.stringify({ id: N + PLACE_DOCS + i, text, sensitive: sens.map(([type, value]) => ({ type, value })), decoys: dec.map(([kind, value]) => ({ kind, value })) }));
}
// Agent-facing output an exploratory test found mishandled (2026-11-22): log timestamps with a space before the
// time and JavaScript dates, decimals and coordinates, HTTP headers and user agents, software names in lists,
// letters in Spanish and German, an order number after "number" — decoys all; opaque bearer tokens, Basic
// credentials, passwords on command lines, hex keys under secret names, fixed-prefix tokens of more providers, URL
// credentials before a dotted host, an IPv4 address after its label — sensitive. A fourth generator with its own
// seed, after the documents above (which stay as they were).
seed = 0x7e57ab1e;
const B64 = ALNUM + '+/';
const pad2 = (n) => String(n).padStart(2, '0');
const stamp = () => `2026-${pad2(1 + Math.floor(rnd() * 12))}-${pad2(1 + Math.floor(rnd() * 28))} ${pad2(Math.floor(rnd() * 24))}:${pad2(Math.floor(rnd() * 60))}:${pad2(Math.floor(rnd() * 60))}`;
const jsDate = () => `${pick(['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'])} ${pick(['Jan', 'Mar', 'Jun', 'Sep', 'Nov'])} ${pad2(1 + Math.floor(rnd() * 28))} 2026 ${pad2(Math.floor(rnd() * 24))}:${pad2(Math.floor(rnd() * 60))}:${pad2(Math.floor(rnd() * 60))} GMT+0000`;
const decimal = (int, frac) => `${Math.floor(rnd() * 10 ** int)}.${digits(frac)}`;
const SOFTWARE = ['Kubernetes', 'Terraform', 'Docker', 'Grafana', 'Kafka', 'Ansible', 'Redis', 'Prometheus'];
const ES_FIRST = ['María', 'José', 'Lucía', 'Andrés', 'Sofía'];
const ES_LAST = ['García', 'Pérez', 'López', 'Martínez', 'Sánchez'];
const DE_LAST = ['Müller', 'Schmidt', 'Schneider', 'Weber', 'Becker'];
const agentTemplates = [
  () => { const t = stamp(), e = `${pick(FIRST).toLowerCase()}@example.net`, d = decimal(1, 3); return [`${t},${digits(3)} INFO api request by ${e} took ${d}s`, [['EMAIL', e]], [['timestamp', t], ['decimal', d]]]; },
  () => { const t = stamp(), n = person(), o = order(); return [`[${t}] ERROR payment ${o} failed for ${n}`, [['PERSON', n]], [['timestamp', t], ['order', o]]]; },
  () => { const a = jsDate(), b = jsDate(); return [`created: ${a}\nmodified: ${b}\nsize: ${digits(4)}\nisFile: true`, [], [['timestamp', a], ['timestamp', b]]]; },
  () => { const la = `${decimal(2, 7)}`, lo = `-0.${digits(7)}`, ac = decimal(2, 2); return [`{"lat": ${la}, "lon": ${lo}, "accuracy_m": ${ac}}`, [], [['decimal', la], ['decimal', lo], ['decimal', ac]]]; },
  () => { const tok = chars(32, ALNUM), u = uuid(); return [`POST /v1/charges HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAuthorization: Bearer ${tok}\r\nX-Request-Id: ${u}\r\n\r\n`, [['SECRET', tok]], [['header', 'Content-Type'], ['header', 'User-Agent'], ['user_agent', 'Mozilla/5.0'], ['uuid', u]]]; },
  () => { const cred = Buffer.from(`deploy:${chars(14, ALNUM)}`).toString('base64'); return [`GET /metrics HTTP/1.1\r\nAuthorization: Basic ${cred}\r\nAccept: text/plain\r\n\r\n`, [['SECRET', cred]], [['header', 'Accept']]]; },
  () => { const pw = chars(10, ALNUM) + '!', my = chars(12, ALNUM); return [`curl -u deploy:${pw} https://ci.example.com/api/job/build\nmysql -h db.prod -u root -p${my} appdb`, [['PASSWORD', pw], ['PASSWORD', my]], [['url', 'https://ci.example.com/api/job/build']]]; },
  () => { const a = chars(32, HEX), b = chars(32, HEX), s = sha(), c = sha256(); return [`TWILIO_AUTH_TOKEN=${a}\nDATADOG_API_KEY=${b}\nGIT_COMMIT_SHA=${s}\nBUILD_CHECKSUM=${c}\n`, [['SECRET', a], ['SECRET', b]], [['git_sha', s], ['hash', c]]]; },
  () => { const gl = 'glpat-' + chars(20, ALNUM + '_-'), np = 'npm_' + chars(36, ALNUM), sg = `SG.${chars(22, ALNUM + '_-')}.${chars(43, ALNUM + '_-')}`; return [`GITLAB_TOKEN=${gl}\nnpm config set //registry.npmjs.org/:_authToken ${np}\nsendgrid key ${sg}`, [['GITLAB_TOKEN', gl], ['NPM_TOKEN', np], ['SENDGRID_KEY', sg]], []]; },
  () => { const a = pick(SOFTWARE), b = pick(SOFTWARE), c = pick(SOFTWARE); return [`We deploy with ${a} and ${b}; metrics go to ${c}.`, [], [['software', a], ['software', b], ['software', c]]]; },
  () => { const f = pick(ES_FIRST), l = pick(ES_LAST), o = order(); return [`Estimada Sra. ${f} ${l}:\nLe escribimos desde Madrid sobre su pedido ${o}.\nAtentamente,\nEl equipo`, [['PERSON', `${f} ${l}`]], [['word', 'Le escribimos'], ['place', 'Madrid'], ['word', 'Atentamente'], ['order', o]]]; },
  () => { const l = pick(DE_LAST); return [`Sehr geehrte Frau ${l},\nvielen Dank für Ihre Nachricht.\nMit freundlichen Grüßen`, [['PERSON', l]], [['word', 'Sehr geehrte'], ['word', 'vielen Dank'], ['word', 'Ihre Nachricht'], ['word', 'Mit freundlichen']]]; },
  () => { const m = `cpu=${decimal(1, 2)}`, p = '3.14159265358979', r = decimal(1, 9); return [`metrics: ${m} pi=${p} ratio=${r}`, [], [['decimal', m], ['decimal', p], ['decimal', r]]]; },
  () => { const tok = chars(20, ALNUM); return [`git clone https://oauth2:${tok}@gitlab.example.com/group/app.git`, [['PASSWORD', tok]], [['url', 'gitlab.example.com/group/app.git']]]; },
  () => { const o = '4' + digits(9), ip = `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${1 + Math.floor(rnd() * 250)}`; return [`Your order number is ${o}. Shipped from host IPv4 ${ip}.`, [['IP_ADDRESS', ip]], [['order', o]]]; },
  () => { const d = `${pick(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])}, ${pad2(1 + Math.floor(rnd() * 28))} Jan 2026 10:00:00 GMT`, room = `Room ${100 + Math.floor(rnd() * 800)}`, l = pick(LAST); return [`Date: ${d}\nMeeting in ${room} with Dr. ${l}.`, [['PERSON', l]], [['timestamp', d], ['room', room]]]; },
];
const AGENT_DOCS = Number(process.argv[6] ?? 64);
for (let i = 0; i < AGENT_DOCS; i++) {
  const [text, sens, dec] = agentTemplates[i % agentTemplates.length]();
  lines.push(JSON.stringify({ id: N + PLACE_DOCS + WORD_DOCS + i, text, sensitive: sens.map(([type, value]) => ({ type, value })), decoys: dec.map(([kind, value]) => ({ kind, value })) }));
}

// Card security codes (CVV, CVC, security code) beside cards in payment text and JSON — sensitive, always redacted —
// and the cue words with no code after them, prices and order numbers — decoys. A fifth generator with its own seed,
// after the documents above (which stay as they were). A code is drawn until it appears nowhere else in its document
// (not in the card's last four digits either, which the partial mask keeps), so the scorer's look-up is unambiguous.
seed = 0xc0dec0de;
const cardCode = (len, text) => {
  for (;;) {
    const c = digits(len);
    if (c[0] !== '0' && !text.includes(c)) return c;
  }
};
const exp = () => `${pad2(1 + Math.floor(rnd() * 12))}/${28 + Math.floor(rnd() * 6)}`;
const paymentTemplates = [
  () => { const c = card(), e = exp(), v = cardCode(3, c + e); return [`Card: ${c} Exp: ${e} CVV: ${v}`, [['CREDIT_CARD', c], ['CARD_SECURITY_CODE', v]], [['expiry', e]]]; },
  () => { const c = card(), p = price(), o = order(), v = cardCode(3, c + p + o); return [`{"card_number":"${c}","cvv":"${v}","amount":"${p}","order":"${o}"}`, [['CREDIT_CARD', c], ['CARD_SECURITY_CODE', v]], [['price', p], ['order', o]]]; },
  () => { const o = order(), v = cardCode(4, o); return [`payment declined for ${o}: security code is ${v}, please retry`, [['CARD_SECURITY_CODE', v]], [['order', o]]]; },
  () => { const c = card(), v = cardCode(3, c); return [`customer read out ${c} and CVC2=${v} on the call`, [['CREDIT_CARD', c], ['CARD_SECURITY_CODE', v]], []]; },
  () => { const p = price(), t = ts(); return [`${t} card verification code check passed; charged ${p}`, [], [['timestamp', t], ['price', p]]]; },
  () => { const v = version(), o = order(); return [`Fixed the security code review findings in v${v} (ticket ${o}).`, [], [['version', v], ['order', o]]]; },
];
const PAYMENT_DOCS = Number(process.argv[7] ?? 24);
for (let i = 0; i < PAYMENT_DOCS; i++) {
  const [text, sens, dec] = paymentTemplates[i % paymentTemplates.length]();
  lines.push(JSON.stringify({ id: N + PLACE_DOCS + WORD_DOCS + AGENT_DOCS + i, text, sensitive: sens.map(([type, value]) => ({ type, value })), decoys: dec.map(([kind, value]) => ({ kind, value })) }));
}

// What agents send and get back through a gateway, added with the detectors of the fourth session of 2026-11-22:
// passwords in SQL that creates or changes users, Azure shared access signatures, credentials in XML configs,
// fixed-prefix tokens, phone extensions, licence numbers with letters, internationalised e-mail addresses, and
// `<thing>_name` columns — sensitive; and decoys: the SQL around them, the SAS's version and expiry, Maven
// coordinates, table and product names, and masked output itself (a masked text masked again must stay as it is).
// A sixth generator with its own seed, after the documents above (which stay as they were).
seed = 0x5e55104e;
const pw = () => chars(10, ALNUM) + pick(['!', '#', '%', '9']);
const b64url = (n) => chars(n, ALNUM + '_-');
const gatewayTemplates = [
  () => { const p = pw(); return [`ALTER USER app_reader WITH PASSWORD '${p}';\nSELECT id, password_hash FROM users WHERE password_reset_at IS NULL;`, [['PASSWORD', p]], [['column', 'password_hash'], ['column', 'password_reset_at']]]; },
  () => { const p = chars(8, ALNUM); return [`CREATE USER scott IDENTIFIED BY ${p};\nGRANT CONNECT, RESOURCE TO scott;`, [['PASSWORD', p]], [['sql', 'GRANT CONNECT, RESOURCE TO scott']]]; },
  () => { const p = pw(); return [`CREATE USER 'svc'@'%' IDENTIFIED WITH caching_sha2_password BY '${p}';\nCREATE USER 'tmp'@'%' IDENTIFIED BY RANDOM PASSWORD;`, [['PASSWORD', p]], [['sql', 'IDENTIFIED BY RANDOM PASSWORD'], ['sql', 'caching_sha2_password']]]; },
  () => { const sig = chars(43, ALNUM + '+/').replace(/\+/g, '%2B').replace(/\//g, '%2F') + '%3D'; const se = `2026-${pad2(1 + Math.floor(rnd() * 12))}-${pad2(1 + Math.floor(rnd() * 28))}T00:00:00Z`; return [`Download: https://acct.blob.core.windows.net/exports/report.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=${se}&spr=https&sig=${sig}`, [['SECRET', sig]], [['version', 'sv=2022-11-02'], ['timestamp', se]]]; },
  () => { const p = pw(), v = version(); return [`<settings><servers><server><id>nexus</id><username>deploy</username><password>${p}</password></server></servers></settings>\n<dependency><groupId>org.example</groupId><artifactId>client</artifactId><version>${v}</version></dependency>`, [['PASSWORD', p]], [['version', v], ['xml', '<id>nexus</id>'], ['xml', '<username>deploy</username>']]]; },
  () => { const t = 'hvs.' + chars(4, ALNUM) + digits(2) + b64url(84); return [`export VAULT_ADDR=https://vault.example.com:8200\nvault login ${t}`, [['SECRET', t]], [['url', 'https://vault.example.com:8200']]]; },
  () => { const t = 'dckr_pat_' + chars(3, ALNUM) + digits(2) + b64url(22); return [`echo ${t} | docker login -u ci-bot --password-stdin registry-1.docker.io`, [['SECRET', t]], [['host', 'registry-1.docker.io']]]; },
  () => { const ph = `${200 + Math.floor(rnd() * 700)}-${200 + Math.floor(rnd() * 700)}-${digits(4)}`, x = digits(3); return [`Desk: ${ph}x${x}\nScreen: 1920x1080`, [['PHONE', `${ph}x${x}`]], [['resolution', '1920x1080']]]; },
  () => { const l = pick(['F', 'D', 'S', 'U']) + digits(12); return [`Driver's license number is ${l}; renewal due in 2027.`, [['DRIVER_LICENSE', l]], [['year', '2027']]]; },
  () => { const e = `${pick(['müller', 'renée.dupont', 'søren', 'zoë.smith', 'jürgen'])}${digits(2)}@example.${pick(['de', 'fr', 'dk'])}`; return [`Antwort an ${e} gesendet.`, [['EMAIL', e]], []]; },
  () => { const n = person(); return [`table_name,product_name,owner_name\nOrders,Macbook Air,${n}\nInvoices,Road Runner Trap,${n}`, [['PERSON', n]], [['table', 'Orders'], ['table', 'Invoices'], ['product', 'Macbook Air'], ['product', 'Road Runner Trap']]]; },
  () => { const tok = 'tok_' + b64url(22); return [`password=[PASSWORD] token=[SECRET]\n{"email":"[EMAIL:${tok}]","note":"sent to [EMAIL]"}\npostgres://app:[PASSWORD]@db.internal:5432/app`, [], [['masked', 'password=[PASSWORD] token=[SECRET]'], ['masked', `"email":"[EMAIL:${tok}]"`], ['masked', 'postgres://app:[PASSWORD]@db.internal:5432/app']]]; },
];
const GATEWAY_DOCS = Number(process.argv[8] ?? 36);
for (let i = 0; i < GATEWAY_DOCS; i++) {
  const [text, sens, dec] = gatewayTemplates[i % gatewayTemplates.length]();
  lines.push(JSON.stringify({ id: N + PLACE_DOCS + WORD_DOCS + AGENT_DOCS + PAYMENT_DOCS + i, text, sensitive: sens.map(([type, value]) => ({ type, value })), decoys: dec.map(([kind, value]) => ({ kind, value })) }));
}
// Gaps closed after the fourth session of 2026-11-22: tokens and secrets right after a literal escape (`\n`, `\t` of
// JSON-escaped text read as plain text, `%3D`/`%20` of a percent-encoded URL with no `name=` before it), lower-case
// IBANs, SQL that sets passwords in dollar quotes, after a comment, with MySQL's OLD_PASSWORD() and Oracle's REPLACE,
// Azure Service Bus / Event Hubs SAS tokens (the `sig`), XML elements closed in another case — sensitive; and
// decoys: Windows paths whose folders start with n, t or r, hex ids that start like an IBAN, the SQL and the SAS
// token's other parts, and the opaque pagination cursors of S3 and other APIs (NextContinuationToken, nextToken,
// nextPageToken, cursor), which are no credentials. A seventh generator with its own seed, after the documents above
// (which stay as they were).
seed = 0xe5ca9ed1;
const ibanOf = (cc, bban) => {
  let m = 0;
  for (const ch of bban + cc + '00') { const v = /[A-Z]/.test(ch) ? ch.charCodeAt(0) - 55 : +ch; m = v >= 10 ? (m * 100 + v) % 97 : (m * 10 + v) % 97; }
  return cc + String(98 - m).padStart(2, '0') + bban;
};
const lowerIban = () => pick([() => ibanOf('DE', digits(18)), () => ibanOf('NL', chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') + digits(10)), () => ibanOf('FR', digits(23)), () => ibanOf('BE', digits(12))])().toLowerCase();
const grouped = (s) => s.replace(/(.{4})(?=.)/g, '$1 ');
// A hex id that starts with two letters and two digits, as an IBAN does (de, be, ad, ae are IBAN countries).
const hexLikeIban = (n) => pick(['de', 'be', 'ad', 'ae', 'ee', 'fa']) + digits(2) + chars(n - 4, HEX);
const cursorB64 = (n) => chars(n, B64);
const saSig = () => encodeURIComponent(Buffer.from(Array.from({ length: 32 }, () => Math.floor(rnd() * 256))).toString('base64'));
const escapeTemplates = [
  () => { const t = ghp(), k = 'AKIA' + chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), ts1 = stamp(); return [`${ts1} worker[42]: "msg":"clone failed\\n${t}\\tretrying with\\n${k}"`, [['GITHUB_TOKEN', t], ['AWS_ACCESS_KEY', k]], [['timestamp', ts1]]]; },
  () => { const p = chars(12, ALNUM), s = 'sk_live_' + chars(24, ALNUM); return [`payload: "config loaded\\tpw=${p}\\r\\nbilling ready\\n${s}"`, [['PASSWORD', p], ['STRIPE_KEY', s]], [['word', 'config loaded'], ['word', 'billing ready']]]; },
  () => { const tok = chars(24, ALNUM), g = ghp(); return [`callback url=https%3A%2F%2Fapp.example.com%2Fcb%3Fstate%3Dxyz%26token%3D${tok}%26gh%3D${g}`, [['SECRET', tok], ['GITHUB_TOKEN', g]], [['host', 'app.example.com'], ['query', 'state%3Dxyz']]]; },
  () => { const a = 'C:\\new\\temp\\tools', b = 'C:\\repos\\node_modules\\nested\\tests\\run.cmd', c = 'D:\\reports\\new\\team'; return [`copied ${a}\\build.log to ${c} and ran ${b}`, [], [['path', a], ['path', b], ['path', c]]]; },
  () => { const i = lowerIban(), h = hexLikeIban(40), o = hexLikeIban(24); return [`refund to iban ${i} for object ${o} (commit ${h})`, [['IBAN', i]], [['hex_id', o], ['git_sha', h]]]; },
  () => { const i = grouped(lowerIban()), h = hexLikeIban(32), s = hexLikeIban(16); return [`{"account": "${i}", "request_id": "${h}", "span": "${s}"}`, [['IBAN', i]], [['hex_id', h], ['hex_id', s]]]; },
  () => { const p = pw(), q = pw(); return [`ALTER ROLE app_writer WITH LOGIN PASSWORD $pw$${p}$pw$;\nALTER USER app_reader PASSWORD $$${q}$$;`, [['PASSWORD', p], ['PASSWORD', q]], [['sql', 'ALTER ROLE app_writer WITH LOGIN PASSWORD'], ['sql', 'ALTER USER app_reader PASSWORD']]]; },
  () => { const p = pw(), q = pw(); return [`ALTER USER etl PASSWORD /* rotated ${stamp().slice(0, 10)} */ '${p}';\nCREATE USER audit WITH PASSWORD -- from vault\n'${q}';`, [['PASSWORD', p], ['PASSWORD', q]], [['sql', 'ALTER USER etl PASSWORD'], ['sql', '-- from vault']]]; },
  () => { const p = pw(), n = pw(), o = pw(); return [`SET PASSWORD FOR 'legacy'@'%' = OLD_PASSWORD('${p}');\nALTER USER scott IDENTIFIED BY "${n}" REPLACE "${o}";`, [['PASSWORD', p], ['PASSWORD', n], ['PASSWORD', o]], [['sql', "SET PASSWORD FOR 'legacy'@'%'"], ['sql', 'ALTER USER scott IDENTIFIED BY']]]; },
  () => { const sig = saSig(), se = String(1767225600 + Math.floor(rnd() * 1e7)), sr = 'https%3A%2F%2Fshop-bus.servicebus.windows.net%2Forders'; return [`POST /orders/messages HTTP/1.1\r\nHost: shop-bus.servicebus.windows.net\r\nAuthorization: SharedAccessSignature sr=${sr}&sig=${sig}&se=${se}&skn=RootManageSharedAccessKey\r\n\r\n`, [['SECRET', sig]], [['resource', sr], ['expiry', `se=${se}`], ['key_name', 'skn=RootManageSharedAccessKey']]]; },
  () => { const sig = saSig(), se = String(1767225600 + Math.floor(rnd() * 1e7)); return [`EVENTHUB_CONNECTION=Endpoint=sb://telemetry.servicebus.windows.net/;EntityPath=events;SharedAccessSignature=SharedAccessSignature sr=telemetry.servicebus.windows.net&sig=${sig}&se=${se}&skn=send-only`, [['SECRET', sig]], [['host', 'sb://telemetry.servicebus.windows.net/'], ['expiry', `se=${se}`], ['key_name', 'skn=send-only']]]; },
  () => { const p = pw(), v = version(); return [`<Settings><Server>db01</server><Password>${p}</password><Version>${v}</Version></Settings>`, [['PASSWORD', p]], [['xml', '<Server>db01</server>'], ['version', v]]]; },
  () => { const c = cursorB64(43) + '=', k = uuid(); return [`{"Name":"exports","KeyCount":1000,"IsTruncated":true,"ContinuationToken":"${k}","NextContinuationToken":"${c}"}`, [], [['cursor', c], ['cursor', k]]]; },
  () => { const t = chars(32, ALNUM), n = b64url(48), p = b64url(40), c = cursorB64(28); return [`{"token":"${t}","nextToken":"${n}","next_page_token":"${p}","cursor":"${c}"}`, [['SECRET', t]], [['cursor', n], ['cursor', p], ['cursor', c]]]; },
  () => { const c = cursorB64(60) + '=='; return [`<ListBucketResult><Name>exports</Name><KeyCount>1000</KeyCount><NextContinuationToken>${c}</NextContinuationToken><IsTruncated>true</IsTruncated></ListBucketResult>`, [], [['cursor', c]]]; },
  () => { const n = b64url(64), p = pw(); return [`page 2: nextPageToken=${n} (session password=${p})`, [['PASSWORD', p]], [['cursor', n]]]; },
];
const ESCAPE_DOCS = Number(process.argv[9] ?? 48);
for (let i = 0; i < ESCAPE_DOCS; i++) {
  const [text, sens, dec] = escapeTemplates[i % escapeTemplates.length]();
  lines.push(JSON.stringify({ id: N + PLACE_DOCS + WORD_DOCS + AGENT_DOCS + PAYMENT_DOCS + GATEWAY_DOCS + i, text, sensitive: sens.map(([type, value]) => ({ type, value })), decoys: dec.map(([kind, value]) => ({ kind, value })) }));
}
writeFileSync(out, lines.join('\n') + '\n');
console.error(`wrote ${lines.length} documents to ${out}`);
