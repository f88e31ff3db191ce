import type { Finding } from '../../core/masking.js';
import { lexicon, type Lexicon } from '../lexicon.js';
import type { Detector } from '../types.js';

const LETTER = /[\p{L}\p{M}]/u;
const UPPER = /\p{Lu}/u;
function isLetter(c: number, text: string, i: number): boolean {
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return c >= 0xc0 && LETTER.test(text[i]);
}

/**
 * Calls `fn(start, end)` for each capitalised word (any script with case) that starts a word, with inner
 * apostrophes and hyphens (O'Brien, Jean-Luc). One hand-written pass: cheaper than a Unicode regex, and linear.
 */
function forEachCapitalised(text: string, fn: (s: number, e: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 65 || !isLetter(c, text, i)) {
      i++;
      continue;
    }
    const s = i;
    const cap = c < 128 ? c <= 90 : UPPER.test(text[i]);
    i++;
    for (;;) {
      while (i < n && isLetter(text.charCodeAt(i), text, i)) i++;
      const d = text.charCodeAt(i);
      if ((d === 39 || d === 0x2019 || d === 45) && i + 1 < n && isLetter(text.charCodeAt(i + 1), text, i + 1)) i += 2;
      else break;
    }
    if (cap) fn(s, i);
  }
}
const PARTICLES = new Set(['van', 'de', 'der', 'den', 'von', 'da', 'di', 'del', 'della', 'la', 'le', 'du', 'bin', 'ibn', 'al', 'ben', 'dos', 'das', 'y', 'ter', 'ten', 'zu', 'af']);
// Words the name list holds but that, capitalised, are greetings, roles or auth schemes far more often than names.
const NOT_NAMES = new Set(['hi', 'hello', 'hey', 'dear', 'thanks', 'regards', 'bearer', 'basic', 'token', 'user', 'bot', 'admin', 'customer', 'agent', 'patient', 'doctor', 'nurse', 'error', 'warning', 'info', 'debug']);
const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'madam', 'lady', 'lord', 'rev', 'herr', 'frau', 'mme', 'mlle', 'sr', 'sra', 'dame', 'mister', 'señor', 'señora']);
// Words before a name that make the next capitalised words a name (checked with endsWith: no regex per word).
const CUES = ['my name is', 'name is', 'name:', 'i am', "i'm", 'this is', 'hi', 'hello', 'hey', 'dear', 'thanks', 'thank you', 'regards',
  'cheers', 'call me', 'calls me', 'called', 'named', 'named him', 'named her', 'by', 'with', 'says', 'said', 'told', 'asked', 'contact',
  'ask for', 'attn', 'attn:', 'cc', 'cc:', 'from:', 'to:', 'signed', 'patient', 'user:', 'customer:', 'agent:', 'starring', 'directed by',
  'written by', 'featuring', 'meet', 'and', ',', 'is', 'last name?', 'first name?', 'name?', 'maiden name is', 'founders:', 'kid', 'son', 'daughter',
  'wife', 'husband', 'mother', 'father', 'brother', 'sister', 'friend', 'colleague', 'manager', 'ex-zombie'];

function hasCue(text: string, start: number): boolean {
  const b = text.slice(Math.max(0, start - 24), start).toLowerCase().trimEnd();
  for (const c of CUES) if (b.endsWith(c) && (b.length === c.length || !/[a-z]/.test(b[b.length - c.length - 1]) || !/[a-z]/.test(c[0]))) return true;
  return false;
}

interface Tok {
  s: number;
  e: number;
  lower: string;
}

type Kind = 'title' | 'initial' | 'name' | 'name-common' | 'unknown' | 'common';

function kindOf(t: Tok, lex: Lexicon, text: string): Kind {
  const w = t.lower;
  if (TITLES.has(w)) return 'title';
  if (NOT_NAMES.has(w)) return 'common';
  if (w.length === 1) return 'initial';
  const fl = lex.flags.get(w) ?? 0;
  const isName = (fl & 1) !== 0;
  const isCommon = (fl & 2) !== 0;
  const c1 = text.charCodeAt(t.s + 1);
  const upper = c1 >= 65 && c1 <= 90;
  if (upper && w.length > 1) return isName && !isCommon && w.length >= 4 ? 'name-common' : 'common'; // acronyms, headings
  if (isName) return isCommon ? 'name-common' : 'name';
  if (isCommon) return 'common';
  return w.length >= 3 ? 'unknown' : 'common';
}

function sentenceStart(text: string, pos: number): boolean {
  let i = pos - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '"' || text[i] === '\t')) i--;
  return i < 0 || '.!?\n>:*-•'.includes(text[i]);
}

/**
 * PERSON without an NLP model: sequences of capitalised words scored with name lists (given names and
 * surnames), common-English words, honorifics (Mr, Dr, …) and cues before them ("my name is", "Hi", "Dear",
 * "directed by"). A name found once is masked everywhere else it occurs in the same text.
 */
