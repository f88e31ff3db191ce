export { loadConfig, parseConfigText, type LoadedConfig, type ConfigErrorDetail } from './load.js';
export { configSchema, type CountersignConfig, type CountersignConfigInput } from './schema.js';
export { serverConfigSchema, approvalsConfigSchema, resourcesConfigSchema, resourceSchema, RESOURCE_TYPES } from './sections.js';
export type { ServerConfig, ApprovalsConfig, ResourceConfig } from './sections.js';
export { parseDuration, formatDuration, durationSchema } from './duration.js';
export { readSecretEnv, isSecretKeyName } from './secrets.js';
export { buildJsonSchema } from './json-schema.js';
