// @switchyard/identity/api-keys: who an API key is. The cached resolver (by the SHA-256 of the
// secret, evicted on the bus), whether a key may be used now, and the recorder of keys' last use.
// Callers that authenticate keys use it: the data plane, the supergraph gateway, the platform.
export { apiKeyStatus, createDatabaseApiKeyResolver, subscribeApiKeyEviction } from './api-key-resolver';
export type { ApiKeyRecord, ApiKeyResolver, ApiKeyStore, CachedApiKeyResolverOptions } from './api-key-resolver';
export { createApiKeyLastUsedRecorder } from './api-key-last-used';
export type { ApiKeyLastUsedOptions, ApiKeyLastUsedRecorder, ApiKeyLastUsedSink } from './api-key-last-used';
