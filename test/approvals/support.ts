import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeAction, type Action } from '../../src/core/action.js';
import { FakeClock, randomIds } from '../../src/core/clock.js';
import type { Principal } from '../../src/core/identity.js';
import { createAuditLog } from '../../src/audit/log.js';
import { ApprovalService, type ApprovalServiceOptions, type CreateRequestInput } from '../../src/approvals/service.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';

export const agent: Principal = { id: 'agent:etl', type: 'agent', groups: ['bots'], authMethod: 'api_key' };
export const dana: Principal = { id: 'dana@example.com', type: 'human', groups: ['dba'], authMethod: 'oidc' };
export const erin: Principal = { id: 'erin@example.com', type: 'human', groups: ['dba'], authMethod: 'oidc' };

export function action(summary: string, principal: Principal = agent): Action {
  return describeAction({ principal, resource: 'prod-db', connector: 'api', kind: 'delete', summary, detail: { sql: summary } });
}

/** What `create` takes for `a`, reviewed under rule `r` by one dba, `timeoutSeconds` to decide. */
export function input(a: Action, timeoutSeconds = 60, approvals = 1): CreateRequestInput {
  return {
    action: a,
    rule: 'r',
    review: { approverGroups: ['dba'], approvals, timeoutSeconds, grant: { type: 'once' } },
    summary: a.summary,
    preview: a.detail,
    context: {},
    tags: [],
  };
}

/**
 * One SQLite file, and a service (a "gateway") on it per `service()` call, each with its own store connection and
 * audit log, as gateways sharing a store have. `failAudit(true)` makes every audit insert fail in the file itself.
 */
export async function sqliteWorld(opts: Partial<ApprovalServiceOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'cs-approvals-'));
  const file = join(dir, 'cs.db');
  const clock = new FakeClock();
  const opened: Array<{ store: Store; svc: ApprovalService }> = [];
  return {
    file,
    clock,
    service(extra: Partial<ApprovalServiceOptions> = {}) {
      const store = new SqliteStore(file);
      const audit = createAuditLog({ store, clock });
      const svc = new ApprovalService({ store, audit, clock, ids: randomIds, pollMs: 20, ...opts, ...extra });
      opened.push({ store, svc });
      return { store, svc, audit };
    },
    failAudit(on: boolean) {
      const db = new Database(file);
      db.exec(on ? `CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit disk full'); END` : 'DROP TRIGGER fail_audit');
      db.close();
    },
    /** Audit event types in seq order. */
    async auditTypes(store: Store): Promise<string[]> {
      return (await store.readAudit(0, 10_000)).map((r) => r.type);
    },
    async dispose() {
      for (const o of opened) {
        o.svc.stop();
        await o.store.close().catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
