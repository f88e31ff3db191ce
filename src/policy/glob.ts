import { isEmailLikeId, normalizePrincipalId } from '../core/identity.js';

/** Matches a name against a list of patterns where `*` stands for any run of characters (possibly empty). */
export type NameMatcher = (name: string) => boolean;

/**
 * Compile patterns once: exact names go in a Set, patterns with `*` become one anchored RegExp.
 *
 * @example globMatcher(['prod-*', 'billing'])('prod-eu') // true
 */
export function globMatcher(patterns: readonly string[]): NameMatcher {
  const exact = new Set<string>();
  const wild: string[] = [];
  for (const p of patterns) {
    if (p === '*') return () => true;
    if (p.includes('*')) wild.push(p.split('*').map(escapeRegExp).join('.*'));
    else exact.add(p);
  }
  if (wild.length === 0) return exact.size === 1 ? eqMatcher([...exact][0]!) : (name) => exact.has(name);
  const re = new RegExp(`^(?:${wild.join('|')})$`, 's');
  return (name) => exact.has(name) || re.test(name);
}

function eqMatcher(only: string): NameMatcher {
  return (name) => name === only;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Match principal ids against `principal.ids` patterns. The id is taken in canonical form (trimmed, an e-mail
 * lower-cased: see normalizePrincipalId), and an e-mail-like id is matched without regard to case, so a deny on
 * `mallory@example.com` or `*@evil.example` also stops `Mallory@Example.com` and `x@EVIL.example`. Other ids
 * (`agent:etl`, an OIDC `sub`) match case-sensitively, as before.
 *
 * @example principalIdMatcher(['*@evil.example'])('X@Evil.Example') // true
 */
export function principalIdMatcher(patterns: readonly string[]): NameMatcher {
  const exact = globMatcher(patterns.map((p) => p.trim()));
  const folded = globMatcher(patterns.map((p) => p.trim().toLowerCase()));
  return (id) => {
    const n = normalizePrincipalId(id);
    return isEmailLikeId(n) ? folded(n) : exact(n);
  };
}
