/**
 * Characters that do not show as themselves: controls (C0 with line breaks and escape sequences, DEL, C1), format
 * characters (bidirectional marks, overrides and isolates, zero-width spaces and joiners, the byte-order mark, soft
 * hyphens, Unicode tag characters), lone surrogates, line and paragraph separators, and the blank "filler" letters.
 * Text an agent writes for approvers (an action's summary, its tags) may hold none of them: with them it could erase
 * or rewrite the lines around it on an approver's terminal, or carry text the approver cannot see.
 */
export const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u115f\u1160\u2800\u3164\uffa0]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');

/**
 * `s` with every UNPRINTABLE character written as a visible escape (`\n`, `\x1b`, `\u202e`), for a terminal.
 *
 * @example printable('ok\u001b[2K') // 'ok\\x1b[2K'
 */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE_ALL, (c) => {
    const code = c.codePointAt(0)!;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * JSON for a terminal: `JSON.stringify(value, null, 2)` with every UNPRINTABLE character it leaves as is (bidi
 * overrides, zero-width and tag characters, C1 controls, line separators) written as a `\u` escape, which JSON reads
 * back as the same character. What an agent wrote stays exact for a program and cannot rewrite what a person sees.
 *
 * @example jsonForTerminal({ s: 'a\u202eb' }) // '{\n  "s": "a\\u202eb"\n}'
 */
export function jsonForTerminal(value: unknown): string {
  // JSON.stringify escapes every C0 control inside strings: a raw line break is the layout's own.
  return JSON.stringify(value, null, 2).replace(UNPRINTABLE_ALL, (c) => {
    if (c === '\n') return c;
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}
