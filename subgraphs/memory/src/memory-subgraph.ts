import type http from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Bus } from '@switchyard/bus';
import type { InternalTokenVerifier } from '@switchyard/identity';
import type { SessionDirectory, SessionWindow } from '@switchyard/memory/session';
import type { VectorMemory } from '@switchyard/vector-memory';
import type { MemoryContext } from './context';
import { createSubgraphHttpServer } from './http-server';
import { createConsoleLogger, type Logger } from './logger';
import { createMemoryService } from './memory-service';
import { resolvers } from './resolvers/index';
import { subgraphName, typeDefs } from './type-defs';

export interface MemorySubgraphDeps {
  bus: Bus;
  /** The session window the data plane writes (fast store behind the durable snapshot). */
  sessions: SessionWindow;
  directory: SessionDirectory;
  vectors: VectorMemory;
  /** Verifies the gateway's internal token for audience `subgraph:memory`. */
  verifyInternalToken: InternalTokenVerifier;
  logger?: Logger;
  introspection?: boolean;
  maxTurns?: number;
  now?: () => Date;
}

export interface MemorySubgraph {
  /** Not listening yet; serves `POST /graphql`. */
  server: http.Server;
  close(): Promise<void>;
}

export function createMemorySubgraph(deps: MemorySubgraphDeps): MemorySubgraph {
  const logger = deps.logger ?? createConsoleLogger(`subgraph-${subgraphName}`);
  const service = createMemoryService({
    sessions: deps.sessions,
    directory: deps.directory,
    vectors: deps.vectors,
    bus: deps.bus,
    logger,
    ...(deps.maxTurns ? { maxTurns: deps.maxTurns } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  return createSubgraphHttpServer<MemoryContext>({
    schema,
    verifyInternalToken: deps.verifyInternalToken,
    logger,
    introspection: deps.introspection ?? false,
    createContext: (principal) => ({ principal, service }),
  });
}
