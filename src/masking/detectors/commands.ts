import type { Finding } from '../../core/masking.js';
import type { Detector } from '../types.js';
import { isLetter, isLineEnd, isSpace, PLACEHOLDER } from './secrets.js';

// Commands whose options carry a password, by the option: curl `-u user:password`; the MySQL and MariaDB
// clients' `-pPASSWORD` (glued: `-p PASSWORD` makes them prompt); `-p PASSWORD` of sshpass, the mongo tools and
// `… login` (docker, podman, helm, az, oc, cf); redis-cli `-a PASSWORD`; `--password PASSWORD` of any command but
// mysql. `--password=…` is an assignment (the secret-assignment detector).
const CURL = /\bcurl\b/;
const MYSQL = /\b(?:mysql\w*|mariadb[\w-]*)\s/;
const P_SPACE = /\b(?:sshpass|mongo\w*)\s|\blogin\b/;
const REDIS = /\bredis-cli\b/;

/** The command line `o` is on: from its start (following `\` line continuations back) up to `o`, at most 1024. */
function commandBefore(text: string, o: number): string {
  let s = o;
  const stop = Math.max(0, o - 1024);
  while (s > stop) {
    const c = text.charCodeAt(s - 1);
    if (c === 10 && !(s >= 2 && (text.charCodeAt(s - 2) === 92 || (text.charCodeAt(s - 2) === 13 && text.charCodeAt(s - 3) === 92)))) break;
    s--;
  }
  return text.slice(s, o);
}

/** The option argument at `p`: quoted (to the closing quote) or up to white space. [start, end, next]. */
function argAt(text: string, p: number): [number, number, number] {
  const q = text.charCodeAt(p);
  if (q === 34 || q === 39) {
    let e = p + 1;
    while (e < text.length && e - p < 1024 && text.charCodeAt(e) !== q && !isLineEnd(text.charCodeAt(e))) e++;
    return [p + 1, e, e + 1];
  }
  let e = p;
  while (e < text.length && e - p < 1024 && !isSpace(text.charCodeAt(e))) e++;
  return [p, e, e];
}

function pushPassword(text: string, out: Finding[], s: number, e: number): void {
  const v = text.slice(s, e);
  if (v.length > 0 && !PLACEHOLDER.test(v) && v.charCodeAt(0) !== 36) out.push({ type: 'PASSWORD', start: s, end: e, confidence: 0.9, detector: 'command-line' });
}

/** `text.indexOf(' -', from)`, searched by the dash. */
function spaceDash(text: string, from: number): number {
  for (let d = text.indexOf('-', from + 1); d >= 0; d = text.indexOf('-', d + 1)) if (text.charCodeAt(d - 1) === 32) return d - 1;
  return -1;
}

/**
 * Passwords in command lines: `curl -u admin:pass`, `mysql -uroot -pPass`, `sshpass -p pass`, `docker login -p
 * pass`, `redis-cli -a pass`, `tool --password pass`. Anchored on ` -` (searched by its dash); the command is checked
 * only for an option that can carry a password.
 */
export const commandLine: Detector = (text, out) => {
  let from = 0;
  // Each ` -` at or after max(i + 2, from), found by its `-` (a space is the commonest character: searching for it
  // first stops at every word; a dash is ten times rarer), the space before it checked.
  for (let i = spaceDash(text, 0); i >= 0; i = spaceDash(text, Math.max(i + 2, from))) {
    const o = i + 1;
    const c = text.charCodeAt(o + 1);
    let p: number; // where the argument starts
    let kind: number; // 1: user:password (curl), 2: glued -p (mysql), 3: -p with a space, 4: -a (redis-cli), 5: --password
    if (c === 45) {
      let e = o + 2;
      while (e < text.length && e - o < 24 && (isLetter(text.charCodeAt(e)) || text.charCodeAt(e) === 45)) e++;
      const opt = text.slice(o + 2, e);
      if (text.charCodeAt(e) !== 32 && !(text.charCodeAt(e) === 61 && (opt === 'user' || opt === 'proxy-user'))) continue;
      if (opt === 'user' || opt === 'proxy-user') kind = 1;
      else if (opt === 'password' || opt === 'pass') kind = 5;
      else continue;
      p = e + 1;
    } else {
      const glued = o + 2 < text.length && !isSpace(text.charCodeAt(o + 2));
      if (c === 117 || c === 85) kind = 1; // -u, -U (curl --proxy-user)
      else if (c === 112) kind = glued ? 2 : 3;
      else if (c === 97 && !glued) kind = 4;
      else continue;
      p = glued ? o + 2 : o + 3;
    }
    while (p < text.length && text.charCodeAt(p) === 32) p++;
    if (p >= text.length || text.charCodeAt(p) === 45 || isLineEnd(text.charCodeAt(p))) continue;
    const cmd = commandBefore(text, o);
    const ok = kind === 1 ? CURL.test(cmd) : kind === 2 ? MYSQL.test(cmd) : kind === 3 ? P_SPACE.test(cmd) && !MYSQL.test(cmd) : kind === 4 ? REDIS.test(cmd) : !MYSQL.test(cmd);
    if (!ok) continue;
    const [s, e, next] = argAt(text, p);
    if (kind === 1) {
      const colon = text.indexOf(':', s);
      if (colon < 0 || colon >= e) continue;
      pushPassword(text, out, colon + 1, e);
    } else pushPassword(text, out, s, e);
    from = next;
  }
};

