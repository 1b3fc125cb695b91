import type { SessionSnapshotStore } from '@switchyard/memory/session';
import type { MembershipStore } from '@switchyard/identity';
import type { PriceBookSource } from '../accounting/price-book';
import type { TenantCredentialSource } from '../adapters/tenant-credentials/credential-cache';
import type { DataPlaneStores, ServedRouteTable } from '../composition/stores';
import type { ApiKeyLastUsedSink, ApiKeyResolver } from '@switchyard/identity/api-keys';
import type { ActivePolicySource } from '../policy/pdp/active-policy-source';
import { createInMemoryRouteTable, type RouteTable } from '../router/route-table';
import type { TenantSettingsSource } from '../tenant-settings/settings-cache';
import type { BanditPriorSource } from '../router/bandit-priors';
import type { SessionDocumentStore } from '@switchyard/session-documents';

export interface InMemoryStoresOptions {
  apiKeys: ApiKeyResolver;
  priceBook: PriceBookSource;
  apiKeyUse?: ApiKeyLastUsedSink;
  /** Default: no tenant has an active policy (the default policy allows everything). */
  policies?: ActivePolicySource;
  /** A ready table whose tenant routes the test sets; default: the configured routes only. */
  routes?: RouteTable;
  /** Default: every tenant has the default settings. */
  tenantSettings?: TenantSettingsSource;
  /** Default: no tenant has its own provider keys. */
  providerCredentials?: TenantCredentialSource;
  /** Default: nobody belongs to a tenant. */
  memberships?: MembershipStore;
  /** The cost optimizer's priors; default: none (Beta(1, 1)). */
  banditPriors?: BanditPriorSource;
  /** Session documents (share one between replicas as they would share the database); default: each data plane its own. */
  sessionDocuments?: SessionDocumentStore;
  /** The session window's durable snapshot; absent: none. */
  sessionSnapshot?: SessionSnapshotStore;
}

const noPolicies: ActivePolicySource = { activePolicy: async () => null, activePolicies: async () => [] };
const defaultSettings: TenantSettingsSource = { loadAll: async () => new Map(), load: async () => null };
const noCredentials: TenantCredentialSource = { tenantsWithProviderCredentials: async () => [], revealProviderCredentials: async () => new Map() };
const noMembers: MembershipStore = { resolveMemberships: async () => [] };

/** A table that is always loaded and never changes from the bus (tests change it by hand). */
function servedAsIs(table: RouteTable): ServedRouteTable {
  return {
    get: (tenantId, name) => table.get(tenantId, name),
    list: (tenantId) => table.list(tenantId),
    defaults: () => table.defaults(),
    load: async () => undefined,
    subscribe: async () => async () => undefined,
  };
}

/** The data plane's stores without a database, for tests: the same composition over in-memory data. */
export function inMemoryStores(options: InMemoryStoresOptions): DataPlaneStores {
  return {
    apiKeys: options.apiKeys,
    ...(options.apiKeyUse ? { apiKeyUse: options.apiKeyUse } : {}),
    priceBook: options.priceBook,
    policies: options.policies ?? noPolicies,
    tenantSettings: options.tenantSettings ?? defaultSettings,
    providerCredentials: options.providerCredentials ?? noCredentials,
    routeTable: (platformRoutes) => servedAsIs(options.routes ?? createInMemoryRouteTable(platformRoutes)),
    memberships: options.memberships ?? noMembers,
    ...(options.banditPriors ? { banditPriors: options.banditPriors } : {}),
    ...(options.sessionDocuments ? { sessionDocuments: options.sessionDocuments } : {}),
    ...(options.sessionSnapshot ? { sessionSnapshot: options.sessionSnapshot } : {}),
  };
}
