import type { Finding } from '../../core/masking.js';
import { wordPass } from '../words.js';
import type { Detector } from '../types.js';
import { codeUnits } from '../chars.js';
import { secretValueConfidence } from './secrets.js';

/** Characters that end a URL's authority (`/`, white space, quotes, angle brackets): / space \n \t " ' < >. */
export const endsAuthority = (c: number) => c === 47 || c === 32 || c === 10 || c === 9 || c === 34 || c === 39 || c === 60 || c === 62;

/**
 * `scheme://user:password@host` — the password part (the user and host are kept); a user alone that looks like a
 * token (`https://<key>@o1.ingest.sentry.io`) as SECRET; incoming-webhook URLs (Slack, Discord, Teams), whose path is
 * the credential.
 */
export const urlCredentials: Detector = (text, out, ctx) => {
  // A short value with no word pass made for it yet: indexOf costs less than making one (the MCP hot path).
  if (ctx.words === undefined && text.length <= 256) return urlCredentialsByIndexOf(text, out);
  // Each `://` in order: a colon of the word pass's list of `:`, `=` and `@` with `//` after it; read by code unit.
  const w = wordPass(text, ctx);
  const cu = codeUnits(text, ctx);
  let from = 0;
  for (let k = 0; k < w.nSign; k++) {
    const i = w.signAt[k];
    if (i < from || cu[i] !== 58 || i + 2 >= text.length || cu[i + 1] !== 47 || cu[i + 2] !== 47) continue;
    from = i + 3;
    let colon = -1, at = -1, j = i + 3;
    for (; j < text.length && j - i < 512; j++) {
      const c = cu[j];
      if (endsAuthority(c)) break;
      if (c === 58 && colon < 0) colon = j;
      if (c === 64) at = j;
    }
    from = urlFound(text, i, colon, at, j, out, from);
  }
};

/** The URL-credentials detector without the word pass (a small value): each `://` by indexOf. */
export function urlCredentialsByIndexOf(text: string, out: Finding[]): void {
  let from = 0;
  for (;;) {
    const i = text.indexOf('://', from);
    if (i < 0) return;
    from = i + 3;
    let colon = -1, at = -1, j = i + 3;
    for (; j < text.length && j - i < 512; j++) {
      const c = text.charCodeAt(j);
      if (endsAuthority(c)) break;
      if (c === 58 && colon < 0) colon = j;
      if (c === 64) at = j;
    }
    from = urlFound(text, i, colon, at, j, out, from);
  }
}

/**
 * The authority after the `://` at `i` ends at `authEnd`; `colon` is its first `:`, `at` its last `@` (-1: none).
 * Records what it holds; returns where the search for the next `://` resumes.
 */
function urlFound(text: string, i: number, colon: number, at: number, authEnd: number, out: Finding[], from: number): number {
  if (at > colon + 1 && colon > 0) {
    out.push({ type: 'PASSWORD', start: colon + 1, end: at, confidence: 0.95, detector: 'url-credentials' });
    return at + 1;
  }
  if (at > i + 3 && (colon < 0 || colon > at)) {
    // A user and no password: a token used as the user name (Sentry DSN keys, `https://<token>@host`).
    const user = text.slice(i + 3, at);
    if (user.length >= 16 && secretValueConfidence('SECRET', user, true) > 0) {
      out.push({ type: 'SECRET', start: i + 3, end: at, confidence: 0.85, detector: 'url-credentials' });
    }
    return at + 1;
  }
  if (at < 0) return webhook(text, i + 3, authEnd, out, from);
  return from;
}

// Incoming-webhook URLs: anyone holding the URL can post. The path after the prefix is masked, the host kept.
const WEBHOOKS: [RegExp, string, string][] = [
  [/^hooks\.slack\.com$/, '/services/', 'SLACK_TOKEN'],
  [/^hooks\.slack\.com$/, '/workflows/', 'SLACK_TOKEN'],
  [/^hooks\.slack\.com$/, '/triggers/', 'SLACK_TOKEN'],
  [/^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/, '/api/webhooks/', 'SECRET'],
  [/\.webhook\.office\.com$/, '/webhookb2/', 'SECRET'],
];
function webhook(text: string, hostStart: number, hostEnd: number, out: Finding[], from: number): number {
  const len = hostEnd - hostStart;
  if (len < 11 || len > 80 || text.charCodeAt(hostEnd) !== 47) return from;
  let host: string | undefined; // lower-cased only for a webhook path (most URLs have none)
  for (const [re, path, type] of WEBHOOKS) {
    if (!text.startsWith(path, hostEnd) || !re.test((host ??= text.slice(hostStart, hostEnd).toLowerCase()))) continue;
    const s = hostEnd + path.length;
    let e = s;
    while (e < text.length && e - s < 512 && !endsAuthority(text.charCodeAt(e) === 47 ? 0 : text.charCodeAt(e)) && text.charCodeAt(e) !== 41 && text.charCodeAt(e) !== 13) e++;
    if (e - s >= 20) out.push({ type, start: s, end: e, confidence: 0.95, detector: 'url-credentials' });
    return Math.max(from, e);
  }
  return from;
}

