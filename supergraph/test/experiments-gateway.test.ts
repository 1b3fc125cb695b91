import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { seed } from '@switchyard/db';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { createAccessTokenVerifier, createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair, SWITCHYARD_API_RESOURCE } from '@switchyard/identity';
import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import { createExperimentsSubgraph } from '@switchyard/subgraph-experiments';
import { createTenantsSubgraph } from '@switchyard/subgraph-tenants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger';
import { createSupergraphServer, type SupergraphServer } from '../src/supergraph-server';
import { postGraphQL } from '../src/test-support/gateway-under-test';

/** The gateway over the real tenants and experiments subgraphs: routes are reachable and federate onto Tenant. */
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let issuer: TestIssuer;
let database: MemoryTestDatabase;
let bus: Bus;
let gateway: SupergraphServer;
let url: string;
let adminToken: string;
const closers: (() => Promise<void>)[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

beforeAll(async () => {
  issuer = await startTestIssuer();
  adminToken = (await issuer.loginAsAdmin()).accessToken;
  database = await createMemoryTestDatabase();
  await seed(database.db);
  bus = createInProcessBus();
  const keys = await generateInternalKeyPair();
  const tenants = createTenantsSubgraph({ db: database.db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:tenants'), logger: silent });
  const experiments = createExperimentsSubgraph({ db: database.db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:experiments'), logger: silent });
  closers.push(tenants.close, experiments.close);
  gateway = createSupergraphServer({
    subgraphs: { tenants: await listen(tenants.server), cost: 'http://127.0.0.1:9/graphql', experiments: await listen(experiments.server) },
    signer: createInternalTokenSigner(keys.privateKey),
    verifyAccessToken: createAccessTokenVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE }),
    bus,
    corsOrigins: [],
    introspection: false,
    logger: silentLogger,
  });
  await gateway.ready;
  url = await listen(gateway.server);
});

afterAll(async () => {
  await gateway?.close();
  for (const close of closers) await close().catch(() => undefined);
  await bus?.close();
  await database?.drop();
  await issuer?.close();
});

describe('gateway over the experiments subgraph', () => {
  it('creates a route and reads it federated onto the tenant; validation errors keep their code and field', async () => {
    const slug = `r-${randomUUID().slice(0, 8)}`;
    const created = await postGraphQL(url, { query: 'mutation ($input: CreateTenantInput!) { createTenant(input: $input) { id } }', variables: { input: { slug, name: 'Routes' } } }, { token: adminToken });
    const tenantId = (created.body.data?.['createTenant'] as { id: string }).id;
    const createRoute = 'mutation ($input: CreateRouteInput!) { createRoute(input: $input) { name version strategy } }';
    const definition = JSON.stringify({ candidates: [{ model: 'mock-mini' }], strategy: { kind: 'cheapest' } });
    const route = await postGraphQL(url, { query: createRoute, variables: { input: { tenantId, name: 'thrifty', definition } } }, { token: adminToken });
    expect(route.body).toEqual({ data: { createRoute: { name: 'thrifty', version: 1, strategy: 'cheapest' } } });

    const federated = await postGraphQL(url, { query: 'query ($slug: String!) { tenant(slug: $slug) { slug routes { name candidates { model } } } }', variables: { slug } }, { token: adminToken });
    expect(federated.body).toEqual({ data: { tenant: { slug, routes: [{ name: 'thrifty', candidates: [{ model: 'mock-mini' }] }] } } });

    const invalid = await postGraphQL(url, { query: createRoute, variables: { input: { tenantId, name: 'typo', definition: JSON.stringify({ candidates: [{ model: 'mock-mni' }], strategy: { kind: 'priority' } }) } } }, { token: adminToken });
    expect(invalid.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'definition.candidates.0.model' });
  });
});
