import type { Finding } from '../../core/masking.js';
import { entropy, githubTokenValid, jwtValid, pemPrivateKeyBase64 } from '../validators.js';
import { CUE_PREFIX, eachCue } from '../cues.js';
import type { Detector } from '../types.js';
import { codeUnits, escapeBefore } from '../chars.js';

// Known token prefixes come from the shared cue pass (cues.ts, PREFIX_SRC); each hit is extended by hand over the
// token alphabet.

function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}
function isWordChar(c: number): boolean {
  return isTokenChar(c) || c === 43 || c === 47;
}

// GitLab tokens (docs.gitlab.com, token prefixes): glpat-, gldt-, glrt-, glsoat-, glffct-, glft- and 20 characters;
// glimt- 25, glagent- 50, gloas- 64, glptt- 40 hex, glcbt- `<1-5>_<20>`; routable glpat-/glrt- tokens end in
// `.<2><7>`.
const GITLAB = /^(?:gl(?:pat|dt|rt|soat|ffct|ft)-[\w-]{20}|glimt-[\w-]{25}|glagent-[\w-]{50}|gloas-[\w-]{64}|glptt-[0-9a-f]{40}|glcbt-[0-9a-zA-Z]{1,5}_[\w-]{20}|gl(?:pat|rt)-[\w-]{27,300}\.[0-9a-z]{9})$/;
/** Random enough to be a credential, not a placeholder (`glpat-XXXXXXXXXXXXXXXXXXXX`): entropy of the part after `p`. */
const random = (tok: string, p: number) => entropy(tok.slice(p)) >= 3;
/**
 * Random enough for the newer fixed-prefix formats: entropy ≥ 3 after `p`, and not words in one case
 * (`dckr_pat_your_personal_access_token`, `NRAK-YOURAPIKEYHERE…`), which a random token of these lengths never is.
 */
const randomNotWords = (tok: string, p: number) => random(tok, p) && !/^(?:[a-z_-]+|[A-Z_-]+)$/.test(tok.slice(p));
// age secret keys: bech32 in upper case (no 1, B, I, O after the separator 1).
const AGE = /^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$/;
/**
 * A HashiCorp Vault token (`hvs.` service, `hvb.` batch, `hvr.` recovery): the short form (`hvs.` and 24 base62, as
 * root and recovery tokens are) or the long one (service tokens of 90+ and batch tokens of 130+ base64url). A short
 * one needs a digit or six capitals, so that a camelCase property after a variable named `hvs` is not taken.
 */
function vaultToken(tok: string): boolean {
  if (!/^hv[sbr]\.[\w-]{24,}$/.test(tok) || !randomNotWords(tok, 4)) return false;
  if (tok.length >= 94) return true;
  let caps = 0;
  for (let i = 4; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
    if (c >= 65 && c <= 90) caps++;
  }
  return caps >= 6;
}

/**
 * The provider and confidence of a token, or undefined. Each format starts with its own first character, so only the
 * formats of the token's first character are tried (in the same order as ever: the first that matches decides).
 */
