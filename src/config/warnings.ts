import { globMatcher } from '../policy/glob.js';
import type { CountersignConfig } from './schema.js';

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Valid but probably wrong: a rule whose resource patterns match no configured resource (a typo silently never
 * matches). (A mask profile the masking section does not define is an error: references.ts.)
 */
export function configWarnings(config: CountersignConfig): string[] {
  const warnings: string[] = [];
  const known = [...config.resources.map((r) => r.name), ...config.mcp.upstreams.map((u) => u.name)];
  for (const rule of config.policy.rules) {
    const patterns = asList(rule.resource);
    if (known.length > 0 && patterns.length > 0) {
      const m = globMatcher(patterns);
      if (!known.some((name) => m(name))) {
        warnings.push(`policy rule "${rule.name}": resource ${patterns.map((p) => `"${p}"`).join(', ')} matches no configured resource`);
      }
    }
  }
  return warnings;
}
