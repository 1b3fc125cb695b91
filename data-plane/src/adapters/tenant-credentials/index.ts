// @switchyard/data-plane/provider-credentials: tenants' own provider keys, cached per replica.
export { PROVIDER_CREDENTIALS_CHANGED_CHANNEL, providerCredentialsChangedMessage, providerCredentialsChangedMessageSchema } from './channel';
export { createTenantCredentialCache } from './credential-cache';
export type { ProviderCredentialLookup, TenantCredentialCache, TenantCredentialCacheOptions, TenantCredentialSource } from './credential-cache';
