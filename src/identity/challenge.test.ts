import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERRORS, type ErrorCode } from '../core/errors.js';
import { bearerChallenge } from './challenge.js';

test('no credential: the bare challenge, without an error (RFC 6750 §3.1)', () => {
  assert.equal(bearerChallenge('AUTH_REQUIRED'), 'Bearer realm="countersign"');
});

test('a refused credential: invalid_token, with the catalog line as the description', () => {
  assert.equal(bearerChallenge('AUTH_INVALID'), `Bearer realm="countersign", error="invalid_token", error_description="${ERRORS.AUTH_INVALID.doc}"`);
  assert.equal(bearerChallenge('AUTH_EXPIRED'), 'Bearer realm="countersign", error="invalid_token", error_description="The token has expired."');
});

test('every description stays within the characters RFC 6750 allows (no quote or backslash breaks the header)', () => {
  for (const code of Object.keys(ERRORS) as ErrorCode[]) {
    if (code === 'AUTH_REQUIRED') continue;
    const m = /error_description="(.*)"$/.exec(bearerChallenge(code));
    assert.ok(m, code);
    assert.match(m[1]!, /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/, code);
  }
});
