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
