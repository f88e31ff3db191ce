import type { ScanContext } from '../types.js';
import { codeUnits } from '../chars.js';

// XML and HTML elements whose text is a value: Maven settings.xml (`<password>…</password>`), SOAP bodies and
// WS-Security headers (`<wsse:Password Type="…">`), .NET and Java configs, XML API responses, plists. Only the
// reading of the markup lives here; what an element's name says about its value is scan.ts's (field names).

const NAME_MAX = 64; // a local name; a namespace prefix may add as much again
const VALUE_MAX = 8192; // a walk back stops at the `<` before it, so each stretch of text is walked once: linear
const TAG_MAX = 512; // an opening tag with its attributes (`<wsse:Password Type="http://docs.oasis-open.org/…">`)

const isLetter = (c: number) => ((c | 32) - 97) >>> 0 < 26;
const isNameStart = (c: number) => isLetter(c) || c === 95;
// Name characters: letters, digits, `_`, `-`, `.`, and `:` between a namespace prefix and the local name.
const isNameChar = (c: number) => isLetter(c) || (c >= 48 && c <= 58) || c === 95 || c === 45 || c === 46;
const isWhite = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
// The value elements of a plist dictionary, whose name is given by the `<key>` before them.
const PLIST_VALUES = new Set(['string', 'data', 'integer', 'real', 'date']);

/**
 * Each simple element of `text`: `<name …attributes>value</name>` whose value holds no other element (no `<`), or is
 * one CDATA section (`<password><![CDATA[a<b]]></password>`); the closing name may differ from the opening one in
 * case (`<Password>…</password>`). `visit` gets the element's local name as the closing tag spells it (after a
 * namespace prefix: `ns:Password` gives `Password`) and the value's span, white space trimmed, never empty; entities (`&amp;`)
 * are part of the value. A plist value (`<key>password</key><string>…</string>`) gets its key's text as its name.
 *
 * Linear: each closing tag `</name>` is looked at once. From it the walk goes back to the `<` before it (at most
 * VALUE_MAX + TAG_MAX characters), which the walk of an earlier closing tag never passes (its own `<` stops this
 * one); a CDATA value's walk stops at the previous `]]>`, so it never passes another's either. Every other look is
 * bounded (names, the key of a plist value).
 *
 * @example
 * eachSimpleElement('<server><password>s3cr3t</password></server>', {}, (name, vs, ve) => …) // ('password', 18, 24)
 */
export function eachSimpleElement(text: string, ctx: ScanContext, visit: (name: string, vs: number, ve: number) => void): void {
  let i = text.indexOf('</');
  if (i < 0) return;
  const cu = codeUnits(text, ctx);
  for (; i >= 0; i = text.indexOf('</', i + 2)) {
    // The closing tag: `</`, a qualified name, optional white space, `>`.
    const qs = i + 2;
    if (!isNameStart(cu[qs])) continue;
    let q = qs, local = qs;
    while (q - qs <= 2 * NAME_MAX && isNameChar(cu[q])) {
      if (cu[q] === 58) local = q + 1;
      q++;
    }
    const qe = q;
    if (qe - local < 1 || qe - local > NAME_MAX || qe - qs > 2 * NAME_MAX) continue;
    while (isWhite(cu[q]) && q - qe < 8) q++;
    if (cu[q] !== 62) continue;
    // The value, back from the closing tag to the `<` before it.
    let vs: number, ve = i, lt: number;
    let w = i;
    while (w > 0 && i - w < 8 && isWhite(cu[w - 1])) w--; // white space between the section and the closing tag
    if (w >= 3 && cu[w - 1] === 62 && cu[w - 2] === 93 && cu[w - 3] === 93) {
      // `]]>`: a CDATA section, back to its `<![CDATA[` (its text may hold `<`, never `]]>`).
      const c = cdataStart(cu, w - 3);
      if (c < 0) continue;
      vs = c + 9;
      ve = w - 3;
      lt = c;
      while (lt > 0 && c - lt < 8 && isWhite(cu[lt - 1])) lt--; // white space between the tag and the section
      if (lt === 0 || cu[lt - 1] !== 62) continue;
      lt--; // at the `>` ending the opening tag; its `<` is found below
      let o = lt;
      while (o > 0 && lt - o < TAG_MAX && cu[o - 1] !== 60) o--;
      if (o === 0 || cu[o - 1] !== 60 || openingTagEnd(cu, o, qs, qe, lt + 1) !== lt) continue;
      lt = o - 1;
    } else {
      let o = i;
      while (o > 0 && i - o < VALUE_MAX + TAG_MAX && cu[o - 1] !== 60) o--;
      if (o === 0 || cu[o - 1] !== 60) continue;
      const gt = openingTagEnd(cu, o, qs, qe, i);
      if (gt < 0 || i - gt - 1 > VALUE_MAX) continue;
      vs = gt + 1;
      lt = o - 1;
    }
    while (vs < ve && isWhite(cu[vs])) vs++;
    while (ve > vs && isWhite(cu[ve - 1])) ve--;
    if (ve === vs) continue;
    const name = text.slice(local, qe);
    let key = PLIST_VALUES.has(name) ? plistKey(text, cu, lt) : undefined;
    // Configs that name a value by an attribute or a sibling: Java properties (`<entry key="db.password">`), .NET
    // (`<setting name="Password"><value>…</value>`), Hadoop (`<name>fs.s3a.secret.key</name><value>…</value>`).
    if (key === undefined && GENERIC_ELEMENTS.has(name.toLowerCase())) key = attributeKey(text.slice(lt, Math.min(vs, lt + TAG_MAX)));
    if (key === undefined && name === 'value') key = siblingName(text, cu, lt) ?? parentKey(text, cu, lt);
    visit(key ?? name, vs, ve);
  }
}

