// @switchyard/data-plane/provider-credentials: tenants' own provider keys, cached per replica.
export { createTenantCredentialCache } from './credential-cache';
export type { ProviderCredentialLookup, TenantCredentialCache, TenantCredentialCacheOptions, TenantCredentialSource } from './credential-cache';
