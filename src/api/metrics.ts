import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApprovalService } from '../approvals/service.js';

export interface Metrics {
  registry: Registry;
  decisions: Counter<'effect' | 'connector'>;
  votes: Counter<'vote'>;
  authFailures: Counter<'code'>;
}

/** Prometheus metrics for /metrics: decisions, votes, auth failures, pending requests, process defaults. */
export function createMetrics(approvals?: ApprovalService): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'countersign_' });
  const decisions = new Counter({ name: 'countersign_decisions_total', help: 'Policy decisions by effect', labelNames: ['effect', 'connector'] as const, registers: [registry] });
  const votes = new Counter({ name: 'countersign_votes_total', help: 'Approval votes by kind', labelNames: ['vote'] as const, registers: [registry] });
  const authFailures = new Counter({ name: 'countersign_auth_failures_total', help: 'Rejected credentials by error code', labelNames: ['code'] as const, registers: [registry] });
  if (approvals) {
    new Gauge({
      name: 'countersign_approval_requests_pending',
      help: 'Approval requests waiting for a decision',
      registers: [registry],
      async collect() {
        this.set((await approvals.list({ status: ['pending'], limit: 100_000 })).length);
      },
    });
  }
  return { registry, decisions, votes, authFailures };
}
