import type http from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Bus } from '@switchyard/bus';
import type { RandomSource } from '@switchyard/ledger';
import type { Database } from '@switchyard/db';
import type { InternalTokenVerifier } from '@switchyard/identity';
import type { DpContext } from './context';
import { createDpService } from './dp-service';
import type { DpService } from './dp-service';
import { startExpiryJob } from './expiry-job';
import type { ExpiryJob } from './expiry-job';
import { createSubgraphHttpServer } from './http-server';
import { createConsoleLogger } from './logger';
import type { Logger } from './logger';
import { createDpMetrics } from './metrics';
import type { DpMetrics } from './metrics';
import { resolvers } from './resolvers/index';
import { subgraphName, typeDefs } from './type-defs';

export interface DpSubgraphDeps {
  db: Database;
  /** Where `switchyard:dp.budget-changed` events go (the gateway turns them into subscriptions). */
  bus: Bus;
  /** Verifies the gateway's internal token for audience `subgraph:dp`. */
  verifyInternalToken: InternalTokenVerifier;
  logger?: Logger;
  introspection?: boolean;
  /** Tenant ids and dataset names as metric label values (METRICS_TENANT_LABELS=on); default off. */
  metricsTenantLabels?: boolean;
  /** Sweep interval of the reservation expiry job; 0 disables the job (tests sweep by hand). */
  expirySweepMs?: number;
  /** Test seams. */
  random?: RandomSource;
  now?: () => Date;
}

export interface DpSubgraph {
  /** Not listening yet; serves `POST /graphql` (metrics are `metrics.registry`, for the operator metrics listener). */
  server: http.Server;
  service: DpService;
  metrics: DpMetrics;
  /** Null when the expiry job is disabled. */
  expiry: ExpiryJob | null;
  close(): Promise<void>;
}

export function createDpSubgraph(deps: DpSubgraphDeps): DpSubgraph {
  const logger = deps.logger ?? createConsoleLogger(`subgraph-${subgraphName}`);
  const metrics = createDpMetrics({ tenantLabels: deps.metricsTenantLabels ?? false });
  const service = createDpService({
    db: deps.db,
    bus: deps.bus,
    metrics,
    logger,
    ...(deps.random ? { random: deps.random } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  const http = createSubgraphHttpServer<DpContext>({
    schema,
    verifyInternalToken: deps.verifyInternalToken,
    logger,
    introspection: deps.introspection ?? false,
    createContext: (principal) => ({ principal, service }),
  });
  const sweepMs = deps.expirySweepMs ?? 5_000;
  const expiry = sweepMs > 0 ? startExpiryJob({ service, logger, intervalMs: sweepMs }) : null;
  return {
    server: http.server,
    service,
    metrics,
    expiry,
    async close() {
      await expiry?.stop();
      await http.close();
    },
  };
}
