import type { AuditRecord } from '../store/types.js';

/** What a caller hands to the audit log. Summaries and data must already be masked; the log masks again. */
export interface AuditEventInput {
  type: AuditEventType;
  principal?: { id: string; type: string; onBehalfOf?: string };
  resource?: string;
  actionDigest?: string;
  requestId?: string;
  summary?: string;
  /** Who decided an approval request (approvers, or who cancelled it). Identities are recorded as they are, like
   *  `principal`: the log exists to say who acted. */
  decidedBy?: string[];
  data?: Record<string, unknown>;
  /**
   * The summary is the output of this gateway's own masker (the pipeline masks every action's summary before it
   * records it): the log does not mask it a second time.
   */
  summaryMasked?: boolean;
  /**
   * Likewise for `data`: every string in it is a name this gateway checked (an action kind, a connector, a policy
   * rule) or the output of its own masker, and the rest are numbers, so the log does not mask it again.
   */
  dataMasked?: boolean;
  /**
   * 'now' (default): `append` resolves once the event is on disk — for every event that gates an action.
   * 'soon': resolves once committed (readable, surviving a gateway crash; a failed write still rejects) and on
   * disk with the next 'now' event or within 200 ms — for facts recorded after the action already ran.
   */
  flush?: 'now' | 'soon';
}

/** Event types; each has a stable code in audit/codes.ts. */
export type AuditEventType =
  | 'action.requested' | 'action.allowed' | 'action.denied' | 'action.held'
  | 'approval.vote' | 'approval.approved' | 'approval.denied' | 'approval.expired' | 'approval.cancelled' | 'approval.void'
  | 'action.executed' | 'action.failed' | 'action.result'
  | 'mcp.tools_listed' | 'mcp.resources_listed' | 'mcp.prompts_listed' | 'mcp.session_opened' | 'mcp.session_closed' | 'mcp.call_cancelled'
  | 'unmask.released'
  | 'key.created' | 'key.revoked'
  | 'auth.failed'
  | 'gateway.started' | 'gateway.stopped';

export interface AuditLog {
  /** Durable when it resolves; rejects with CountersignError('AUDIT_UNAVAILABLE') otherwise (callers fail closed). */
  append(event: AuditEventInput): Promise<AuditRecord>;
}