const SAS_RESOURCE = /(?:^|[?&;])sr=[^&;]/;
const SAS_EXPIRY = /(?:^|[?&;])se=\d/;
/**
 * Does the query around the `sig=` at `i` (back to white space or a quote, 1,000 characters at most, and on to `end`)
 * hold `sr=` and `se=` parameters: a Service Bus, Event Hubs or IoT Hub SAS token (`SharedAccessSignature
 * sr=<resource>&sig=<signature>&se=<expiry>&skn=<key name>`)? In XML its `&` are `&amp;` (`;se=`).
 */
function busSasQuery(text: string, i: number, end: number): boolean {
  let a = i;
  while (a > 0 && i - a < 1000) {
    const c = text.charCodeAt(a - 1);
    if (c <= 32 || c === 34 || c === 39) break;
    a--;
  }
  const q = text.slice(a, end);
  return SAS_RESOURCE.test(q) && SAS_EXPIRY.test(q);
}

/** Where a shared access signature's value ends: `&`, `;`, white space, quotes, brackets, `<`, `>`, `#`. */
const endsSasValue = (c: number) => c === 38 || c === 59 || c <= 32 || c === 34 || c === 39 || c === 41 || c === 60 || c === 62 || c === 35 || c === 93 || c === 125;
const SAS_CHAR = /^[A-Za-z0-9+/=%_-]+$/;

/**
 * Azure shared access signatures: the `sig=` of a SAS query (`?sv=2022-11-02&…&sig=…`, in a blob URL, a
 * `SharedAccessSignature=` connection string or a bare query string) is what grants access; the rest of the query
 * (version, permissions, expiry) is kept. A `sig=` counts only as a query parameter (after `?`, `&` or `;`) with the
 * SAS version `sv=` among the parameters before it (or after it), or with a resource `sr=` and an expiry `se=` (a
 * Service Bus, Event Hubs or IoT Hub token: `SharedAccessSignature sr=…&sig=…&se=…&skn=…`), and a value of 20+ base64
 * or percent-encoded characters.
 *
 * @example
 * sasSignatures('https://a.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA%3D', out, ctx)
 * // one SECRET over the value after `sig=`
 */
export const sasSignatures: Detector = (text, out) => {
  let from = 0;
  for (;;) {
    const i = text.indexOf('sig=', from);
    if (i < 0) return;
    from = i + 4;
    const p = i > 0 ? text.charCodeAt(i - 1) : 0;
    if (p !== 38 && p !== 63 && p !== 59) continue; // & ? ;
    let e = from;
    while (e < text.length && e - from < 512 && !endsSasValue(text.charCodeAt(e))) e++;
    // Too short for a signature: nothing to look for around it (and repeated short `&sig=` costs no query walks).
    if (e - from < 20) continue;
    // `sv=` as an earlier parameter of the same query: within 1,000 characters, no white space in between.
    const q = Math.max(0, i - 1000);
    let sv = -1;
    for (let k = i - 1; k >= q + 2; k--) {
      const c = text.charCodeAt(k);
      if (c <= 32) break;
      if (c === 61 && text.charCodeAt(k - 1) === 118 && text.charCodeAt(k - 2) === 115) {
        const b = k >= 3 ? text.charCodeAt(k - 3) : 0;
        // After `&`, `?`, `;`, `=`, white space, a quote or a bracket (`--sas-token 'sv=…&sig=…'`).
        if (k === q + 2 || b === 38 || b === 63 || b === 59 || b === 61 || b <= 32 || b === 34 || b === 39 || b === 40 || b === 91 || b === 123) sv = k;
        if (sv >= 0) break;
      }
    }
    // Or `sv=` as a later parameter of the same query (`?sig=…&sv=…`): up to white space or a quote, 1,000 at most.
    // Or a Service Bus / Event Hubs / IoT Hub token: `sr=` and `se=` among the parameters (`skn=` is optional).
    if (sv < 0) {
      let k = e;
      while (k < text.length && k - e < 1000 && text.charCodeAt(k) > 32 && text.charCodeAt(k) !== 34 && text.charCodeAt(k) !== 39) k++;
      const later = text.slice(e, k);
      if (!later.includes('&sv=') && !later.includes(';sv=') && !busSasQuery(text, i, k)) continue;
    }
    if (SAS_CHAR.test(text.slice(from, e))) out.push({ type: 'SECRET', start: from, end: e, confidence: 0.95, detector: 'sas-signature' });
    from = e;
  }
};
