import { isMap, isPair, isScalar, isSeq, type Document } from 'yaml';
import { CountersignError } from '../core/errors.js';

/** A place in the YAML tree where a secret was written literally. */
export interface SecretLiteral {
  path: (string | number)[];
  message: string;
  /** True when the problem is the key (a secret-named field), false for a URL value carrying a password. */
  atKey: boolean;
}

const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'secret', 'secrets', 'token', 'tokens', 'apikey', 'credential', 'credentials', 'passphrase', 'authorization', 'key']);
const KEY_QUALIFIERS = new Set(['api', 'private', 'signing', 'access', 'secret', 'encryption', 'master', 'client']);
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Split `clientSecret`, `API_TOKEN`, `private-key` into lowercase words. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Is this key named like a secret? `password`, `api_token`, `clientSecret`, `private_key`: yes.
 * `token_env`, `key_env`, `tokens_claim`… `_env` names a variable, so no.
 *
 * @example isSecretKeyName('db_password') // true
 */
export function isSecretKeyName(key: string): boolean {
  const w = words(key);
  if (w.length === 0 || w[w.length - 1] === 'env') return false;
  return w.some((x, i) => (x === 'key' ? w.length === 1 || KEY_QUALIFIERS.has(w[i - 1] ?? '') : SECRET_WORDS.has(x)));
}

/** POSIX portable environment variable name. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Credential formats that also fit the variable-name alphabet (a pasted token, not the name of a variable). */
const TOKEN_PREFIX = /^(?:gh[opsur]_|github_pat_|[sr]k_(?:live|test)_|npm_|hf_|pypi_|xox[abposr]_|AKIA[0-9A-Z]{16}$)/;

/** A value where a variable name belongs that is more likely the secret itself: a known token prefix, or long and random-looking. */
function looksLikeSecretValue(v: string): boolean {
  if (TOKEN_PREFIX.test(v)) return true;
  return v.length >= 20 && /[a-z]/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v);
}

/**
 * Fields whose values name environment variables: every `*_env` field (`url_env: DATABASE_URL`), and maps of them:
 * `headers_env` (header → variable) and `env_from` (child variable → gateway variable). The keys of those maps are
 * names a server or a protocol fixes (`GITHUB_PERSONAL_ACCESS_TOKEN`, `Authorization`), not secrets; each value must
 * be a variable name, and one that looks like a pasted credential is refused. Messages never repeat the value.
 */
function variableNameIssues(node: unknown, path: (string | number)[], out: SecretLiteral[]): void {
  const check = (value: unknown, at: (string | number)[]) => {
    if (typeof value !== 'string' || value === '') return; // the section's schema reports a missing or non-string value
    const field = String(at[at.length - 1]);
    if (looksLikeSecretValue(value)) {
      out.push({ path: at, atKey: false, message: `"${field}" must name an environment variable, but its value looks like a secret itself; secrets never live in the config file: put it in an environment variable and write that variable's name here` });
    } else if (!VARIABLE_NAME.test(value)) {
      out.push({ path: at, atKey: false, message: `"${field}" must name an environment variable (letters, digits and _, not starting with a digit)` });
    }
  };
  if (isScalar(node)) check(node.value, path);
  else if (isMap(node)) {
    for (const pair of node.items) {
      if (isPair(pair) && isScalar(pair.key) && isScalar(pair.value)) check(pair.value.value, [...path, String(pair.key.value)]);
    }
  }
}

/** Subtrees whose keys are data, not field names (finding types like PASSWORD in masking transforms). */
function keysAreData(path: (string | number)[]): boolean {
  return path.length === 5 && path[0] === 'masking' && path[1] === 'profiles' && path[3] === 'transforms';
}

/**
 * Find secrets written into the file: a key named like a secret with a literal value, or a URL carrying a password.
 * Values under `*_env` keys and `env_from` are variable names: checked to be names, not secrets (variableNameIssues).
 */
export function findSecretLiterals(doc: Document): SecretLiteral[] {
  const out: SecretLiteral[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const childPath = [...path, key];
        if (/_env$/i.test(key) || key === 'env_from') {
          variableNameIssues(pair.value, childPath, out);
          continue;
        }
        if (!keysAreData(childPath) && isSecretKeyName(key) && isScalar(pair.value) && pair.value.value !== null && pair.value.value !== '') {
          // An upstream's `env` passes values as they are: its secrets go through `env_from` instead.
          const upstreamEnv = path.length === 4 && path[0] === 'mcp' && path[1] === 'upstreams' && path[3] === 'env';
          out.push({
            path: childPath,
            atKey: true,
            message: upstreamEnv
              ? `"${key}" holds a literal secret; secrets never live in the config file: put it in a gateway environment variable and pass it with env_from: { ${key}: <that variable's name> }`
              : `"${key}" holds a literal secret; secrets never live in the config file: put it in an environment variable and name that variable in a "*_env" field`,
          });
          continue;
        }
        walk(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && URL_WITH_PASSWORD.test(node.value)) {
      out.push({
        path,
        atKey: false,
        message: 'this URL carries a password; put the URL in an environment variable and name that variable in a "*_env" field',
      });
    }
  };
  walk(doc.contents, []);
  return out;
}

/**
 * Read a secret from the environment variable a config field names. Throws CountersignError('SECRET_MISSING')
 * naming the variable (never a value) when it is unset or empty.
 *
 * @example const url = readSecretEnv(config.store.url_env) // process.env.DATABASE_URL
 */
export function readSecretEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name];
  if (v === undefined || v === '') throw new CountersignError('SECRET_MISSING', `environment variable ${name} is not set`, { variable: name });
  return v;
}

/** One variable an MCP upstream's `env_from` / `headers_env` names that the environment does not set. */
export interface MissingUpstreamSecret {
  upstream: string;
  /** `env_from` or `headers_env`. */
  field: 'env_from' | 'headers_env';
  /** The child's variable or the header it is for. */
  name: string;
  /** The gateway variable that is unset (or empty). */
  variable: string;
}

/**
 * Every variable the MCP upstreams need from the gateway's environment that is unset or empty, so the gateway
 * can refuse to start naming them (SECRET_MISSING), as it does for static tokens and the store URL, instead of
 * leaving the upstream "connecting" and telling the agent on its first call.
 *
 * @example missingUpstreamSecrets(cfg.mcp.upstreams, process.env) // [{ upstream: 'github', field: 'env_from', name: 'GITHUB_PERSONAL_ACCESS_TOKEN', variable: 'GH_PAT' }]
 */
export function missingUpstreamSecrets(
  upstreams: ReadonlyArray<{ name: string; env_from?: Record<string, string>; headers_env?: Record<string, string> }>,
  env: NodeJS.ProcessEnv = process.env,
): MissingUpstreamSecret[] {
  const out: MissingUpstreamSecret[] = [];
  for (const u of upstreams) {
    for (const field of ['env_from', 'headers_env'] as const) {
      for (const [name, variable] of Object.entries(u[field] ?? {})) {
        if (env[variable] === undefined || env[variable] === '') out.push({ upstream: u.name, field, name, variable });
      }
    }
  }
  return out;
}
