import type http from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import type { InternalTokenVerifier } from '@switchyard/identity';
import type { CostContext } from './context';
import { createCostService } from './cost-service';
import { createSavingsService } from './savings-service';
import { createRequestLogService } from './request-log/request-log-service';
import { createSubgraphHttpServer } from './http-server';
import { createCostSummaryLoader } from './loaders';
import { createConsoleLogger } from './logger';
import type { Logger } from './logger';
import { resolvers } from './resolvers/index';
import { subgraphName, typeDefs } from './type-defs';

export interface CostSubgraphDeps {
  db: Database;
  /** runCostOptimizer publishes optimizer.run-requested on it; the usage consumer publishes cost.updated. */
  bus: Bus;
  /** Verifies the gateway's internal token for audience `subgraph:cost`. */
  verifyInternalToken: InternalTokenVerifier;
  logger?: Logger;
  introspection?: boolean;
  /** Injectable clock for tests. */
  now?: () => Date;
}

export interface CostSubgraph {
  /** Not listening yet; serves `POST /graphql`. */
  server: http.Server;
  close(): Promise<void>;
}

export function createCostSubgraph(deps: CostSubgraphDeps): CostSubgraph {
  const service = createCostService({ db: deps.db, ...(deps.now ? { now: deps.now } : {}) });
  const logger = deps.logger ?? createConsoleLogger(`subgraph-${subgraphName}`);
  const savings = createSavingsService({ db: deps.db, bus: deps.bus, logger });
  const requestLog = createRequestLogService({ db: deps.db, ...(deps.now ? { now: deps.now } : {}) });
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  return createSubgraphHttpServer<CostContext>({
    schema,
    verifyInternalToken: deps.verifyInternalToken,
    logger,
    introspection: deps.introspection ?? false,
    createContext: (principal) => ({ principal, service, savings, requestLog, costSummaries: createCostSummaryLoader(service, principal) }),
  });
}
