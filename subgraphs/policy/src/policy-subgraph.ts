import type http from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import type { InternalTokenVerifier } from '@switchyard/identity';
import { createBusAuditTrail, type PolicyAuditTrail } from './audit-trail';
import type { PolicyContext } from './context';
import { createSubgraphHttpServer } from './http-server';
import { createConsoleLogger } from './logger';
import type { Logger } from './logger';
import { createPolicyService } from './policy-service';
import { tenantHomedElsewhere } from './errors';
import { createHomeRegionGuard } from '@switchyard/subgraph-kit/home-region';
import { resolvers } from './resolvers/index';
import { subgraphName, typeDefs } from './type-defs';

export interface PolicySubgraphDeps {
  db: Database;
  /** Publishes `switchyard:policy.changed` and appends audit events. */
  bus: Bus;
  /** Verifies the gateway's internal token for audience `subgraph:policy`. */
  verifyInternalToken: InternalTokenVerifier;
  logger?: Logger;
  /** Default: the audit stream on `bus`. */
  audit?: PolicyAuditTrail;
  introspection?: boolean;
  now?: () => Date;
  /** SWITCHYARD_REGION: policy changes of tenants homed in another region are refused here. Undefined: one region. */
  region?: string | undefined;
}

export interface PolicySubgraph {
  /** Not listening yet; serves `POST /graphql`. */
  server: http.Server;
  close(): Promise<void>;
}

export function createPolicySubgraph(deps: PolicySubgraphDeps): PolicySubgraph {
  const logger = deps.logger ?? createConsoleLogger(`subgraph-${subgraphName}`);
  const service = createPolicyService({
    db: deps.db,
    bus: deps.bus,
    audit: deps.audit ?? createBusAuditTrail(deps.bus, logger),
    logger,
    homeGuard: createHomeRegionGuard({ db: deps.db, region: deps.region, refuse: tenantHomedElsewhere }),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  return createSubgraphHttpServer<PolicyContext>({
    schema,
    verifyInternalToken: deps.verifyInternalToken,
    logger,
    introspection: deps.introspection ?? false,
    createContext: (principal) => ({ principal, service }),
  });
}
