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

test('provider token formats: PyPI, Docker Hub, Vault, DigitalOcean, Linear, Supabase, Postman, New Relic, age, AWS session tokens; look-alikes left', () => {
  const pypi = 'pypi-AgEIcHlwaS5vcmcCJGI4YmNkMzQ1LTk4NzYtNDMyMS1hYmNkLWVmMDEyMzQ1Njc4OQACKlszLCJiNGE2YjY3Zi0xMjM0In0AAAYgq8Zk3m9Xv2pL7wQnR4tYhJcUe5sD1aF0bG6iK9oMxNk';
  const vaultLong = 'hvs.CAESIJlU9JMYEhOPYv4igdhm9PnZDrabYTobQ4Ymnlq1qY-LGh4KHGh2cy5NVGk4dEt6dUdZTkdmOGF4b1NtMGZHdjE';
  const vaultBatch = 'hvb.AAAAAQJgxDgqsGNorpoOR7hPZ5SU-ynBvCl764jyRP_fnX7WvkdkDzGjbLNGdPdtlY33Als2P36yDZueqzfdGw9RsaTeaYXSH7E4RYSWuRoQ9YRKIw8o7mDDY2ZcT3KOB7RwtW1w1FN2eDqcy_sbCjXPaM1iBVH-mqMSYRmRd2nb5D1SJPeBzIYRqSglLc31wUGN7xEzyrKUczqOKsIcybQA';
  // A session token's body: base64 with + and /, hundreds of characters (made up here, after the real header).
  const body = 'GYaCXVzLWVhc3QtMSJHMEUCIQD6v8Kq2nH3Lp9sT4wR7yB1cE5mX0zA8uJ6dF3gN2hQkwIgV9bM4xP7rT1sY6eC0aW3qL8nK5jH2fD9uG4iZ+oR/BcqnAII8f//////////ARAAGgwxMjM0NTY3ODkwMTIiDPq7Xr2Lm9Kt4Ws3HyrwAcN5vB8jQ1pR6tY0uE3iO7aS9dF2gH4kL1zX5cV8bN0mQ3wE6rT9yU2iP5oA8sD1fG4hJ7kL0zX3cV6bN9mQ2wE5rT8yU1iP4oA7sD0fG3hJ6kL9zX2cV5bN8mQ1wE4rT7yU0iP3oA6sD9fG2hJ5kL8zX1cV4bN7mQ0wE3rT6yU9iP2oA5sD8fG1hJ4kL7zX0cV3bN6mQ9wE2rT5yU8iP1oA4sD7fG0hJ3kL6zX9cV2bN5mQ8wE1rT4yU7iP0oA3sD6fG9hJ2kL5zX8cV1bN4mQ7wE0rT3yU6iP9oA2sD5fG8hJ1kL4zX7cV0bN3mQ6w==';
  const cases: [string, string][] = [
    [pypi, 'SECRET'], ['dckr_pat_2b3e36beeb386dfdaacb9b46004ccb7c', 'SECRET'], ['dckr_pat_p3jYrxxLOa_ZepweHHBzo_zTS8A', 'SECRET'],
    [vaultLong, 'SECRET'], [vaultBatch, 'SECRET'], ['hvs.6j4cuewowBGit65rheNoceI7', 'SECRET'], ['hvr.Kx7pQ2mW9vB4nR8tY3sL6dFh', 'SECRET'],
    ['dop_v1_4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b', 'SECRET'],
    ['doo_v1_0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9', 'SECRET'],
    ['lin_api_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3gH5jK7m', 'SECRET'], ['sbp_4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b', 'SECRET'],
    ['PMAK-64f1e2d3c4b5a69788796a5b-4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e', 'SECRET'], ['NRAK-A1B2C3D4E5F6G7H8I9J0K1L2M3N', 'SECRET'],
    ['AGE-SECRET-KEY-1QQPZDYQ3XCRHTSPFS7R4JF2EXLP6UUD6Q8QGF6V3R4U9XK5QY2SQZ5VNL8', 'SECRET'],
    [`IQoJb3JpZ2luX2VjE${body}`, 'SECRET'], [`FwoGZXIvYXdzE${body}`, 'SECRET'],
  ];
  for (const [tok, type] of cases) {
    assert.deepEqual(spans(`leaked ${tok} in the log.`), [`${type}:${tok}`], tok);
    assert.deepEqual(spans(tok), [`${type}:${tok}`], `${tok} alone`); // a short value (the sign words) and a long one
  }
  // Placeholders, all one character, words, wrong lengths or alphabets, glued to a word, a property of `hvs`.
  for (const t of ['pypi-AgEIcHlwaS5vcmcXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', 'pypi-AgEIcHlwaS5vcmcShort',
    'dckr_pat_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'dckr_pat_your_personal_access_token_here', 'dckr_pat_test', 'dckr_pat_XXXXX',
    'hvs.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'hvs.setSaturationValueToMaximum', 'hvs.CAESIABcDeF', 'hvx.6j4cuewowBGit65rheNoceI7',
    'dop_v1_0000000000000000000000000000000000000000000000000000000000000000', 'dop_v1_4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b',
    'dop_v2_4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b', 'lin_api_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'lin_api_yourlinearapikeygoesherexxxxxxxxxxxxx', 'lin_api_test', 'sbp_4F3C2B1A0E9D8C7B6A5F4E3D2C1B0A9F8E7D6C5Bx', 'sbp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    'PMAK-64f1e2d3c4b5a69788796a5b', 'PMAK-xxxxxxxxxxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'NRAK-YOURAPIKEYHEREXXXXXXXXXXXX', 'NRAK-A1B2C3D4E5F6G7H8I9J0K1L2M3',
    'NRAK-fake', 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ', 'AGE-SECRET-KEY-1QQPZDYQ3XCRHTSPFS7R4JF2EXLP6UUD6Q8QGF6V3R4U9XK5QY2SQZ5VNLB',
    'AGE-SECRET-KEY-1...', 'mypypi-AgEIcHlwaS5vcmcCJGI4YmNkMzQ1LTk4NzYtNDMyMS1hYmNkLWVmMDEyMzQ1Njc4OQACKlszLCJ', 'IQoJb3JpZ2luX2VjEJr',
    `IQoJb3JpZ2luX2Vj${'A'.repeat(120)}`]) {
    assert.deepEqual(spans(`seen ${t} here`), [], t);
  }
});

