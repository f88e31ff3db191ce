import type { ScanContext } from './types.js';

/**
 * The cue words several detectors start from, found in one regex pass over the text instead of one pass each
 * (shared per scan through the scan context, like the word pass). Each detector then walks the matches of its own
 * pattern in order, skipping those before where its own search would resume, exactly as a global regex of that
 * pattern alone would have returned them.
 *
 * This is exact because no two of the patterns can match at the same position (their first three characters
 * differ, case-insensitively; checked by a test), and the pass restarts one character after every match, so no
 * match of one pattern hides a match of another. The combined regex is case-insensitive; the matches of the
 * case-sensitive patterns (provider prefixes, APO/FPO, IBAN starts) are confirmed by their own sticky regex.
 *
 * @example
 * const c = cueScan('password: hunter2 and DOB 1990-01-02', {});
 * c.n // 2: a secret keyword and a birth cue
 */

/** An address cue, then the spaces (and at most one line break) before the address. */
export const CUED_SRC = '(?:address(?:es)?(?: is)?\\s*:?|lives (?:at|on)|live at|sent to|send it to|ship(?:ped)? to|deliver(?:ed)? to|located at|drops? you off at|meet (?:me )?at|moved to|resides? at|it is)[ \\t]*(?:\\n[ \\t]*)?';
/** A medical-record cue. */
export const MRN_SRC = '\\b(?:mrn|medical record|patient id|patient no|patient number|patient #|health record|chart no|chart number|nhs no|nhs number)';
/** A birth cue. */
export const BIRTH_SRC = '\\b(?:born|birth|dob|d\\.o\\.b)';
/** A secret-looking word inside a name (DB_PASSWORD, apiKey, x-auth-token). */
export const KEYWORD_SRC = 'pass|pwd|secret|token|key|auth|credential|session|signature|cookie';
/** Known provider token prefixes (case-sensitive). */
export const PREFIX_SRC = 'AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|xapp-|[sr]k_live_|sk-|AIza|eyJ';
/** An APO/FPO/DPO line (case as written). */
export const MILITARY_SRC = '\\b(?:APO|FPO|DPO|apo|fpo|dpo) (?:A[AEP]|a[aep]) \\d{5}\\b';
/** The start of an IBAN: two capitals and two digits at a word start (case-sensitive). */
export const IBAN_SRC = '\\b[A-Z]{2}\\d{2}(?=[ A-Z0-9])';

export const CUE_ADDRESS = 1, CUE_MRN = 2, CUE_BIRTH = 3, CUE_KEYWORD = 4, CUE_PREFIX = 5, CUE_MILITARY = 6, CUE_IBAN = 7;
const SOURCES = [CUED_SRC, MRN_SRC, BIRTH_SRC, KEYWORD_SRC, PREFIX_SRC, MILITARY_SRC, IBAN_SRC];
const COMBINED = new RegExp(SOURCES.map((s) => `(${s})`).join('|'), 'gi');
// Case-sensitive confirmation at a position, for the patterns the case-insensitive pass over-reports.
const STICKY: Record<number, RegExp> = {
  [CUE_PREFIX]: new RegExp(PREFIX_SRC, 'y'),
  [CUE_MILITARY]: new RegExp(MILITARY_SRC, 'y'),
  [CUE_IBAN]: new RegExp(IBAN_SRC, 'y'),
};

export interface CueScan {
  text: string;
  gen: number;
  /** Matches [pos[i], pos[i] + len[i]) of pattern grp[i], for i < n, by position. */
  n: number;
  pos: Int32Array;
  len: Int32Array;
  grp: Uint8Array;
}

let gen = 0;
let pos = new Int32Array(256), len = new Int32Array(256), grp = new Uint8Array(256);

/** Every match of every cue pattern in `text`, computed once per scan context. */
export function cueScan(text: string, ctx: ScanContext): CueScan {
  const cached = ctx.cues;
  if (cached && cached.text === text && cached.gen === gen) return cached;
  gen++;
  let n = 0;
  COMBINED.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = COMBINED.exec(text))) {
    const at = m.index;
    COMBINED.lastIndex = at + 1;
    let g = 1;
    while (m[g] === undefined) g++;
    let l = m[0].length;
    const sticky = STICKY[g];
    if (sticky) {
      sticky.lastIndex = at;
      const s = sticky.exec(text);
      if (!s) continue;
      l = s[0].length;
    }
    if (n === pos.length) {
      const p = new Int32Array(n * 2), q = new Int32Array(n * 2), r = new Uint8Array(n * 2);
      p.set(pos), q.set(len), r.set(grp);
      pos = p, len = q, grp = r;
    }
    pos[n] = at;
    len[n] = l;
    grp[n++] = g;
  }
  const scan: CueScan = { text, gen, n, pos, len, grp };
  ctx.cues = scan;
  return scan;
}
