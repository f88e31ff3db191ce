// The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3): how a client of a bearer-protected resource authenticates,
// and, when it presented a credential that was refused, that the credential is the trouble.
import { ERRORS, type ErrorCode } from '../core/errors.js';

/** The realm the HTTP API's challenges name. */
export const BEARER_REALM = 'countersign';

// RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E (printable ASCII without `"` and `\`).
const NOT_DESCRIPTION_CHAR = /[^\x20\x21\x23-\x5B\x5D-\x7E]/g;

/**
 * The `WWW-Authenticate` value for a refusal with `code`. No credential (AUTH_REQUIRED): the bare challenge, with no
 * error (RFC 6750 §3.1: a request without authentication information gets none). A credential presented and refused
 * (AUTH_INVALID, AUTH_EXPIRED, or any other code): `error="invalid_token"` with the catalog's line as the description —
 * a fixed text, never the credential or anything else the client sent.
 *
 * @example
 * bearerChallenge('AUTH_REQUIRED') // 'Bearer realm="countersign"'
 * bearerChallenge('AUTH_EXPIRED')  // 'Bearer realm="countersign", error="invalid_token", error_description="The token has expired."'
 */
export function bearerChallenge(code: ErrorCode): string {
  const base = `Bearer realm="${BEARER_REALM}"`;
  if (code === 'AUTH_REQUIRED') return base;
  return `${base}, error="invalid_token", error_description="${ERRORS[code].doc.replace(NOT_DESCRIPTION_CHAR, '')}"`;
}
