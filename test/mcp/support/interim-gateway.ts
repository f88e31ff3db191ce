// Interim Gateway for the MCP suite until src/pipeline lands: the real policy engine, holds resolved by hand.
// To be replaced by createPipeline(...) (real approvals, store, audit, masking).
import { describeAction, type Action, type ActionInput } from '../../../src/core/action.js';
import { CountersignError } from '../../../src/core/errors.js';
import type { Masker } from '../../../src/core/masking.js';
import type { AuditEventInput } from '../../../src/audit/types.js';
import type { Gateway, PendingInfo, RunOptions, RunResult } from '../../../src/pipeline/types.js';
import { compilePolicy, type PolicyConfigInput } from '../../../src/policy/index.js';

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

export function interimGateway(policy: PolicyConfigInput) {
  const engine = compilePolicy(policy);
  const events: AuditEventInput[] = [];
  const held = new Map<string, { info: PendingInfo; action: Action; settle: (e?: Error) => void }>();
  let seq = 0;
  const masker: Masker = {
    async maskText(text) {
      return { text: text.replace(EMAIL, '[EMAIL]'), findings: [] };
    },
    async maskValue<T>(value: T) {
      return { value: JSON.parse(JSON.stringify(value).replace(EMAIL, '[EMAIL]')) as T, findings: [] };
    },
  };
  const gateway: Gateway = {
    masker,
    decide: (input) => engine.evaluate(describeAction(input)),
    async record(e) {
      events.push(e);
    },
    async run<T>(input: ActionInput, execute: (a: Action) => Promise<T>, opts: RunOptions = {}): Promise<RunResult<T>> {
      const action = describeAction(input);
      const decision = engine.evaluate(action);
      events.push({ type: 'action.requested', summary: action.summary });
      if (decision.effect === 'deny') throw new CountersignError('POLICY_DENIED', decision.reason);
      if (decision.effect === 'review') {
        const info: PendingInfo = { requestId: `req_${++seq}`, expiresAt: Date.now() + 60_000, approvalsNeeded: 1, approverGroups: decision.review.approverGroups };
        if (opts.holdMode === 'return_pending') return { status: 'pending', action, decision, pending: info };
        await new Promise<void>((resolve, reject) => {
          held.set(info.requestId, { info, action, settle: (e) => (e ? reject(e) : resolve()) });
          opts.signal?.addEventListener('abort', () => {
            held.delete(info.requestId);
            reject(new CountersignError('APPROVAL_CANCELLED', 'the caller went away', { requestId: info.requestId }));
          });
          opts.onPending?.(info);
        });
      }
      const result = await execute(action);
      return { status: 'executed', result, action, decision };
    },
  };
  return {
    gateway,
    events,
    held,
    approve(id: string) {
      held.get(id)!.settle();
      held.delete(id);
    },
    deny(id: string, by: string, reason: string) {
      held.get(id)!.settle(new CountersignError('APPROVAL_DENIED', reason, { decidedBy: by, requestId: id }));
      held.delete(id);
    },
    expire(id: string) {
      held.get(id)!.settle(new CountersignError('APPROVAL_EXPIRED', 'nobody decided in time', { requestId: id }));
      held.delete(id);
    },
  };
}
