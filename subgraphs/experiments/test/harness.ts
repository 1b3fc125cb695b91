import { createInProcessBus, type Bus } from '@switchyard/bus';
import { ROUTES_CHANGED_CHANNEL } from '@switchyard/events/routing';
import type { Database } from '@switchyard/db';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair } from '@switchyard/identity';
import type { InternalTokenSigner } from '@switchyard/identity';
import type { Logger } from '@switchyard/subgraph-kit/logger';
import { createGraphQLRequest, listenOnLoopback } from '@switchyard/subgraph-kit/testing';
export { PLATFORM_ADMIN, errorCodes, principalOf } from '@switchyard/subgraph-kit/testing';
import type { GraphQLReply as KitGraphQLReply, GraphQLRequest } from '@switchyard/subgraph-kit/testing';
import { createExperimentsSubgraph } from '../src/experiments-subgraph';
import { createPriceBookModelCatalog } from '../src/model-catalog';

export const AUDIENCE = 'subgraph:experiments';
/** Platform routes the catalog knows (a tenant route may fall back to them). */
export const PLATFORM_ROUTE_NAMES = ['auto', 'cheapest'];

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; currentVersion?: number; homeRegion?: string; region?: string; issues?: { field: string; message: string }[] };
}

export type GraphQLReply = KitGraphQLReply<GraphQLError>;

export interface ExperimentsHarness {
  bus: Bus;
  signer: InternalTokenSigner;
  /** Messages published on `switchyard:routes.changed`, in order. */
  published: string[];
  logged: { message: string; details: object }[];
  request: GraphQLRequest<GraphQLReply>;
  close(): Promise<void>;
}

/** Starts the subgraph on 127.0.0.1:0 over `db` (the caller owns it) with an in-process bus unless given one. */
export async function startExperimentsHarness(db: Database, options: { bus?: Bus; maxRoutesPerTenant?: number; region?: string } = {}): Promise<ExperimentsHarness> {
  const bus = options.bus ?? createInProcessBus();
  const published: string[] = [];
  const unsubscribe = await bus.subscribe(ROUTES_CHANGED_CHANNEL, (message) => published.push(message));
  const keys = await generateInternalKeyPair();
  const signer = createInternalTokenSigner(keys.privateKey);
  const logged: { message: string; details: object }[] = [];
  const logger: Logger = {
    info: () => undefined,
    warn: (details, message) => logged.push({ message, details }),
    error: (details, message) => logged.push({ message, details }),
  };
  const subgraph = createExperimentsSubgraph({
    db,
    bus,
    verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE),
    catalog: createPriceBookModelCatalog(db, PLATFORM_ROUTE_NAMES),
    logger,
    ...(options.maxRoutesPerTenant !== undefined ? { maxRoutesPerTenant: options.maxRoutesPerTenant } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
  const url = await listenOnLoopback(subgraph.server);
  return {
    bus,
    signer,
    published,
    logged,
    request: createGraphQLRequest<GraphQLReply>(url, signer, AUDIENCE),
    async close() {
      await subgraph.close();
      await unsubscribe();
      if (!options.bus) await bus.close();
    },
  };
}

export const ROUTE_FIELDS = 'id tenantId name definition candidates { model provider weight priority } strategy fallbacks version createdBy updatedBy createdAt updatedAt';
export const CREATE = `mutation ($input: CreateRouteInput!) { createRoute(input: $input) { ${ROUTE_FIELDS} } }`;
export const UPDATE = `mutation ($input: UpdateRouteInput!) { updateRoute(input: $input) { ${ROUTE_FIELDS} } }`;
export const DELETE = `mutation ($input: DeleteRouteInput!) { deleteRoute(input: $input) { ${ROUTE_FIELDS} } }`;
export const LIST = `query ($tenantId: ID!) { routes(tenantId: $tenantId) { ${ROUTE_FIELDS} } }`;
export const ONE = `query ($tenantId: ID!, $name: String!) { route(tenantId: $tenantId, name: $name) { ${ROUTE_FIELDS} } }`;

export interface RouteReply {
  id: string;
  tenantId: string;
  name: string;
  definition: string;
  candidates: { model: string; provider: string | null; weight: number | null; priority: number | null }[];
  strategy: string;
  fallbacks: string[];
  version: number;
  createdBy: string;
  updatedBy: string;
}

export const definition = (models: string[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ candidates: models.map((model) => ({ model })), strategy: { kind: 'priority' }, ...extra });
