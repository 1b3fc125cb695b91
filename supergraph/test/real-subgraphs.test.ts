import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { USAGE_STREAM, type UsageEvent } from '@switchyard/events/usage';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import {
  createAccessTokenVerifier,
  createInternalTokenSigner,
  createInternalTokenVerifier,
  generateInternalKeyPair,
  SWITCHYARD_API_RESOURCE,
} from '@switchyard/identity';
import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import { createCostSubgraph, startUsageConsumer, type UsageConsumer } from '@switchyard/subgraph-cost';
import { createTenantsSubgraph } from '@switchyard/subgraph-tenants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger';
import { createSupergraphServer, type SupergraphServer } from '../src/supergraph-server';
import { postGraphQL } from '../src/test-support/gateway-under-test';
import { collect, connect } from '../src/test-support/ws-client';

/**
 * The gateway over the real tenants and cost subgraphs (in-memory PGlite, in-process bus): one
 * federated query spans both, and a usage event written by the cost consumer reaches a
 * subscriber through the bus.
 */
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let issuer: TestIssuer;
let database: MemoryTestDatabase;
let bus: Bus;
let consumer: UsageConsumer;
let gateway: SupergraphServer;
let url: string;
let wsUrl: string;
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
  bus = createInProcessBus();
  const keys = await generateInternalKeyPair();

  const tenants = createTenantsSubgraph({ db: database.db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:tenants'), logger: silent });
  const cost = createCostSubgraph({ db: database.db, bus, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:cost'), logger: silent });
  closers.push(tenants.close, cost.close);
  const urls = { tenants: await listen(tenants.server), cost: await listen(cost.server) };
  consumer = startUsageConsumer({ db: database.db, bus, consumerName: 'test', blockMs: 20, logger: silent });

  gateway = createSupergraphServer({
    subgraphs: urls,
    signer: createInternalTokenSigner(keys.privateKey),
    verifyAccessToken: createAccessTokenVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE }),
    bus,
    corsOrigins: [],
    introspection: false,
    logger: silentLogger,
  });
  await gateway.ready;
  url = await listen(gateway.server);
  wsUrl = url.replace('http://', 'ws://');
});

afterAll(async () => {
  await gateway?.close();
  await consumer?.stop();
  for (const close of closers) await close().catch(() => undefined);
  await bus?.close();
  await database?.drop();
  await issuer?.close();
});

function usageEvent(tenantId: string): UsageEvent {
  return {
    requestId: `req-${randomUUID()}`,
    tenantId,
    apiKeyId: null,
    model: 'mock-gpt',
    provider: 'mock',
    promptTokens: 100,
    completionTokens: 50,
    priceBookVersion: 1,
    costMicros: '125',
    latencyMs: 12,
    status: 'ok',
    createdAt: new Date().toISOString(),
  };
}

describe('gateway over the real subgraphs', () => {
  it('creates a tenant, federates tenants with cost, and streams cost after usage is recorded', async () => {
    const slug = `t-${randomUUID().slice(0, 8)}`;
    const created = await postGraphQL(url, { query: 'mutation ($input: CreateTenantInput!) { createTenant(input: $input) { id slug } }', variables: { input: { slug, name: 'Acme' } } }, { token: adminToken });
    expect(created.body.errors).toBeUndefined();
    const tenantId = (created.body.data?.['createTenant'] as { id: string }).id;

    const federated = await postGraphQL(url, { query: 'query ($slug: String!) { tenant(slug: $slug) { slug cost { totalRequests } } }', variables: { slug } }, { token: adminToken });
    expect(federated.body).toEqual({ data: { tenant: { slug, cost: { totalRequests: 0 } } } });

    const client = connect(wsUrl, adminToken);
    const sub = collect(client, 'subscription ($id: ID!) { costUpdated(tenantId: $id) { totalRequests promptTokens } }', { id: tenantId });
    await sub.until((results) => results.length === 1);
    expect(sub.results[0]).toEqual({ data: { costUpdated: { totalRequests: 0, promptTokens: 0 } } });

    await bus.append(USAGE_STREAM, JSON.stringify(usageEvent(tenantId)));
    await sub.until((results) => (results.at(-1)?.data as { costUpdated?: { totalRequests: number } } | undefined)?.costUpdated?.totalRequests === 1);
    expect(sub.results.at(-1)).toEqual({ data: { costUpdated: { totalRequests: 1, promptTokens: 100 } } });
    sub.stop();
    await client.dispose();
  });
});
