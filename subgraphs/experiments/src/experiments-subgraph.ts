import type http from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import type { InternalTokenVerifier } from '@switchyard/identity';
import { createConsoleLogger, type Logger } from '@switchyard/subgraph-kit/logger';
import { createBusAuditTrail, type RouteAuditTrail } from './audit-trail';
import type { ExperimentsContext } from './context';
import { createSubgraphHttpServer } from './http-server';
import { createExperimentsLoaders } from './loaders';
import { createPriceBookModelCatalog, type ModelCatalog } from './model-catalog';
import { resolvers } from './resolvers/index';
import { createRoutesService } from './routes-service';
import { tenantHomedElsewhere } from './errors';
import { createHomeRegionGuard } from '@switchyard/subgraph-kit/home-region';
import { createExperimentsService, type ExperimentsService } from './experiments-service';
import { startExperimentConsumer } from './experiment-consumer';
import { subgraphName, typeDefs } from './type-defs';

export interface ExperimentsSubgraphDeps {
  db: Database;
  /** Publishes `switchyard:routes.changed` and appends audit events. */
  bus: Bus;
  /** Verifies the gateway's internal token for audience `subgraph:experiments`. */
  verifyInternalToken: InternalTokenVerifier;
  /** What routes may name. Default: the price book's models, no platform routes. */
  catalog?: ModelCatalog;
  /** Default: the audit stream on `bus`. */
  audit?: RouteAuditTrail;
  logger?: Logger;
  introspection?: boolean;
  maxRoutesPerTenant?: number;
  now?: () => Date;
  /** SWITCHYARD_REGION: route and experiment changes of tenants homed in another region are refused here. Undefined: one region. */
  region?: string | undefined;
  /** Count usage events into per-arm statistics and decide (guardrails, auto-promotion); default true. */
  experimentConsumer?: boolean | { blockMs?: number; claimIdleMs?: number; consumerName?: string };
}

export interface ExperimentsSubgraph {
  /** Not listening yet; serves `POST /graphql`. */
  server: http.Server;
  close(): Promise<void>;
  experiments: ExperimentsService;
}

export function createExperimentsSubgraph(deps: ExperimentsSubgraphDeps): ExperimentsSubgraph {
  const logger = deps.logger ?? createConsoleLogger(`subgraph-${subgraphName}`);
  const homeGuard = createHomeRegionGuard({ db: deps.db, region: deps.region, refuse: tenantHomedElsewhere });
  const routes = createRoutesService({
    db: deps.db,
    bus: deps.bus,
    audit: deps.audit ?? createBusAuditTrail(deps.bus, logger),
    catalog: deps.catalog ?? createPriceBookModelCatalog(deps.db),
    logger,
    homeGuard,
    ...(deps.maxRoutesPerTenant !== undefined ? { maxRoutesPerTenant: deps.maxRoutesPerTenant } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const experiments = createExperimentsService({
    db: deps.db,
    bus: deps.bus,
    audit: deps.audit ?? createBusAuditTrail(deps.bus, logger),
    catalog: deps.catalog ?? createPriceBookModelCatalog(deps.db),
    logger,
    dataClassificationOf: async (tenantId) =>
      (await deps.db.withTenant(tenantId, (tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { defaultDataClassification: true } })))?.defaultDataClassification ?? 'internal',
    allowedRegionsOf: async (tenantId) =>
      (await deps.db.withTenant(tenantId, (tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { allowedRegions: true } })))?.allowedRegions ?? [],
    homeGuard,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  const http = createSubgraphHttpServer<ExperimentsContext>({
    schema,
    verifyInternalToken: deps.verifyInternalToken,
    logger,
    introspection: deps.introspection ?? false,
    createContext: (principal) => ({ principal, routes, experiments, loaders: createExperimentsLoaders(routes, principal, experiments) }),
  });
  const consumerOptions = deps.experimentConsumer ?? true;
  const consumer = consumerOptions === false ? null : startExperimentConsumer({ bus: deps.bus, service: experiments, logger, ...(consumerOptions === true ? {} : consumerOptions) });
  return {
    server: http.server,
    experiments,
    async close() {
      await consumer?.stop();
      await http.close();
    },
  };
}