export const persons: Detector = (text, out, ctx) => {
  const lex = lexicon();
  const seqs: Tok[][] = [];
  let cur: Tok[] = [];
  forEachCapitalised(text, (s, wEnd) => {
    let e = wEnd;
    let w = text.slice(s, e);
    if (w.length > 2 && (w.endsWith("'s") || w.endsWith('’s'))) {
      w = w.slice(0, -2);
      e -= 2;
    }
    const lower = w.toLowerCase();
    if ((w.length === 1 || TITLES.has(lower)) && text.charCodeAt(e) === 46) e++;
    const tok = { s, e, lower };
    const prev = cur[cur.length - 1];
    if (prev && joinable(text, prev.e, tok.s)) cur.push(tok);
    else {
      if (cur.length) seqs.push(cur);
      cur = [tok];
    }
    if (cur.length > 6) {
      seqs.push(cur);
      cur = [];
    }
  });
  if (cur.length) seqs.push(cur);

  const known = new Set<string>();
  const found: Finding[] = [];
  const fieldIsName = !!ctx.field && /(?:^|_)(?:name|first_?name|last_?name|full_?name|surname|given_?name|customer|patient|contact|owner|author|assignee|requester)$/.test(ctx.field);
  for (const seq of seqs) {
    const kinds = seq.map((t) => kindOf(t, lex, text));
    let a = 0, b = seq.length;
    let title = false;
    while (a < b && (kinds[a] === 'title' || kinds[a] === 'common')) {
      if (kinds[a] === 'title') title = true;
      a++;
    }
    while (b > a && (kinds[b - 1] === 'common' || kinds[b - 1] === 'title')) b--;
    if (a >= b) continue;
    const ks = kinds.slice(a, b);
    if (ks.includes('common')) {
      // A common word inside: keep the longest name-like part before it.
      const cut = ks.indexOf('common');
      b = a + cut;
      ks.length = cut;
      if (!ks.length) continue;
    }
    const start = seq[a].s, end = seq[b - 1].e;
    const nName = ks.filter((k) => k === 'name').length;
    const nUnknown = ks.filter((k) => k === 'unknown').length;
    const nWords = ks.filter((k) => k !== 'initial').length;
    if (nWords === 0) continue;
    if (!title && !nName && !nUnknown && !ks.includes('name-common')) continue;
    // Cues are only looked at when the words alone do not decide.
    const nc = text.charCodeAt(end);
    const next = nc === 58 || nc === 44 ? text.slice(end, end + 12) : '';
    const speaker = nc === 58 && nWords <= 3 && /^:[ "]/.test(next) && sentenceStart(text, start) && (nName > 0 || nUnknown > 0);
    const vocative = nc === 44 && /^, (?:can|could|would|will|please|I|you|we)\b/.test(next);
    let conf = 0;
    if (title) conf = 0.9;
    else if (speaker || vocative) conf = 0.75;
    else if (nWords >= 2 && nName >= 1) conf = 0.85;
    else if (nWords === 1 && nName === 1) conf = sentenceStart(text, start) ? 0.6 : 0.7;
    else if (fieldIsName || (/\s/.test(text[start - 1] ?? '') && hasCue(text, start))) conf = 0.85;
    else if (nWords >= 2 && nUnknown === nWords) conf = 0.6;
    else if (nWords >= 2 && ks.includes('name-common') && nUnknown >= 1) conf = 0.65;
    if (!conf) continue;
    found.push({ type: 'PERSON', start, end, confidence: conf, detector: 'person' });
    for (let i = a; i < b; i++) if (kinds[i] === 'name' || kinds[i] === 'unknown') known.add(seq[i].lower);
  }
  // Lists of people ("Kónya, Szász and Reed"): an unaccepted capitalised word next to an accepted name.
  listNeighbours(text, seqs, found, lex);
  // The same name elsewhere in the text ("… starring Adamska").
  if (known.size) {
    const covered = new Set(found.map((f) => f.start));
    for (const seq of seqs) {
      for (const t of seq) {
        if (known.has(t.lower) && !covered.has(t.s)) found.push({ type: 'PERSON', start: t.s, end: t.e, confidence: 0.7, detector: 'person' });
      }
    }
  }
  for (const f of found) out.push(f);
};

function joinable(text: string, e: number, s: number): boolean {
  const gap = text.slice(e, s);
  if (gap === ' ') return true;
  if (gap.length > 8 || gap[0] !== ' ' || gap[gap.length - 1] !== ' ') return false;
  return PARTICLES.has(gap.trim());
}

function listNeighbours(text: string, seqs: Tok[][], found: Finding[], lex: Lexicon): void {
  const singles = seqs.filter((q) => q.length === 1).map((q) => q[0]);
  const starts = new Map(found.map((f) => [f.start, f] as const));
  const ends = new Map(found.map((f) => [f.end, f] as const));
  for (let pass = 0; pass < 2; pass++) {
    for (const t of singles) {
      if (starts.has(t.s)) continue;
      if (!lex.names.has(t.lower) && lex.common.has(t.lower)) continue;
      const k = kindOf(t, lex, text);
      if (k === 'title' || k === 'initial') continue;
      if (k === 'common' && !lex.names.has(t.lower)) continue;
      const lc = text.charCodeAt(t.s - 2), rc = text.charCodeAt(t.e);
      if (lc !== 44 && lc !== 100 && lc !== 58 && rc !== 44 && rc !== 32) continue; // ', ' 'and ' ': ' / ', ' ' and'
      const left = /(?:, |,? and |: )$/.exec(text.slice(Math.max(0, t.s - 6), t.s));
      const right = /^(?:, |,? and )/.exec(text.slice(t.e, t.e + 6));
      const nl = left ? ends.get(t.s - left[0].length) : undefined;
      const nr = right ? starts.get(t.e + right[0].length) : undefined;
      if ((nl && left![0] !== ': ') || nr) {
        const f = { type: 'PERSON', start: t.s, end: t.e, confidence: 0.6, detector: 'person' };
        found.push(f);
        starts.set(f.start, f);
        ends.set(f.end, f);
      }
    }
  }
}
