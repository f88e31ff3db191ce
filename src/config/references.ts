import type { RawIssue } from './issues.js';
import type { CountersignConfig } from './schema.js';

/**
 * Names one section uses that another must define. A masking profile a rule names but `masking.profiles` does not
 * define is an error at load: the masking engine would refuse it only after the upstream call already ran (the side
 * effect done, the result withheld). `default` is built in; `masking.default_profile` must be `default` or defined.
 *
 * @example profileReferenceIssues(config) // [{ path: ['policy', 'rules', 2, 'mask'], message: 'unknown masking profile "defualt" …' }]
 */
export function profileReferenceIssues(config: CountersignConfig): RawIssue[] {
  const issues: RawIssue[] = [];
  const defined = Object.keys(config.masking.profiles);
  const known = new Set(['default', ...defined]);
  const available = [...known].map((n) => `"${n}"`).join(', ');
  if (!known.has(config.masking.default_profile)) {
    issues.push({
      path: ['masking', 'default_profile'],
      message: `unknown masking profile "${config.masking.default_profile}": define it under masking.profiles, or use one of ${available}`,
    });
  }
  config.policy.rules.forEach((rule, i) => {
    const mask = (rule as { mask?: string }).mask;
    if (mask !== undefined && !known.has(mask)) {
      issues.push({
        path: ['policy', 'rules', i, 'mask'],
        message: `rule "${rule.name}": unknown masking profile "${mask}": define it under masking.profiles, or use one of ${available}`,
      });
    }
  });
  return issues;
}
