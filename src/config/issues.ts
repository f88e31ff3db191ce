import type { z } from 'zod';

/** One validation problem before it is given a position. */
export interface RawIssue {
  path: (string | number)[];
  message: string;
  /** Point at the key (unknown fields) rather than the value. */
  atKey?: boolean;
}

/**
 * Turn zod issues into readable ones: one issue per unknown field (pointing at that key), unions reduced to the
 * branch that fits the value's shape, "received undefined" said as a missing field.
 */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], base: (string | number)[] = []): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...path, key], message: `unknown field "${key}"`, atKey: true });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0 && issue.message === 'Invalid input') {
      out.push(...fromZodIssues(pickBranch(issue.errors), path));
    } else if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
      out.push({ path, message: `required field is missing (expected ${issue.expected})` });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** The union branch whose failure is not "wrong type at the top", i.e. the one the author meant. */
function pickBranch(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[] {
  const fits = branches.find((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
  return fits ?? branches[0]!;
}
