/** Masking engine: detectors, transforms, reversible tokens. See docs/masking.md. */
export { createMasker, type MaskingEngine, type MaskerDeps } from './engine.js';
export { maskingConfigSchema, DEFAULT_TRANSFORMS, TRANSFORMS, type MaskingConfig, type MaskingProfile, type TransformName } from './config.js';
export { MemoryTokenStore } from './vault.js';
export { FINDING_TYPES, type FindingType } from './types.js';
export { scan, DETECTORS } from './scan.js';
