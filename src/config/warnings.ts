import { globMatcher } from '../policy/glob.js';
import type { CountersignConfig } from './schema.js';

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Valid but probably wrong: a rule whose resource patterns match no configured resource (a typo silently never
 * matches), a mask profile the masking section does not define.
 */
export function configWarnings(config: CountersignConfig): string[] {
  const warnings: string[] = [];
  const known = [...config.resources.map((r) => r.name), ...config.mcp.upstreams.map((u) => u.name)];
  const profiles = new Set([config.masking.default_profile, ...Object.keys(config.masking.profiles)]);
  for (const rule of config.policy.rules) {
    const patterns = asList(rule.resource);
    if (known.length > 0 && patterns.length > 0) {
      const m = globMatcher(patterns);
      if (!known.some((name) => m(name))) {
        warnings.push(`policy rule "${rule.name}": resource ${patterns.map((p) => `"${p}"`).join(', ')} matches no configured resource`);
      }
    }
    if (rule.effect !== 'deny' && rule.mask && !profiles.has(rule.mask)) {
      warnings.push(`policy rule "${rule.name}": mask profile "${rule.mask}" is not defined under masking.profiles`);
    }
  }
  return warnings;
}
