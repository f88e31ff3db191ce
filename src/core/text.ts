/**
 * Characters that change how text that follows them looks on a terminal or a page instead of showing: C0 controls
 * (line breaks, escape sequences), DEL and C1 controls, line and paragraph separators, and the bidirectional marks,
 * embeddings, overrides and isolates. Text an agent writes for approvers (an action's summary, its tags) may hold
 * none of them: with them it could erase or rewrite the lines around it on an approver's terminal.
 */
export const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'g');

/**
 * `s` with every UNPRINTABLE character written as a visible escape (`\n`, `\x1b`, `\u202e`), for a terminal.
 *
 * @example printable('ok\u001b[2K') // 'ok\\x1b[2K'
 */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE_ALL, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
