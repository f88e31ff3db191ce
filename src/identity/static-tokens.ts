import { createHash, timingSafeEqual } from 'node:crypto';
import { CountersignError } from '../core/errors.js';
import { normalizePrincipalId, type Principal } from '../core/identity.js';
import type { StaticTokenConfig } from './config.js';
import { KEY_PREFIX } from './key-format.js';

/** Shortest static token accepted: short tokens are guessable even in development. */
export const STATIC_TOKEN_MIN_LENGTH = 16;

/** Development-only bearer tokens: each maps to a fixed principal. */
export interface StaticTokens {
  /** Number of configured tokens. */
  readonly size: number;
  /** The principal for this token, or `undefined` when it is none of them. Constant time in the token. */
  match(token: string): Principal | undefined;
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Does this look like a JWT (three base64url parts)? Static tokens must not, or the wrong method would see them. */
export function looksLikeJwt(s: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s);
}

/**
 * Read the configured static tokens from the environment, once, at startup. Every problem is reported in one error:
 * SECRET_MISSING when a named variable is unset (the others are listed with it), else CONFIG_INVALID when a token is
 * short, duplicated, or shaped like an API key or a JWT.
 *
 * @example
 * const tokens = loadStaticTokens([{ token_env: 'DEV_TOKEN', id: 'dev@example.com', type: 'human', groups: ['dba'] }]);
 * tokens.match(process.env.DEV_TOKEN!) // { id: 'dev@example.com', type: 'human', groups: ['dba'], authMethod: 'static' }
 */
export function loadStaticTokens(entries: StaticTokenConfig[], env: NodeJS.ProcessEnv = process.env): StaticTokens {
  const table: { digest: Buffer; principal: Principal }[] = [];
  const problems: string[] = [];
  let missing = false;
  entries.forEach((t, i) => {
    const where = `identity.static_tokens[${i}] (${t.token_env})`;
    const value = env[t.token_env];
    const problem =
      value === undefined || value === '' ? ((missing = true), `environment variable ${t.token_env} is not set`)
      : value.length < STATIC_TOKEN_MIN_LENGTH ? `the token must be at least ${STATIC_TOKEN_MIN_LENGTH} characters`
      : value.startsWith(KEY_PREFIX) || looksLikeJwt(value) ? `the token must not look like an API key (${KEY_PREFIX}…) or a JWT`
      : table.some((x) => x.digest.equals(sha256(value))) ? 'the same token is configured twice'
      : undefined;
    if (problem !== undefined) return void problems.push(`${where}: ${problem}`);
    table.push({
      digest: sha256(value!),
      principal: {
        id: normalizePrincipalId(t.id),
        type: t.type,
        ...(t.name !== undefined ? { name: t.name } : {}),
        groups: [...t.groups],
        ...(t.on_behalf_of !== undefined ? { onBehalfOf: normalizePrincipalId(t.on_behalf_of) } : {}),
        authMethod: 'static',
      },
    });
  });
  if (problems.length > 0) throw new CountersignError(missing ? 'SECRET_MISSING' : 'CONFIG_INVALID', problems.join('; '));
  return {
    size: table.length,
    match(token: string): Principal | undefined {
      const d = sha256(token);
      let found: Principal | undefined;
      for (const entry of table) if (timingSafeEqual(entry.digest, d) && !found) found = entry.principal; // no early exit
      return found && { ...found, groups: [...found.groups] };
    },
  };
}