function classify(tok: string): [string, number] | undefined {
  switch (tok.charCodeAt(0)) {
    case 65: // A
      if (/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(tok)) return /EXAMPLE$/.test(tok) ? undefined : ['AWS_ACCESS_KEY', 0.95];
      if (/^AIza[0-9A-Za-z_-]{35}$/.test(tok)) return ['GOOGLE_API_KEY', 0.95];
      if (AGE.test(tok)) return random(tok, 16) ? ['SECRET', 0.97] : undefined; // age secret key
      return undefined;
    case 112: // p
      // PyPI API token: a macaroon whose base64 starts with its location, pypi.org.
      if (/^pypi-AgEIcHlwaS5vcmc[\w-]{50,}$/.test(tok)) return random(tok, 20) ? ['SECRET', 0.97] : undefined;
      return undefined;
    case 100: // d
      if (/^dckr_pat_[\w-]{27,}$/.test(tok)) return randomNotWords(tok, 9) ? ['SECRET', 0.95] : undefined; // Docker Hub
      if (/^do[por]_v1_[0-9a-f]{64}$/.test(tok)) return random(tok, 7) ? ['SECRET', 0.97] : undefined; // DigitalOcean
      return undefined;
    case 108: // l
      if (/^lin_api_[A-Za-z0-9]{40}$/.test(tok)) return randomNotWords(tok, 8) ? ['SECRET', 0.95] : undefined; // Linear
      return undefined;
    case 80: // P
      if (/^PMAK-[0-9a-f]{24}-[0-9a-f]{34}$/.test(tok)) return random(tok, 5) ? ['SECRET', 0.97] : undefined; // Postman
      return undefined;
    case 78: // N
      if (/^NRAK-[A-Z0-9]{27}$/.test(tok)) return randomNotWords(tok, 5) ? ['SECRET', 0.95] : undefined; // New Relic user key
      return undefined;
    case 103: // g
      if (/^gh[pousr]_/.test(tok)) return githubTokenValid(tok) ? ['GITHUB_TOKEN', 0.99] : undefined;
      if (/^github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}$/.test(tok)) return ['GITHUB_TOKEN', 0.95];
      if (GITLAB.test(tok)) return random(tok, tok.indexOf('-') + 1) ? ['SECRET', 0.95] : undefined;
      return undefined;
    case 120: // x
      if (/^xox[abposre]-\d+-[A-Za-z0-9-]{8,}$/.test(tok) || /^xoxe\.xox[bp]-\d-[A-Za-z0-9]{20,}$/.test(tok) || /^xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{20,}$/.test(tok)) return ['SLACK_TOKEN', 0.95];
      return undefined;
    case 114: // r
      if (/^[sr]k_live_[A-Za-z0-9]{20,}$/.test(tok)) return ['STRIPE_KEY', 0.95];
      return undefined;
    case 115: // s
      if (/^[sr]k_live_[A-Za-z0-9]{20,}$/.test(tok)) return ['STRIPE_KEY', 0.95];
      if (/^sk-ant-(api|admin)\d\d-[A-Za-z0-9_-]{60,}$/.test(tok)) return ['ANTHROPIC_KEY', 0.98];
      if (/^sk-(proj-|svcacct-|admin-)[A-Za-z0-9_-]{40,}$/.test(tok) || /^sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}$/.test(tok)) return ['OPENAI_KEY', 0.97];
      if (/^sk-[A-Za-z0-9]{40,}$/.test(tok) && entropy(tok) > 4) return ['OPENAI_KEY', 0.75];
      if (/^shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}$/.test(tok)) return ['SECRET', 0.95]; // Shopify access tokens and shared secret
      if (/^sbp_[0-9a-f]{40}$/.test(tok)) return random(tok, 4) ? ['SECRET', 0.95] : undefined; // Supabase access token
      return undefined;
    case 119: // w
      if (/^whsec_[A-Za-z0-9]{24,}$/.test(tok)) return random(tok, 6) ? ['STRIPE_KEY', 0.95] : undefined; // webhook signing secret
      return undefined;
    case 101: // e
      if (tok.startsWith('eyJ') && jwtValid(tok)) return ['JWT', 0.95];
      return undefined;
    case 110: // n
      if (/^npm_[A-Za-z0-9]{36}$/.test(tok)) return random(tok, 4) ? ['SECRET', 0.95] : undefined; // npm access token
      return undefined;
    case 83: // S
      if (/^SG\.[\w-]{22}\.[\w-]{43}$/.test(tok)) return ['SECRET', 0.97]; // SendGrid API key
      if (/^SK[0-9a-f]{32}$/.test(tok)) return ['SECRET', 0.9]; // Twilio API key
      return undefined;
    case 104: // h
      // Hugging Face access token: hf_ and 34 letters, both cases.
      if (/^hf_[A-Za-z]{34}$/.test(tok)) return random(tok, 3) && /[A-Z]/.test(tok) && /[a-z]/.test(tok.slice(3)) ? ['SECRET', 0.9] : undefined;
      if (vaultToken(tok)) return ['SECRET', 0.95];
      return undefined;
    case 121: // y
      if (/^ya29\.[\w-]{20,}$/.test(tok)) return random(tok, 5) ? ['SECRET', 0.95] : undefined; // Google OAuth access token
      return undefined;
  }
  return undefined;
}

// Prefixes whose tokens hold dots: JWT (eyJ), SendGrid (SG.), Google OAuth (ya29.), Slack refresh (xoxe.), routable
// GitLab tokens (gl…-).
const DOTTED = /^(?:eyJ|SG\.|ya29\.|xoxe\.|gl)/;

/** Provider tokens with known formats (AWS, GitHub with CRC32, Slack, Stripe, OpenAI, Anthropic, Google, JWT, GitLab,
 * npm, SendGrid, Hugging Face, Twilio, Shopify, PyPI, Docker Hub, Vault, DigitalOcean, Linear, Supabase, Postman, New
 * Relic, age, AWS session tokens), the token after `Bearer`, and base64 PEM private keys (kubeconfig
 * `client-key-data`). */
