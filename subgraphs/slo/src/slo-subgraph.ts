import type http from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import type { InternalTokenVerifier } from '@switchyard/identity';
import type { SliCounters } from '@switchyard/slo/counters';
import type { SloContext } from './context';
import { createSubgraphHttpServer } from './http-server';
import { createConsoleLogger, type Logger } from './logger';
import { resolvers } from './resolvers/index';
import { createSloService } from './slo-service';
import { subgraphName, typeDefs } from './type-defs';

export interface SloSubgraphDeps {
  db: Database;
  bus: Bus;
  /** The shared SLI counters (Redis, or in-process on the embedded default). */
  counters: SliCounters;
  /** Verifies the gateway's internal token for audience `subgraph:slo`. */
  verifyInternalToken: InternalTokenVerifier;
  logger?: Logger;
  introspection?: boolean;
  now?: () => Date;
}

export interface SloSubgraph {
  /** Not listening yet; serves `POST /graphql`. */
  server: http.Server;
  close(): Promise<void>;
}

export function createSloSubgraph(deps: SloSubgraphDeps): SloSubgraph {
  const logger = deps.logger ?? createConsoleLogger(`subgraph-${subgraphName}`);
  const service = createSloService({ db: deps.db, bus: deps.bus, counters: deps.counters, logger, ...(deps.now ? { now: deps.now } : {}) });
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  return createSubgraphHttpServer<SloContext>({
    schema,
    verifyInternalToken: deps.verifyInternalToken,
    logger,
    introspection: deps.introspection ?? false,
    createContext: (principal) => ({ principal, service }),
  });
}
