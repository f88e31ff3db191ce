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
