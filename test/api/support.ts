// A whole gateway for the kernel suites: config file on disk, SQLite store, real OIDC provider for people,
// an API key for the agent, the HTTP API answered in-process (app.request) or on a real port.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config/load.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import { createApi } from '../../src/api/app.js';
import { createApiKey } from '../../src/identity/index.js';
import { generateAuditKeyPair } from '../../src/audit/signing.js';
import { startOidcProvider } from '../support/oidc.js';

export const POLICY_YAML = `
policy:
  rules:
    - name: no-ddl
      kind: ddl
      effect: deny
      reason: schema changes go through migrations
    - name: deletes-need-two
      kind: delete
      effect: review
      reason: deletes production rows
      review: { approvers: [eng], approvals: 2, timeout: 1m }
    - name: exports-destructive
      kind: export
      tags: [destructive]
      effect: review
      review: { approvers: [security], approvals: 2, timeout: 1m }
    - name: exports-window
      kind: export
      effect: review
      review: { approvers: [security], approvals: 1, timeout: 1m, grant: { window: 10m } }
    - name: reads
      kind: read
      effect: allow
      mask: tokens
    - name: unmask-needs-security
      kind: unmask
      effect: review
      review: { approvers: [security], approvals: 1, timeout: 1m, grant: { window: 10m } }
`;

/** `resources: false`: a config that lists no resources (names are free); `maxPending`: approvals.max_pending_per_principal. */
export async function startKernel(opts: { resources?: boolean; maxPending?: number } = {}) {
  const idp = await startOidcProvider({
    accounts: {
      alice: { email: 'alice@example.com', groups: ['eng'] },
      bob: { email: 'bob@example.com', groups: ['eng'] },
      dave: { email: 'dave@example.com', groups: ['eng'] },
      carol: { email: 'carol@example.com', groups: ['security'] },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'cs-kernel-'));
  const file = join(dir, 'countersign.yaml');
  writeFileSync(
    file,
    `store: { driver: sqlite, path: ./cs.db }
server: { body_limit: 4096 }
identity:
  oidc: { issuer: "${idp.oidcConfig.issuer}", audience: ${JSON.stringify(idp.oidcConfig.audience)} }
masking:
  key_env: CS_TEST_MASKING_KEY
  profiles:
    tokens: { transforms: { EMAIL: token } }
${opts.resources === false ? '' : 'resources:\n  - { name: prod-db, type: postgres }'}
${opts.maxPending === undefined ? '' : `approvals: { max_pending_per_principal: ${opts.maxPending} }`}
${POLICY_YAML}`,
  );
  const env = { ...process.env, COUNTERSIGN_AUDIT_KEY: generateAuditKeyPair().privateKey, CS_TEST_MASKING_KEY: randomBytes(32).toString('base64') };
  const clock = new FakeClock(Date.now());
  const config = await loadConfig(file);
  let rt: Runtime = await createRuntime(config, { env, clock });
  const { key: agentKey } = await createApiKey(rt.store, { principalId: 'agent:etl', type: 'agent', groups: ['agents'], onBehalfOf: 'alice@example.com' }, clock);
  const tokens = {
    agent: agentKey,
    alice: await idp.tokenFor('alice'),
    bob: await idp.tokenFor('bob'),
    dave: await idp.tokenFor('dave'),
    carol: await idp.tokenFor('carol'),
  };
  let app = createApi(rt, rt.metrics);

  return {
    idp, clock, env, file, tokens,
    get rt() {
      return rt;
    },
    /** In-process HTTP: no socket. `extra` headers are sent as given (over `who`'s Authorization too). */
    async req(method: string, path: string, who: keyof typeof tokens | null, body?: unknown, raw?: string, extra: Record<string, string> = {}) {
      const headers: Record<string, string> = {};
      if (who) headers.authorization = `Bearer ${tokens[who]}`;
      if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
      Object.assign(headers, extra);
      const res = await app.request(path, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
      const text = await res.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: res.status, json, headers: res.headers };
    },
    /** Stop and start the gateway on the same store file, as after a crash or a deploy. */
    async restart() {
      await rt.close();
      rt = await createRuntime(await loadConfig(file), { env, clock });
      app = createApi(rt, rt.metrics);
    },
    async close() {
      await rt.close();
      await idp.stop();
    },
  };
}

export const deleteAction = (id = 42) => ({
  resource: 'prod-db', kind: 'delete' as const, summary: `delete user ${id} (jane.doe@example.com)`, detail: { sql: `DELETE FROM users WHERE id = ${id}` },
});