/**
 * The opening tag whose name starts at `o` (right after its `<`): if the name is the closing tag's [qs, qe) and the
 * tag ends before `limit`, where its `>` is (quoted attribute values may hold `>`); -1 for another element, a
 * self-closing tag (`<br/>`), a closing tag, a comment or a processing instruction.
 */
function openingTagEnd(cu: Uint16Array, o: number, qs: number, qe: number, limit: number): number {
  const len = qe - qs;
  if (o + len >= limit) return -1;
  // The names compared in either case: XML names are case-sensitive, but hand-written configs close `<Password>` with
  // `</password>`, and what such an element holds is masked as if it were closed right (failing closed). `| 32`
  // folds only the letters among name characters ([A-Za-z0-9_.:-]: digits, `.`, `:`, `-` have that bit, `_` becomes a
  // code no other name character has).
  for (let k = 0; k < len; k++) if ((cu[o + k] | 32) !== (cu[qs + k] | 32)) return -1;
  let p = o + len;
  if (cu[p] === 62) return p;
  if (!isWhite(cu[p])) return -1; // a longer name (`<passwordHint>` for `</password>`), or `/>`
  let quote = 0;
  for (; p < limit && p - o < TAG_MAX; p++) {
    const c = cu[p];
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62) return cu[p - 1] === 47 ? -1 : p;
    else if (c === 60) return -1;
  }
  return -1;
}

/** Where the `<![CDATA[` of the section ending at `end` (its `]]>`) starts, or -1: back at most VALUE_MAX characters,
 * stopping at an earlier `]]>`. */
function cdataStart(cu: Uint16Array, end: number): number {
  for (let p = end - 1; p >= 0 && end - p <= VALUE_MAX + 9; p--) {
    const c = cu[p];
    if (c === 60) {
      if (cu[p + 1] === 33 && cu[p + 2] === 91 && cu[p + 3] === 67 && cu[p + 4] === 68 && cu[p + 5] === 65 && cu[p + 6] === 84 &&
        cu[p + 7] === 65 && cu[p + 8] === 91) return p; // <![CDATA[
    } else if (c === 62 && p >= 2 && cu[p - 1] === 93 && cu[p - 2] === 93) return -1; // an earlier section's ]]>
  }
  return -1;
}

/**
 * The text of the `<key>…</key>` right before the plist value whose `<` is at `lt` (white space between), or
 * undefined. Bounded: 16 characters of white space, a key of NAME_MAX.
 */
// Elements that say what their value is only by a `key` or `name` attribute.
const GENERIC_ELEMENTS = new Set(['entry', 'setting', 'property', 'param', 'parameter', 'add', 'item', 'attribute', 'env', 'var', 'variable', 'field', 'option', 'config']);
const KEY_ATTRIBUTE = /\s(?:key|name)\s*=\s*["']([^"'<>]{1,64})["']/;

/** The `key` or `name` attribute of an opening tag's text, if any. */
function attributeKey(tag: string): string | undefined {
  return KEY_ATTRIBUTE.exec(tag)?.[1]?.trim() || undefined;
}

/** `<name>…</name>` right before the `<` at `lt` (white space between): its text (Hadoop's `<property>`). */
function siblingName(text: string, cu: Uint16Array, lt: number): string | undefined {
  let p = lt;
  while (p > 0 && lt - p < 16 && isWhite(cu[p - 1])) p--;
  if (p < 7 || !text.startsWith('</name>', p - 7)) return undefined;
  const ke = p - 7;
  let ks = ke;
  while (ks > 0 && ke - ks <= NAME_MAX && cu[ks - 1] !== 62 && cu[ks - 1] !== 60) ks--;
  if (ks < 6 || ke - ks > NAME_MAX || !text.startsWith('<name>', ks - 6)) return undefined;
  return text.slice(ks, ke).trim() || undefined;
}

/** The `key`/`name` attribute of the opening tag right before the `<` at `lt` (the element the value is in). */
function parentKey(text: string, cu: Uint16Array, lt: number): string | undefined {
  let p = lt;
  while (p > 0 && lt - p < 16 && isWhite(cu[p - 1])) p--;
  if (p === 0 || cu[p - 1] !== 62 || cu[p - 2] === 47) return undefined;
  let o = p - 1;
  while (o > 0 && p - o < TAG_MAX && cu[o - 1] !== 60) o--;
  if (o === 0 || cu[o - 1] !== 60 || cu[o] === 47) return undefined;
  return attributeKey(text.slice(o - 1, p));
}

function plistKey(text: string, cu: Uint16Array, lt: number): string | undefined {
  let p = lt;
  while (p > 0 && lt - p < 16 && isWhite(cu[p - 1])) p--;
  // `</key>` ends right before.
  if (p < 6 || cu[p - 1] !== 62 || cu[p - 2] !== 121 || cu[p - 3] !== 101 || cu[p - 4] !== 107 || cu[p - 5] !== 47 || cu[p - 6] !== 60) return undefined;
  const ke = p - 6;
  let ks = ke;
  while (ks > 0 && ke - ks <= NAME_MAX && cu[ks - 1] !== 62 && cu[ks - 1] !== 60) ks--;
  if (ks < 5 || ke - ks > NAME_MAX || cu[ks - 1] !== 62 || cu[ks - 2] !== 121 || cu[ks - 3] !== 101 || cu[ks - 4] !== 107 || cu[ks - 5] !== 60) return undefined;
  const key = text.slice(ks, ke).trim();
  return key.length > 0 ? key : undefined;
}
