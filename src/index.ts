// Public API of the countersign package.
export { ApiClient, ApiError, type ActionRequest, type RequestJson, type SubmitResult } from './sdk/client.js';
export { guard, ActionRefusedError, OutcomeNotRecordedError, type GuardOptions } from './sdk/guard.js';
export { describeAction, type Action, type ActionInput, type ActionKind } from './core/action.js';
export type { Decision } from './core/decision.js';
export type { Principal } from './core/identity.js';
export { CountersignError, ERRORS, type ErrorCode } from './core/errors.js';
export { createMasker } from './masking/index.js';
export { createRuntime, type Runtime } from './main.js';
export { loadConfig } from './config/index.js';