// JSON-escaped or percent-encoded text read as plain text (a log line holding `"msg":"…\n…"`, an encoded URL): the
// escape before a token is a separator, not part of a word. A GitHub token with a valid checksum, an AWS key id, a
// Stripe key, a JWT, a Slack token and a Bearer token after `\n`, `\t`, `\r`, `%20`, `%3D`, `%0A`.
test('tokens right after a literal escape (\\n, \\t, \\r, %XX) are found; Windows paths and words are not tokens', () => {
  const ghp = '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';
  const akia = 'AKIAQWERTYUIOPASDFGH', stripe = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', slack = 'xoxb-12345678901-123456789012-Ab3dE5fG7hJ9kL1mN3pQ5rS7';
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  const cases: [string, string][] = [
    [`"msg":"clone failed\\n${ghp}"`, `GITHUB_TOKEN:${ghp}`], [`retrying\\t${akia} now`, `AWS_ACCESS_KEY:${akia}`], [`done\\r${stripe}`, `STRIPE_KEY:${stripe}`],
    [`a\\n${jwt}`, `JWT:${jwt}`], [`posted\\n${slack}`, `SLACK_TOKEN:${slack}`], [`hdr\\nBearer 7Hk2mLp9vR4tY8wN3sB6cDxQ`, 'SECRET:7Hk2mLp9vR4tY8wN3sB6cDxQ'],
    [`q=a%20${ghp}`, `GITHUB_TOKEN:${ghp}`], [`path /x%0A${akia}`, `AWS_ACCESS_KEY:${akia}`], [`/cb%3F${stripe}`, `STRIPE_KEY:${stripe}`], [`/cb%3d${ghp}`, `GITHUB_TOKEN:${ghp}`],
  ];
  for (const [text, want] of cases) assert.deepEqual(spans(text), [want], text);
  // Glued to a word or a number as before (no escape), an escape letter that is no escape's (`\q`), Windows paths
  // whose folders start with n, t or r: nothing.
  for (const t of [`x${ghp}`, `9${akia}`, `\\q${akia}`, 'C:\\new\\temp\\tools\\run.cmd', 'D:\\repos\\node_modules\\nested\\tests', 'C:\\Users\\bob\\rsync\\new.txt', `%2${ghp}`, `%zz${akia}`]) {
    assert.deepEqual(spans(t), [], t);
  }
});
