import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMasker } from '../engine.js';

const masker = createMasker();
const spans = (text: string) => masker.scanSync(text).filter((f) => f.type !== 'PERSON').map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

test('provider token formats: GitLab, npm, SendGrid, Hugging Face, Google OAuth, Stripe webhook, Twilio, Shopify; look-alikes left', () => {
  const cases: [string, string][] = [
    ['glpat-xY3zA5bC7dE9fG1hJ3kL', 'SECRET'], ['gldt-xY3zA5bC7dE9fG1hJ3kL', 'SECRET'], ['glrt-xY3zA5bC7dE9fG1hJ3kL', 'SECRET'],
    ['glpat-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1.01a2b3c4d', 'SECRET'], ['glptt-0a1b2c3d4e5f60718293a4b5c6d7e8f901234567', 'SECRET'],
    ['npm_Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5', 'SECRET'], ['SG.aB3dE5fG7hJ9kL1mN3pQ5r.S7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3vW', 'SECRET'],
    ['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', 'SECRET'], ['ya29.a0AfH6SMBx7Hk2mLp9vR4tY8wN3sB6cDxQzAbCdEfGhIjKlMnOpQrStUvWx', 'SECRET'],
    ['whsec_8Hk2mLp9vR4tY8wN3sB6cDxQzAbCdEfG', 'STRIPE_KEY'], ['SK0123456789abcdef0123456789abcdef', 'SECRET'],
    ['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', 'SECRET'], ['xoxe-1-Ab3dE5fG7hJ9kL1mN3pQ5rS7', 'SLACK_TOKEN'],
  ];
  for (const [tok, type] of cases) {
    assert.deepEqual(spans(`leaked ${tok} in the log.`), [`${type}:${tok}`], tok);
  }
  // Wrong length, wrong alphabet, placeholders, glued to a word, identifiers that share a prefix, a Slovak IBAN.
  for (const t of ['glpat-xY3zA5bC7dE9fG1hJ3k', 'glpat-xY3zA5bC7dE9fG1hJ3kLm', 'glpat-XXXXXXXXXXXXXXXXXXXX', 'glptt-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'npm_Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z', 'npm_install_dependencies_for_the_project', 'SG.aB3dE5fG7hJ9kL1mN3pQ5r.S7tU9vW1', 'hf_requiredCharacteristicTypesForDisplayMetadata',
    'hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'rhf_SponsoredProductsRemoteRHFSearchEXPSubsK2', 'ya29.short', 'whsec_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'SK0123456789abcdef0123456789abcde', 'SK0123456789abcdef0123456789abcdef0', 'SKABCDEF0123456789ABCDEF0123456789', 'SKU 0123456789', 'shpat_xyz', 'mysk0123456789abcdef0123456789abcdef']) {
    assert.deepEqual(spans(`seen ${t} here`), [], t);
  }
  assert.deepEqual(spans('IBAN SK31 1200 0000 1987 4263 7541'), ['IBAN:SK31 1200 0000 1987 4263 7541']);
});

test('the token after Bearer, wherever it stands; prose, placeholders and known formats keep their own reading', () => {
  assert.deepEqual(spans('sent the request with Bearer 7Hk2mLp9vR4tY8wN3sB6cDxQ, got 401'), ['SECRET:7Hk2mLp9vR4tY8wN3sB6cDxQ']);
  assert.deepEqual(spans('"auth": "bearer 0a1b2c3d4e5f60718293a4b5c6d7e8f9"'), ['SECRET:0a1b2c3d4e5f60718293a4b5c6d7e8f9']);
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  assert.deepEqual(spans(`Bearer ${jwt}`), [`JWT:${jwt}`]);
  for (const t of ['the bearer of bad news in 2024', 'Bearer ${TOKEN}', 'Bearer YOUR_TOKEN_HERE', 'Bearer abc123', 'Bearer <token>', 'Bearer 1234567890123456789']) {
    assert.deepEqual(spans(t), [], t);
  }
});
