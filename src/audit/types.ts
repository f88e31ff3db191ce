import type { AuditRecord } from '../store/types.js';

/** What a caller hands to the audit log. Summaries and data must already be masked; the log masks again. */
export interface AuditEventInput {
  type: AuditEventType;
  principal?: { id: string; type: string; onBehalfOf?: string };
  resource?: string;
  actionDigest?: string;
  requestId?: string;
  summary?: string;
  data?: Record<string, unknown>;
}

/** Event types; each has a stable code in audit/codes.ts. */
export type AuditEventType =
  | 'action.requested' | 'action.allowed' | 'action.denied' | 'action.held'
  | 'approval.vote' | 'approval.approved' | 'approval.denied' | 'approval.expired' | 'approval.cancelled'
  | 'action.executed' | 'action.failed' | 'action.result'
  | 'mcp.tools_listed' | 'mcp.session_opened' | 'mcp.session_closed' | 'mcp.call_cancelled'
  | 'unmask.released'
  | 'key.created' | 'key.revoked'
  | 'auth.failed'
  | 'gateway.started' | 'gateway.stopped';

export interface AuditLog {
  /** Durable when it resolves; rejects with CountersignError('AUDIT_UNAVAILABLE') otherwise (callers fail closed). */
  append(event: AuditEventInput): Promise<AuditRecord>;
}
