// Identity: who is acting. API keys for agents and services, OIDC for people, static tokens for development.
export { createAuthenticator, credentialKind, MAX_CREDENTIAL_LENGTH, type AuthenticatorOptions, type CredentialKind } from './authenticator.js';
export { bearerChallenge, BEARER_REALM } from './challenge.js';
export { credentialFromHeaders, principalFromRequest, KEY_HEADER, type HeaderSource } from './request.js';
export { createApiKey, verifyApiKey, assertApiKeyActive, revokeApiKey, listApiKeys, toInfo, LAST_USED_RESOLUTION_MS, type NewApiKey, type ApiKeyInfo } from './api-keys.js';
export { KEY_PREFIX, parseKeyString, hashKey } from './key-format.js';
export { MemoryKeyStore, hasKeyUsage, type KeyUsageStore } from './memory-key-store.js';
export { createOidcVerifier, discoverJwksUri, groupsFromClaim, readClaim, type OidcVerifier, type OidcVerifierOptions, type FetchLike } from './oidc.js';
export { loadStaticTokens, STATIC_TOKEN_MIN_LENGTH, type StaticTokens } from './static-tokens.js';
export { identityConfigSchema, oidcConfigSchema, staticTokenConfigSchema, type IdentityConfig, type IdentityConfigInput, type OidcConfig, type StaticTokenConfig } from './config.js';
