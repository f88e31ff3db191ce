import { z } from 'zod';

const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Parse a duration like `30m`, `2h`, `1h30m`, `45s` or `7d` into whole seconds. Returns `undefined` when the text is
 * not a duration (empty, unknown unit, wrong order, zero) or is longer than MAX_DURATION_SECONDS.
 *
 * @example parseDuration('1h30m') // 5400
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text);
  if (!m || text === '') return undefined;
  const [, d, h, min, s] = m;
  const seconds = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
  return seconds > 0 && seconds <= MAX_DURATION_SECONDS ? seconds : undefined;
}

/**
 * The longest duration anything is configured with: 10 years. Past it a deadline (an approval's expiry) no longer
 * makes sense and soon no longer fits a date.
 */
export const MAX_DURATION_SECONDS = 3650 * 86400;

/**
 * Format seconds back into the shortest duration text.
 *
 * @example formatDuration(5400) // '1h30m'
 */
export function formatDuration(seconds: number): string {
  let rest = Math.floor(seconds);
  let out = '';
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || '0s';
}

/** A duration text in config: `30m`, `2h`, `1h30m`, `45s`, `7d`. Stays a string; use parseDuration for seconds. */
export const durationSchema = z
  .string()
  .regex(/^(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?$/, { error: 'expected a duration like 30m, 2h, 1h30m, 45s or 7d', abort: true })
  .refine((s) => parseDuration(s) !== undefined, 'expected a positive duration like 30m, 2h, 1h30m, 45s or 7d, of at most 3650d');
