export { subgraphName, typeDefs } from './type-defs';
export { createTenantsSubgraph } from './tenants-subgraph';
export type { TenantsSubgraph, TenantsSubgraphDeps } from './tenants-subgraph';
export { createTenantsService } from './tenants-service';
export type { TenantsService, TenantsServiceDeps } from './tenants-service';
export type { ApiKey, Tenant, Viewer } from './tenant-types';
export type { CreateApiKeyInput } from './tenant-inputs';
export { DEFAULT_API_KEY_SCOPES, SLUG_PATTERN } from './tenant-inputs';
export type { Logger } from './logger';
