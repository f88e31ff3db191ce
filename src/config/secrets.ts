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

/** Subtrees whose keys are data, not field names (finding types like PASSWORD in masking transforms). */
function keysAreData(path: (string | number)[]): boolean {
  return path.length === 5 && path[0] === 'masking' && path[1] === 'profiles' && path[3] === 'transforms';
}

/**
 * Find secrets written into the file: a key named like a secret with a literal value, or a URL carrying a password.
 * Values under `*_env` keys are variable names and are not inspected.
 */
export function findSecretLiterals(doc: Document): SecretLiteral[] {
  const out: SecretLiteral[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const childPath = [...path, key];
        if (/_env$/i.test(key)) continue;
        if (!keysAreData(childPath) && isSecretKeyName(key) && isScalar(pair.value) && pair.value.value !== null && pair.value.value !== '') {
          out.push({
            path: childPath,
            atKey: true,
            message: `"${key}" holds a literal secret; secrets never live in the config file: put it in an environment variable and name that variable in a "*_env" field`,
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
