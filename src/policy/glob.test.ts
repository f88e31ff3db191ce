import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatcher, principalIdMatcher } from './glob.js';

test('globMatcher: exact names, * wildcards, regex characters taken literally', () => {
  const cases: [string[], string, boolean][] = [
    [['prod-db'], 'prod-db', true],
    [['prod-db'], 'prod-db2', false],
    [['prod-*'], 'prod-', true],
    [['prod-*'], 'prod-eu-1', true],
    [['prod-*'], 'staging-prod-1', false],
    [['*-prod'], 'db-prod', true],
    [['a*b*c'], 'aXXbYYc', true],
    [['a*b*c'], 'acb', false],
    [['*'], 'anything', true],
    [['db.main'], 'dbXmain', false],
    [['db.*'], 'db.main', true],
    [['x(1)'], 'x(1)', true],
    [['agent:*', 'alice@example.com'], 'agent:ci', true],
    [['agent:*', 'alice@example.com'], 'alice@example.com', true],
    [['agent:*', 'alice@example.com'], 'bob@example.com', false],
    [['multi*'], 'multi\nline', true],
  ];
  for (const [patterns, name, want] of cases) {
    assert.equal(globMatcher(patterns)(name), want, `${JSON.stringify(patterns)} vs ${JSON.stringify(name)}`);
  }
});

test('principalIdMatcher: e-mail ids match without regard to case or surrounding space; other ids keep their case', () => {
  const deny = principalIdMatcher(['mallory@example.com', '*@evil.example', 'Eve@Corp.example', 'agent:ci']);
  for (const id of ['mallory@example.com', 'Mallory@Example.com', ' MALLORY@EXAMPLE.COM ', 'x@EVIL.example', 'x@evil.example', 'eve@corp.example']) {
    assert.equal(deny(id), true, id);
  }
  // Look-alikes: another local part or domain, a sub-domain spelled differently, an agent id in another case.
  for (const id of ['mallory2@example.com', 'mallory@example.co', 'x@evil.example.org', 'x@notevil-example', 'agent:CI', 'Agent:ci']) {
    assert.equal(deny(id), false, id);
  }
  assert.equal(principalIdMatcher(['agent:*'])('agent:Bot'), true);
});
