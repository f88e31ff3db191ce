import type { AuditEventType } from './types.js';

export type AuditSeverity = 'info' | 'warning' | 'critical';

export interface AuditCode {
  code: string;
  severity: AuditSeverity;
  description: string;
}

/**
 * Stable audit event codes, grouped by range (Teleport-style): once published a code never changes meaning.
 * The last letter repeats the severity: I info, W warning, C critical.
 *
 * - CS1xxx actions (requested, decided, executed)
 * - CS2xxx approvals
 * - CS3xxx MCP sessions and tools
 * - CS4xxx identity, keys and unmasking
 * - CS9xxx the gateway itself
 *
 * @example AUDIT_CODES['action.denied'].code // 'CS1003W'
 */
export const AUDIT_CODES = {
  'action.requested': { code: 'CS1001I', severity: 'info', description: 'Policy asked for human review of the action (action.held or a covering grant follows).' },
  'action.allowed': { code: 'CS1002I', severity: 'info', description: 'Policy allowed the action.' },
  'action.denied': { code: 'CS1003W', severity: 'warning', description: 'Policy denied the action.' },
  'action.held': { code: 'CS1004I', severity: 'info', description: 'The action is held for human approval.' },
  'action.executed': { code: 'CS1005I', severity: 'info', description: 'The action ran upstream.' },
  'action.failed': { code: 'CS1006W', severity: 'warning', description: 'The action failed upstream or was refused by a fail-closed check.' },
  'action.result': { code: 'CS1007I', severity: 'info', description: 'The masked result went back to the caller.' },
  'approval.vote': { code: 'CS2001I', severity: 'info', description: 'An approver voted on a request.' },
  'approval.approved': { code: 'CS2002I', severity: 'info', description: 'The approval request was approved.' },
  'approval.denied': { code: 'CS2003W', severity: 'warning', description: 'The approval request was denied.' },
  'approval.expired': { code: 'CS2004W', severity: 'warning', description: 'Nobody decided the approval request in time.' },
  'approval.cancelled': { code: 'CS2005I', severity: 'info', description: 'The approval request was cancelled.' },
  'approval.void': { code: 'CS2006W', severity: 'warning', description: 'Approval events written ahead of their store write did not take effect (the write failed, or another change came first): they count for nothing.' },
  'mcp.session_opened': { code: 'CS3001I', severity: 'info', description: 'An MCP client session opened.' },
  'mcp.session_closed': { code: 'CS3002I', severity: 'info', description: 'An MCP client session closed.' },
  'mcp.tools_listed': { code: 'CS3003I', severity: 'info', description: 'A client listed the tools it may call.' },
  'mcp.call_cancelled': { code: 'CS3004W', severity: 'warning', description: 'The client cancelled a tool call.' },
  'mcp.resources_listed': { code: 'CS3005I', severity: 'info', description: 'A client listed the resources or resource templates it may read.' },
  'mcp.prompts_listed': { code: 'CS3006I', severity: 'info', description: 'A client listed the prompts it may get.' },
  'key.created': { code: 'CS4001I', severity: 'info', description: 'An API key was created.' },
  'key.revoked': { code: 'CS4002W', severity: 'warning', description: 'An API key was revoked.' },
  'auth.failed': { code: 'CS4003W', severity: 'warning', description: 'A credential was missing, unknown, expired or invalid.' },
  'unmask.released': { code: 'CS4004C', severity: 'critical', description: 'Masked values were released in clear to a person.' },
  'gateway.started': { code: 'CS9001I', severity: 'info', description: 'The gateway started.' },
  'gateway.stopped': { code: 'CS9002I', severity: 'info', description: 'The gateway stopped.' },
} as const satisfies Record<AuditEventType, AuditCode>;

/** The code of an event type. */
export function auditCode(type: AuditEventType): AuditCode {
  return AUDIT_CODES[type];
}
