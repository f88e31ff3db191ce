import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApprovalService } from '../approvals/service.js';
import type { UpstreamMethod, UpstreamOutcome, UpstreamStatus } from '../connectors/mcp/index.js';
import type { PipelineObserver } from '../pipeline/types.js';

export interface Metrics {
  registry: Registry;
  decisions: Counter<'effect' | 'connector' | 'resource'>;
  votes: Counter<'vote'>;
  authFailures: Counter<'code'>;
  /** Feeds the decision and masking metrics from the pipeline (every connector). */
  observer: PipelineObserver;
  /** Feeds the MCP upstream call metrics (McpGatewayOptions.onUpstreamCall). */
  upstreamCall(upstream: string, method: UpstreamMethod, outcome: UpstreamOutcome, seconds: number): void;
}

export interface MetricsSources {
  /** Pending approval requests, read at scrape time. */
  approvals?: ApprovalService;
  /** MCP upstream states, read at scrape time. */
  mcp?: { status(): UpstreamStatus[] };
  /** Resource names from the config (`resources:` and MCP upstream names): the only `resource` label values; any
   *  other name an action carries (an API caller's free text, an unmask scope) is counted as `other`. */
  resources?: readonly string[];
}

/** The connectors this gateway ships: the only `connector` label values (anything else is `other`). */
export const METRIC_CONNECTORS: readonly string[] = ['api', 'sdk', 'mcp', 'postgres', 'http'];

/**
 * Prometheus metrics for /metrics: decisions (every connector, from the pipeline), values masked out of results,
 * MCP upstream calls (count and duration by outcome) and upstream state, approval votes and pending requests, auth
 * failures, and the process defaults. Label values are bounded by the config (resource and upstream names, effects,
 * error outcomes), never by what callers send: a resource or connector name not in the config is counted as `other`.
 *
 * @example
 * const metrics = createMetrics({ approvals, mcp, resources: ['prod-db'] });
 * const gateway = createPipeline({ ..., observer: metrics.observer });
 */
export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'countersign_' });
  const decisions = new Counter({ name: 'countersign_decisions_total', help: 'Policy decisions by effect', labelNames: ['effect', 'connector', 'resource'] as const, registers: [registry] });
  const masked = new Counter({ name: 'countersign_masked_values_total', help: 'Sensitive values masked out of results', labelNames: ['connector', 'resource'] as const, registers: [registry] });
  const votes = new Counter({ name: 'countersign_votes_total', help: 'Approval votes by kind', labelNames: ['vote'] as const, registers: [registry] });
  const authFailures = new Counter({ name: 'countersign_auth_failures_total', help: 'Rejected credentials by error code', labelNames: ['code'] as const, registers: [registry] });
  const calls = new Counter({ name: 'countersign_mcp_upstream_calls_total', help: 'Calls, reads and prompts sent to MCP upstreams, by outcome', labelNames: ['upstream', 'method', 'outcome'] as const, registers: [registry] });
  const callSeconds = new Histogram({
    name: 'countersign_mcp_upstream_call_duration_seconds',
    help: 'Time an MCP upstream took to answer (the approval hold is not counted)',
    labelNames: ['upstream', 'method'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const { approvals, mcp } = sources;
  const knownResources = new Set(sources.resources ?? []);
  const labels = (a: { connector: string; resource: string }) => ({
    connector: METRIC_CONNECTORS.includes(a.connector) ? a.connector : 'other',
    resource: knownResources.has(a.resource) ? a.resource : 'other',
  });
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
  if (mcp) {
    new Gauge({
      name: 'countersign_mcp_upstream_up',
      help: 'Whether an MCP upstream is connected (1) or not (0: idle, connecting, down)',
      labelNames: ['upstream'] as const,
      registers: [registry],
      collect() {
        for (const s of mcp.status()) this.set({ upstream: s.name }, s.state === 'up' ? 1 : 0);
      },
    });
  }
  return {
    registry,
    decisions,
    votes,
    authFailures,
    observer: {
      decided: (action, effect) => decisions.inc({ effect, ...labels(action) }),
      masked: (action, findings) => {
        if (findings > 0) masked.inc(labels(action), findings);
      },
    },
    upstreamCall(upstream, method, outcome, seconds) {
      calls.inc({ upstream, method, outcome });
      callSeconds.observe({ upstream, method }, seconds);
    },
  };
}