// SQL that sets a password: PostgreSQL and Redshift `CREATE|ALTER USER|ROLE … [ENCRYPTED] PASSWORD 'x'` (or a
// dollar-quoted `$$x$$`, `$tag$x$tag$`); MySQL and MariaDB `IDENTIFIED [WITH plugin] BY 'x'`, `IDENTIFIED BY PASSWORD
// '*hash'`, `SET PASSWORD [FOR 'u'@'h'] = 'x'` or `= PASSWORD('x')` / `= OLD_PASSWORD('x')`, and the old
// `UPDATE mysql.user SET password = PASSWORD('x')`; Oracle `IDENTIFIED BY x` (unquoted too), `… REPLACE old` (the
// old password) and `IDENTIFIED BY VALUES 'hash'`. Only the literal is masked. `PASSWORD = 'x'` (SQL Server,
// Snowflake) is an assignment too, found by either detector. Comments may stand wherever white space may
// (`PASSWORD /* rotated */ 'x'`, `PASSWORD -- from vault⏎'x'`): G below, bounded, each kind told by its first
// character (no backtracking between them).
const G = String.raw`(?:\s|/\*(?:[^*]|\*(?!/)){0,200}\*/|--[^\n]{0,200}\n)`;
const SQL_PASSWORD = new RegExp(
  String.raw`\b(?:(password)|identified(?:${G}+with${G}+[\w"'${'`'}]{1,64})?${G}+by(?:${G}+(?:values|password))?)` +
    String.raw`(?:\s+for\s+[^\s=]{1,200}\s*=|${G}*=)?${G}*(?:(?:old_)?password\s*\(\s*|\(\s*)?(?=['"\w$])`,
  'giy',
);
const SQL_START = /password|identified/gi;
// The statement the keyword is in must create or change a login: in prose ("Forgot password" link, "identified by the
// team") or markup (`type="password"`, `key="Password"`) the same words are no SQL.
const SQL_DDL = /\b(?:create|alter)\s+(?:user|role|login)\b|\bset\s+password\b|\bgrant\b|\bupdate\s+[\w`.]*user\b/i;
/** Unquoted words after IDENTIFIED BY that are no password: MySQL's `RANDOM PASSWORD`. */
const SQL_NOT_PASSWORD = /^(?:random|values|password|externally|globally)$/i;
// Oracle's `ALTER USER u IDENTIFIED BY new REPLACE old`: after the new password, the old one.
const SQL_REPLACE = /\s+replace\s+(?=['"\w])/iy;
// A PostgreSQL dollar quote's opening: `$$` or `$tag$` (a tag is an identifier, not starting with a digit).
const DOLLAR_TAG = /\$(?:[A-Za-z_\x80-\uffff][\w\x80-\uffff]{0,62})?\$/y;

/**
 * Passwords in SQL statements that create or change a user, role or login (see SQL_PASSWORD; the statement is checked
 * by inDdl): the quoted literal (doubled quotes and backslash escapes read as part of it, or a dollar-quoted string),
 * or after IDENTIFIED BY an unquoted word; after it, Oracle's REPLACE and the old password. Bind parameters (`?`,
 * `$1`, `:pwd`) and placeholders are left alone.
 *
 * @example
 * sqlPasswords("ALTER USER app WITH PASSWORD 'S3cret!'", out, ctx) // PASSWORD over S3cret!
 */
export const sqlPasswords: Detector = (text, out) => {
  SQL_START.lastIndex = 0;
  for (let m = SQL_START.exec(text); m; m = SQL_START.exec(text)) {
    SQL_PASSWORD.lastIndex = m.index;
    const s = SQL_PASSWORD.exec(text);
    if (!s) continue;
    const p = SQL_PASSWORD.lastIndex;
    // A literal set apart from its keyword (`PASSWORD 'x'`, `= 'x'`, `PASSWORD('x')`, `/* … */'x'`), not glued to it
    // (`"Password"`).
    const sep = text.charCodeAt(p - 1);
    if (!(isSpace(sep) || sep === 61 || sep === 40 || (sep === 47 && text.charCodeAt(p - 2) === 42))) continue;
    if (!inDdl(text, m.index)) continue;
    const e = sqlLiteral(text, out, p, s[1] === undefined);
    if (e < 0) continue;
    SQL_START.lastIndex = Math.max(SQL_START.lastIndex, e);
    if (s[1] === undefined) {
      // Oracle: `IDENTIFIED BY new REPLACE old`.
      SQL_REPLACE.lastIndex = e;
      if (SQL_REPLACE.test(text)) {
        const r = sqlLiteral(text, out, SQL_REPLACE.lastIndex, true);
        if (r >= 0) SQL_START.lastIndex = Math.max(SQL_START.lastIndex, r);
      }
    }
  }
};

/**
 * The password literal at `p`: quoted (`'x'`, `"x"`, `N'x'`, `E'x'`, `U&'x'`), dollar-quoted (`$$x$$`, `$tag$x$tag$`) or,
 * where `bare` (after IDENTIFIED BY), one unquoted word; recorded if it is a password. Returns where it ends (past a
 * closing quote), or -1 when there is none.
 */
function sqlLiteral(text: string, out: Finding[], p: number, bare: boolean): number {
  // T-SQL N'…', PostgreSQL E'…' and U&'…' literals.
  const pre = text.charCodeAt(p);
  if ((pre === 78 || pre === 110 || pre === 69 || pre === 101) && text.charCodeAt(p + 1) === 39) p++;
  else if ((pre === 85 || pre === 117) && text.charCodeAt(p + 1) === 38 && text.charCodeAt(p + 2) === 39) p += 2;
  const q = text.charCodeAt(p);
  if (q === 39 || q === 34) {
    let e = p + 1;
    for (; e < text.length && e - p <= 4096; e++) {
      const c = text.charCodeAt(e);
      if (c === 92) e++;
      else if (c === q) {
        if (text.charCodeAt(e + 1) !== q) break;
        e++;
      } else if (c === 10) break;
    }
    if (text.charCodeAt(e) === q) pushSqlPassword(text, out, p + 1, e);
    return e + 1;
  }
  if (q === 36) {
    // A dollar quote: its text runs to the same tag (4096 characters at most). `$1` (a bind parameter) opens none.
    DOLLAR_TAG.lastIndex = p;
    if (!DOLLAR_TAG.test(text)) return -1;
    const tag = text.slice(p, DOLLAR_TAG.lastIndex);
    const close = text.indexOf(tag, DOLLAR_TAG.lastIndex);
    if (close < 0 || close - DOLLAR_TAG.lastIndex > 4096) return -1;
    pushSqlPassword(text, out, DOLLAR_TAG.lastIndex, close, true);
    return close + tag.length;
  }
  if (!bare) return -1;
  // Unquoted, after IDENTIFIED BY only (Oracle): one word.
  let e = p;
  while (e < text.length && e - p < 128 && !isSpace(text.charCodeAt(e)) && text.charCodeAt(e) !== 59 && text.charCodeAt(e) !== 41 && text.charCodeAt(e) !== 44) e++;
  if (!SQL_NOT_PASSWORD.test(text.slice(p, e))) pushSqlPassword(text, out, p, e);
  return e;
}

/** Is the keyword at `at` in a statement that creates or changes a login (SQL_DDL since the last `;`, 300 back)? */
function inDdl(text: string, at: number): boolean {
  let from = at;
  while (from > 0 && at - from < 300 && text.charCodeAt(from - 1) !== 59) from--; // back to `;`, 300 at most
  return SQL_DDL.test(text.slice(from, at + 8));
}

/** Record [s, e) as a password unless it is empty, a placeholder or a parameter (`$1`, `:pwd`, `?`; a dollar-quoted
 * text, `quoted`, may start with any of them). */
function pushSqlPassword(text: string, out: Finding[], s: number, e: number, quoted = false): void {
  const v = text.slice(s, e);
  const c = v.charCodeAt(0);
  if (v.length === 0 || PLACEHOLDER.test(v) || (!quoted && (c === 36 || c === 58 || c === 63))) return;
  out.push({ type: 'PASSWORD', start: s, end: e, confidence: 0.9, detector: 'sql-password' });
}
