import type { TransformName } from './config.js';

const LABELS = new Map<string, string>();
/** `[EMAIL]`: the type label. */
export function redact(type: string): string {
  let l = LABELS.get(type);
  if (l === undefined) {
    l = `[${type}]`;
    if (LABELS.size < 256) LABELS.set(type, l);
  }
  return l;
}

/**
 * Keep a little of the value so a person can tell values apart: the last 4 characters of a card, IBAN, SSN or
 * licence, the last 2 digits of a phone, the domain of an e-mail; separators are kept, the rest becomes `*`.
 * Other types are redacted.
 *
 * @example
 * partial('CREDIT_CARD', '4111 1111 1111 1111') // '**** **** **** 1111'
 */
export function partial(type: string, value: string): string {
  const keepLast = (n: number) => {
    let seen = 0;
    let out = '';
    for (let i = value.length - 1; i >= 0; i--) {
      const c = value[i];
      if (/[A-Za-z0-9]/.test(c)) out = (seen++ < n ? c : '*') + out;
      else out = c + out;
    }
    return out;
  };
  switch (type) {
    case 'CREDIT_CARD':
    case 'IBAN':
    case 'US_SSN':
    case 'DRIVER_LICENSE':
    case 'MEDICAL_RECORD':
    case 'NATIONAL_ID':
      return keepLast(4);
    case 'PHONE':
      return keepLast(2);
    case 'EMAIL': {
      const at = value.lastIndexOf('@');
      return at > 0 ? `${value[0]}***${value.slice(at)}` : redact(type);
    }
    default:
      return redact(type);
  }
}

// What partial() keeps of a value beside its `*`s: the last 4 characters of these types, the last 2 of a phone.
const KEEPS_4: ReadonlySet<string> = new Set(['CREDIT_CARD', 'IBAN', 'US_SSN', 'DRIVER_LICENSE', 'MEDICAL_RECORD', 'NATIONAL_ID']);
// The separators of the values partial() masks (cards, IBANs, SSNs, ids, phones): space - . / ( ) +.
const isPartialSeparator = (c: number) => c === 32 || c === 45 || c === 46 || c === 47 || c === 40 || c === 41 || c === 43;
const isAsciiAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
// `a***@example.org`: one character, three `*`, the domain (a dot, a top-level part of 2+).
const PARTIAL_EMAIL = /^[^\s@*]\*\*\*@[^\s@*.][^\s@*]*\.[^\s@*.]{2,}$/u;

/**
 * Is `value` exactly what partial() writes for a value of `type` (so already masked): `*` runs with separators and
 * at most the 2 (phone) or 4 (card, IBAN, SSN, licence, record and national ids) letters or digits it keeps, all
 * after the last `*`; an e-mail's first character, `***` and its domain. A real value of these types holds no `*`,
 * so nothing more of one than partial() shows is let through. Other types have no partial form (they are redacted).
 *
 * @example
 * isPartialOutput('US_SSN', '***-**-8714') // true
 * isPartialOutput('PHONE', '+* (***) ***-**72') // true
 * isPartialOutput('PHONE', '***-**-8714') // false: a phone keeps 2
 */
export function isPartialOutput(type: string, value: string): boolean {
  if (type === 'EMAIL') return PARTIAL_EMAIL.test(value);
  const keep = type === 'PHONE' ? 2 : KEEPS_4.has(type) ? 4 : 0;
  if (keep === 0) return false;
  let stars = 0, kept = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 42) {
      if (kept > 0) return false; // a kept character before a `*`
      stars++;
    } else if (isAsciiAlnum(c)) {
      if (++kept > keep) return false;
    } else if (!isPartialSeparator(c)) return false;
  }
  return stars > 0;
}

/**
 * Types only ever redacted, whatever a profile says: a card security code may not be kept after a payment is
 * authorised (PCI DSS), so it is neither tokenised into the store (and revealable), nor hashed (3 or 4 digits: a
 * keyed hash is a look-up away), nor kept.
 */
export const ALWAYS_REDACTED: ReadonlySet<string> = new Set(['CARD_SECURITY_CODE']);

/** Transform for a type in a profile: exact type, then `*`, then the built-in defaults; ALWAYS_REDACTED types redact. */
export function transformFor(transforms: Record<string, TransformName>, defaults: Record<string, TransformName>, type: string): TransformName {
  if (ALWAYS_REDACTED.has(type)) return 'redact';
  return transforms[type] ?? transforms['*'] ?? defaults[type] ?? defaults['*'] ?? 'redact';
}
