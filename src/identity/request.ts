import { CountersignError } from '../core/errors.js';
import type { Authenticator, Principal } from '../core/identity.js';

/** Request headers as Node (`IncomingHttpHeaders`), fetch/Hono (`Headers`) or a plain object give them. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/** The header agents may use instead of `Authorization: Bearer`. */
export const KEY_HEADER = 'x-countersign-key';

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const rec = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  if (Array.isArray(v)) {
    if (v.length > 1) throw new CountersignError('AUTH_INVALID', `the ${name} header appears more than once`);
    return v[0];
  }
  return v;
}

/**
 * The credential a request presents: `Authorization: Bearer <credential>` or `X-Countersign-Key: <key>`.
 * Throws AUTH_REQUIRED when there is none, AUTH_INVALID when Authorization uses another scheme or the two headers
 * disagree.
 *
 * @example credentialFromHeaders({ authorization: 'Bearer cs_4fT0aZ1bq9Lx_…' }) // 'cs_4fT0aZ1bq9Lx_…'
 */
export function credentialFromHeaders(headers: HeaderSource): string {
  const auth = header(headers, 'authorization')?.trim();
  const key = header(headers, KEY_HEADER)?.trim();
  let bearer: string | undefined;
  if (auth) {
    // RFC 9110 §11.1: the auth scheme is case-insensitive; RFC 6750 §2.1: "Bearer" 1*SP token.
    const m = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?: +(.*))?$/.exec(auth);
    if (!m || m[1].toLowerCase() !== 'bearer') {
      throw new CountersignError('AUTH_INVALID', `only "Authorization: Bearer <credential>" is accepted${m ? ` (got scheme "${m[1]}")` : ''}`);
    }
    bearer = m[2]?.trim() || undefined;
  }
  if (bearer && key && bearer !== key) throw new CountersignError('AUTH_INVALID', `Authorization and ${KEY_HEADER} carry different credentials`);
  const credential = bearer ?? key;
  if (!credential) throw new CountersignError('AUTH_REQUIRED', 'no credential: send "Authorization: Bearer <token or API key>"');
  return credential;
}

/**
 * Authenticate a request by its headers.
 *
 * @example const principal = await principalFromRequest(auth, c.req.raw.headers);
 */
export async function principalFromRequest(auth: Authenticator, headers: HeaderSource): Promise<Principal> {
  return auth.authenticate(credentialFromHeaders(headers));
}
