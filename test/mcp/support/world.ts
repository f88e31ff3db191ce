// The real kernel behind the MCP suite: policy engine, SQLite store, audit log, approval service, masking
// engine and pipeline, as `countersign serve` builds them. Approvals are decided through the approval service,
// the same path every channel takes; expiry moves the clock past the deadline.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../src/core/clock.js';
import { randomIds } from '../../../src/core/clock.js';
import type { CredentialCheck, Principal } from '../../../src/core/identity.js';
import type { AuditEventInput, AuditLog } from '../../../src/audit/types.js';
import { createAuditLog } from '../../../src/audit/log.js';
import { createAuditSigner, generateAuditKeyPair } from '../../../src/audit/signing.js';
import { ApprovalService } from '../../../src/approvals/service.js';
import { createMasker, maskingConfigSchema } from '../../../src/masking/index.js';
import { createPipeline } from '../../../src/pipeline/pipeline.js';
import { compilePolicy, type PolicyConfigInput } from '../../../src/policy/index.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';

const approver = (id: string): Principal => ({ id, type: 'human', groups: ['approvers'], authMethod: 'oidc' });

/**
 * `opts.masking`: the `masking:` section (profiles a rule's `mask` names); the built-in default when absent.
 * `opts.credentials`: re-checks each principal before it acts, as `countersign serve` does with its authenticator
 * (given the world's clock, which `advance` moves).
 * `opts.storePath`: the SQLite file, for worlds (gateways) sharing one; a fresh one by default.
 */
export async function realWorld(policy: PolicyConfigInput, opts: { masking?: unknown; credentials?: (clock: Clock) => CredentialCheck; storePath?: string } = {}) {
  const store = await openSqliteStore(opts.storePath ?? join(mkdtempSync(join(tmpdir(), 'cs-mcp-world-')), 'countersign.db'));
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  const masker = createMasker(maskingConfigSchema.parse(opts.masking ?? {}));
  const log = createAuditLog({ store, signer: createAuditSigner(generateAuditKeyPair().privateKey), clock, masker });
  const events: AuditEventInput[] = [];
  const audit: AuditLog = {
    async append(e) {
      events.push(e);
      return log.append(e);
    },
  };
  const approvals = new ApprovalService({ store, audit, clock, ids: randomIds, pollMs: 200 });
  await approvals.start();
  const credentials = opts.credentials?.(clock);
  const gateway = createPipeline({ policy: compilePolicy(policy), approvals, audit, masker, clock, ...(credentials ? { credentials } : {}) });
  return {
    gateway,
    approvals,
    store,
    events,
    approve: (id: string, by = 'bob@example.com') => approvals.vote(id, approver(by), 'approve', { channel: 'test' }),
    deny: (id: string, by: string, reason: string) => approvals.vote(id, approver(by), 'deny', { reason, channel: 'test' }),
    clock,
    /** Move the world's clock forward. */
    advance(ms: number) {
      offset += ms;
    },
    /** Move the clock past the request's deadline and let the expiry timer's work run. */
    async expire(id: string) {
      const { request } = await approvals.get(id);
      offset += request.expiresAt - clock.now() + 1;
      await approvals.expire(id);
    },
    async close() {
      approvals.stop();
      await log.close();
      await store.close();
    },
  };
}
