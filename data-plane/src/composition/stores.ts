import type { VectorMemory } from '@switchyard/vector-memory';
import { announceVectorMemoryChanges, createHnswVectorMemory, createPgvectorVectorMemory, expireVectorMemories } from '@switchyard/vector-memory/database';
import type { EngagedThrottle } from '../ingress/slo-throttle/slo-throttle';
import type { SessionSnapshotStore } from '@switchyard/memory/session';
import { createDatabaseSessionSnapshot, expireSessionSnapshots } from '@switchyard/memory/session/database';
import type { DataClassification } from '@switchyard/db/tenant-settings';
import type { Database } from '@switchyard/db';
import { createSecretVault } from '@switchyard/db/secret-vault';
import type { MembershipStore } from '@switchyard/identity';
import type { KeyManagementService } from '@switchyard/identity/envelope';
import { createDatabasePriceBookSource, type PriceBookSource } from '../accounting/price-book';
import type { TenantCredentialSource } from '../adapters/tenant-credentials/credential-cache';
import type { Bus, Unsubscribe } from '@switchyard/bus';
import { createDatabaseApiKeyResolver, type ApiKeyLastUsedSink, type ApiKeyResolver } from '@switchyard/identity/api-keys';
import { createDatabaseActivePolicySource, type ActivePolicySource } from '../policy/pdp/active-policy-source';
import { createDatabaseDecisionLogWriter, type DecisionLogWriter } from '../policy/pdp/decision-log';
import { createDatabaseRouteTable, type RouteTableLogger } from '../router/database-route-table';
import { createDatabaseBanditPriorSource } from '../router/database-bandit-priors';
import type { BanditPriorSource } from '../router/bandit-priors';
import type { Route } from '../router/route';
import type { RouteTable } from '../router/route-table';
import { createDatabaseTenantSettingsSource } from '../tenant-settings/database-settings-source';
import type { TenantSettingsSource } from '../tenant-settings/settings-cache';
import type { SessionDocumentStore } from '@switchyard/session-documents';
import { createPrismaSessionDocumentStore } from '@switchyard/session-documents/prisma';

/** A route table the data plane loads before serving and keeps fresh from the bus. */
export interface ServedRouteTable extends RouteTable {
  load(): Promise<void>;
  subscribe(bus: Bus): Promise<Unsubscribe>;
}

/**
 * Where the data plane reads what the admin plane stored: keys, prices, tenants' policies, routes,
 * settings, provider credentials and members. Production: {@link databaseStores}; tests may pass
 * in-memory ones (test-support/in-memory-stores.ts). The composition root builds the caches over them.
 */
export interface DataPlaneStores {
  apiKeys: ApiKeyResolver;
  /** Where API keys' last use is written (off the request path); absent: not recorded. */
  apiKeyUse?: ApiKeyLastUsedSink;
  priceBook: PriceBookSource;
  /** Tenants' active policies (policy subgraph). */
  policies: ActivePolicySource;
  /** Where decision requests are kept for policy dry runs; absent: not kept. */
  decisions?: DecisionLogWriter;
  tenantSettings: TenantSettingsSource;
  /** Tenants' own provider keys, decrypted (the secret vault). */
  providerCredentials: TenantCredentialSource;
  /** The platform's routes under each tenant's own (experiments subgraph). */
  routeTable(platformRoutes: readonly Route[], logger: RouteTableLogger): ServedRouteTable;
  /** People's tenants, for OIDC callers whose token names no tenant. */
  memberships: MembershipStore;
  /** The cost optimizer's bandit priors; absent: bandits start at Beta(1, 1). */
  banditPriors?: BanditPriorSource;
  /** Routes whose SLO pages now (SLO subgraph): the auto-throttle a starting replica applies; absent: none. */
  engagedSloThrottles?: () => Promise<EngagedThrottle[]>;
  /** The memory fabric's session documents (durable); absent: in this replica's memory only. */
  sessionDocuments?: SessionDocumentStore;
  /** The session window's durable snapshot (a Redis restart loses no conversation); absent: the fast store alone. */
  sessionSnapshot?: SessionSnapshotStore;
  /**
   * Opens the tenants' vector memories (on the database: pgvector in PGlite, or Postgres rows with
   * an HNSW index per replica kept current over `bus`); absent: in this process's memory.
   */
  vectorMemory?: (bus: Bus) => Promise<VectorMemory>;
  /**
   * Retention of the rest of the memory fabric (session window snapshot, vector memories), run by
   * the same sweep as the session documents; resolves with the rows deleted. `bus` tells the
   * replicas to drop in-process vector indexes of tenants that lost memories. Absent: nothing durable to sweep.
   */
  expireMemory?: (now: Date, retentionDays: Readonly<Record<DataClassification, number>>, bus: Bus) => Promise<number>;
}

/** Decision requests kept per tenant for dry runs (the newest). */
const DECISIONS_KEPT_PER_TENANT = 1000;

export interface DatabaseStoresOptions {
  /** Decrypts tenant secrets (the master keyring). */
  kms: KeyManagementService;
  /**
   * How often the route table reloads every route while subscribed, healing a missed routes.changed
   * (default: the route table's, 60 s; 0: never, for tests that must see routes arrive by the event).
   */
  routeResyncIntervalMs?: number;
}

/** Every store on the database. */
export function databaseStores(db: Database, options: DatabaseStoresOptions): DataPlaneStores {
  return {
    apiKeys: createDatabaseApiKeyResolver(db),
    apiKeyUse: db,
    priceBook: createDatabasePriceBookSource(db),
    policies: createDatabaseActivePolicySource(db),
    decisions: createDatabaseDecisionLogWriter(db, DECISIONS_KEPT_PER_TENANT),
    tenantSettings: createDatabaseTenantSettingsSource(db),
    providerCredentials: createSecretVault({ db, kms: options.kms }),
    routeTable: (platformRoutes, logger) =>
      createDatabaseRouteTable({ db, defaults: platformRoutes, logger, ...(options.routeResyncIntervalMs !== undefined ? { resyncIntervalMs: options.routeResyncIntervalMs } : {}) }),
    memberships: db,
    banditPriors: createDatabaseBanditPriorSource(db),
    sessionDocuments: createPrismaSessionDocumentStore(db),
    sessionSnapshot: createDatabaseSessionSnapshot(db),
    // PGlite carries pgvector; the Postgres servers here do not, so there the index lives in each replica (DESIGN.md §9).
    vectorMemory: async (bus) => (db.kind === 'pglite' ? createPgvectorVectorMemory(db) : createHnswVectorMemory(db, { bus })),
    expireMemory: async (now, retentionDays, bus) =>
      (await expireSessionSnapshots(db, now, retentionDays)) + (await expireVectorMemories(db, now, retentionDays, announceVectorMemoryChanges(bus))),
    engagedSloThrottles: async () => {
      // The latest transition per SLO, across tenants (platform scope: slo_transitions_platform_read).
      const latest = await db.withPlatform((tx) =>
        tx.sloTransition.findMany({ distinct: ['sloId'], orderBy: [{ sloId: 'asc' }, { seq: 'desc' }], select: { tenantId: true, sloId: true, route: true, state: true } }),
      );
      return latest.filter((row) => row.state === 'page').map(({ tenantId, sloId, route }) => ({ tenantId, sloId, route }));
    },
  };
}
