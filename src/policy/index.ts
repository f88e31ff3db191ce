export { compilePolicy, compileValidatedPolicy, type CompileOptions, type PolicyIssue } from './compile.js';
export { CompiledPolicy, DEFAULT_RULE, DEFAULT_REASON, type Evaluation, type ConditionError, type CompiledRule } from './engine.js';
export { policyConfigSchema, ruleSchema, type PolicyConfig, type PolicyConfigInput, type RuleConfig } from './schema.js';
export { compileCondition, type CelActivation } from './cel.js';
export { globMatcher } from './glob.js';