export const providerTokens: Detector = (text, out, ctx) => {
  // Read by code unit (tokens run to hundreds of characters; see chars.ts codeUnits).
  let cu: Uint16Array | undefined;
  eachCue(text, ctx, CUE_PREFIX, (start, prefixEnd) => {
    cu ??= codeUnits(text, ctx);
    // Glued to a word (`x` + token), unless a literal escape (`\n`, `%20`) ends right before it.
    if (start > 0 && isWordChar(cu[start - 1]) && !escapeBefore(cu, start)) return;
    if (cu[start] === 76 && prefixEnd - start === 14) return base64Pem(text, cu, start, out); // LS0tLS1CRUdJTi
    if ((cu[start] | 32) === 98) return bearer(text, cu, prefixEnd, out); // Bearer …
    if (cu[start] === 73 || cu[start] === 70) return awsSessionToken(text, cu, start, out); // IQoJ…, FwoG…, FQoG…
    let end = prefixEnd;
    const jwt = prefixEnd - start === 3 && text.startsWith('eyJ', start);
    const dots = jwt || DOTTED.test(text.slice(start, start + 5));
    const n = cu.length;
    while (end < n && end - start < 4096) {
      const c = cu[end];
      if (isTokenChar(c) || (dots && c === 46)) end++;
      else break;
    }
    if (jwt && cu[end - 1] === 46 && text.slice(start, end).split('.').length > 3) end--;
    else if (dots && !jwt) while (end > prefixEnd && cu[end - 1] === 46) end--; // a full stop after it
    const hit = classify(text.slice(start, end));
    if (hit) out.push({ type: hit[0], start, end, confidence: hit[1], detector: 'provider-token' });
    return end;
  });
};

const isToken68Char = (c: number) => isTokenChar(c) || c === 46 || c === 126 || c === 43 || c === 47;
/**
 * The token after `Bearer ` at `s`, wherever it stands (a log line, a header without its name): SECRET when it looks
 * random (16+ characters, letters and digits, entropy ≥ 3). Known formats inside (a JWT) are still visited: the cue
 * search resumes right after `Bearer `.
 */
function bearer(text: string, cu: Uint16Array, s: number, out: Finding[]): void {
  let e = s;
  while (e < cu.length && e - s < 4096 && isToken68Char(cu[e])) e++;
  while (e > s && cu[e - 1] === 46) e--; // a full stop after it
  for (let k = 0; k < 2 && cu[e] === 61; k++) e++;
  if (e - s < 16 || (e < text.length && !/[\s"'`,;.)\]}>]/.test(text[e]))) return;
  const tok = text.slice(s, e);
  if (!/\d/.test(tok) || !/[A-Za-z]/.test(tok) || entropy(tok) < 3) return;
  out.push({ type: 'SECRET', start: s, end: e, confidence: 0.85, detector: 'provider-token' });
}

/**
 * An AWS STS session token at `start` (its fixed header matched: `IQoJb3JpZ2luX2Vj`, `FwoGZXIvYXdzE`, `FQoGZXIvYXdzE`):
 * base64 with `+` and `/`, hundreds of characters long. SECRET when 100 or more and random after the header.
 */
function awsSessionToken(text: string, cu: Uint16Array, start: number, out: Finding[]): number {
  let end = start;
  while (end < cu.length && end - start < 4096 && isBase64Char(cu[end])) end++;
  for (let k = 0; k < 2 && cu[end] === 61; k++) end++;
  if (end - start >= 100 && (end === cu.length || !isWordChar(cu[end])) && entropy(text.slice(start + 16, end)) >= 4) {
    out.push({ type: 'SECRET', start, end, confidence: 0.95, detector: 'provider-token' });
  }
  return end;
}

const isBase64Char = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47;
/**
 * Base64 starting `LS0tLS1CRUdJTi` (`-----BEGIN`) at `start`: a PEM block encoded whole, as kubeconfig
 * (`client-key-data`) and Kubernetes Secrets hold keys. A PRIVATE_KEY when the header decodes to a private key;
 * certificates and public keys are left alone. Lines wrapped at 64 or 76 characters are followed.
 */
function base64Pem(text: string, cu: Uint16Array, start: number, out: Finding[]): number {
  let end = start, line = start;
  const n = cu.length;
  /** The line at `k` is base64 alone (maybe `=` padding) up to its end: a wrapped line, not the next key or field. */
  const base64Line = (k: number) => {
    if (!isBase64Char(cu[k])) return false;
    while (k < n && isBase64Char(cu[k])) k++;
    while (k < n && cu[k] === 61) k++;
    return k === n || cu[k] === 10 || (cu[k] === 13 && cu[k + 1] === 10);
  };
  for (;;) {
    while (end < n && isBase64Char(cu[end])) end++;
    const w = end - line;
    if ((w === 64 || w === 76) && cu[end] === 10 && base64Line(end + 1)) line = ++end;
    else if ((w === 64 || w === 76) && cu[end] === 13 && cu[end + 1] === 10 && base64Line(end + 2)) line = end += 2;
    else break;
  }
  for (let k = 0; k < 2 && cu[end] === 61; k++) end++;
  if (pemPrivateKeyBase64(text.slice(start, Math.min(end, start + 128)).replace(/\s/g, ''))) {
    out.push({ type: 'PRIVATE_KEY', start, end, confidence: 0.99, detector: 'provider-token' });
  }
  return end;
}
