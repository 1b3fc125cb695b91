import type http from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { InternalTokenVerifier } from '@switchyard/identity';
import type { AuditLedger } from './audit-ledger';
import { createAuditService } from './audit-service';
import type { AuditContext } from './context';
import { createSubgraphHttpServer } from './http-server';
import { createConsoleLogger, type Logger } from './logger';
import { resolvers } from './resolvers/index';
import { subgraphName, typeDefs } from './type-defs';

export interface AuditSubgraphDeps {
  ledger: AuditLedger;
  /** Verifies the gateway's internal token for audience `subgraph:audit`. */
  verifyInternalToken: InternalTokenVerifier;
  logger?: Logger;
  introspection?: boolean;
}

export interface AuditSubgraph {
  /** Not listening yet; serves `POST /graphql`. */
  server: http.Server;
  close(): Promise<void>;
}

export function createAuditSubgraph(deps: AuditSubgraphDeps): AuditSubgraph {
  const service = createAuditService(deps.ledger);
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  return createSubgraphHttpServer<AuditContext>({
    schema,
    verifyInternalToken: deps.verifyInternalToken,
    logger: deps.logger ?? createConsoleLogger(`subgraph-${subgraphName}`),
    introspection: deps.introspection ?? false,
    createContext: (principal) => ({ principal, service }),
  });
}
