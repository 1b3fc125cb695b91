// DataLoader batching proven against Postgres: the console's heaviest operations, through the real
// gateway and subgraphs, cost the same number of database round trips for a list of N tenants (or
// N keys, N policy versions, N audit entries by N API keys) as for a list of 1. Round trips are
// counted on the wire by a proxy in front of Postgres (every simple query and every Sync), so
// the count is what the drivers really send.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createDatabase, seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import {
  createAccessTokenVerifier,
  createInternalTokenSigner,
  createInternalTokenVerifier,
  generateInternalKeyPair,
  SWITCHYARD_API_RESOURCE,
  type InternalKeyPair,
} from '@switchyard/identity';
import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import { createAuditSubgraph, openAuditLedger, type AuditLedger } from '@switchyard/subgraph-audit';
import { createCostSubgraph } from '@switchyard/subgraph-cost';
import { createExperimentsSubgraph } from '@switchyard/subgraph-experiments';
import { createPolicySubgraph } from '@switchyard/subgraph-policy';
import { createTenantsSubgraph } from '@switchyard/subgraph-tenants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger';
import { createSupergraphServer, type SupergraphServer } from '../src/supergraph-server';
import { startCountingPostgresProxy, type CountingPostgresProxy } from '../src/test-support/counting-postgres-proxy';
import { postGraphQL } from '../src/test-support/gateway-under-test';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const TENANT_LIST = '{ tenants { id slug name apiKeys { id name } cost { totalRequests totalCostUsd } routes { name } } }';

let test: TestDatabase;
let proxy: CountingPostgresProxy;
let proxied: Database;
let issuer: TestIssuer;
let bus: Bus;
let ledger: AuditLedger;
let gateway: SupergraphServer;
let url: string;
let token: string;
let dataDir: string;
const closers: Array<() => Promise<void>> = [];
let pages: Record<'tenantOverview' | 'costDashboard24h' | 'auditExplorerPage' | 'policyPage', string>;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

function verifier(keys: InternalKeyPair, name: string) {
  return createInternalTokenVerifier(keys.publicKey, `subgraph:${name}`);
}

beforeAll(async () => {
  test = await createTestDatabase();
  await seed(test.db);
  proxy = await startCountingPostgresProxy(test.url);
  // The subgraphs' database goes through the proxy (both pools: platform and tenant role).
  proxied = await createDatabase({ url: proxy.url });
  issuer = await startTestIssuer();
  token = (await issuer.loginAsAdmin()).accessToken;
  bus = createInProcessBus();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-round-trips-'));
  const keys = await generateInternalKeyPair();
  ledger = await openAuditLedger({ db: proxied, bus, dataDir, checkpointIntervalMs: 3_600_000, logger: silent });
  const subgraphs = {
    tenants: createTenantsSubgraph({ db: proxied, bus, verifyInternalToken: verifier(keys, 'tenants'), logger: silent }),
    cost: createCostSubgraph({ db: proxied, bus, verifyInternalToken: verifier(keys, 'cost'), logger: silent }),
    experiments: createExperimentsSubgraph({ db: proxied, bus, verifyInternalToken: verifier(keys, 'experiments'), logger: silent }),
    policy: createPolicySubgraph({ db: proxied, bus, verifyInternalToken: verifier(keys, 'policy'), logger: silent }),
    audit: createAuditSubgraph({ ledger, verifyInternalToken: verifier(keys, 'audit'), logger: silent }),
  };
  const urls: Record<string, string> = {};
  for (const [name, subgraph] of Object.entries(subgraphs)) {
    closers.push(() => subgraph.close());
    urls[name] = await listen(subgraph.server);
  }
  gateway = createSupergraphServer({
    subgraphs: { tenants: urls['tenants'] as string, cost: urls['cost'] as string, experiments: urls['experiments'] as string, policy: urls['policy'] as string, audit: urls['audit'] as string },
    signer: createInternalTokenSigner(keys.privateKey),
    verifyAccessToken: createAccessTokenVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE }),
    bus,
    corsOrigins: [],
    introspection: false,
    logger: silentLogger,
  });
  await gateway.ready;
  url = await listen(gateway.server);
  const manifest = JSON.parse(await readFile(new URL('../persisted-operations.json', import.meta.url), 'utf8')) as { operations: Record<string, { name: string; document: string }> };
  const documentOf = (name: string) => {
    const found = Object.values(manifest.operations).find((operation) => operation.name === name);
    if (!found) throw new Error(`no persisted operation ${name}`);
    return found.document;
  };
  pages = {
    tenantOverview: documentOf('ConsoleTenant'),
    costDashboard24h: documentOf('ConsoleCostSummary'),
    auditExplorerPage: documentOf('ConsoleAuditEntries'),
    policyPage: documentOf('ConsolePolicyVersions'),
  };
});

afterAll(async () => {
  await gateway?.close();
  for (const close of closers) await close().catch(() => undefined);
  await ledger?.close();
  await proxied?.close();
  await proxy?.close();
  await bus?.close();
  await issuer?.close();
  await test?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function graphql(query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const reply = await postGraphQL(url, { query, variables }, { token });
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data as Record<string, unknown>;
}

/** Round trips of one operation, measured on its second run (the first opens pooled connections). */
async function roundTripsOf(query: string, variables: Record<string, unknown> = {}): Promise<number> {
  await graphql(query, variables);
  proxy.reset();
  await graphql(query, variables);
  return proxy.roundTrips();
}

/** A tenant with `keys` API keys, cost in the last minutes, `policies` policy versions and one audit entry per key (written past the proxy). */
async function addTenant(slug: string, keys: number, policies: number): Promise<{ id: string; slug: string; keyIds: string[] }> {
  const created = (await graphql('mutation ($input: CreateTenantInput!) { createTenant(input: $input) { id } }', { input: { slug, name: slug } })) as { createTenant: { id: string } };
  const tenantId = created.createTenant.id;
  return addToTenant({ id: tenantId, slug, keyIds: [] }, keys, policies, 0);
}

async function addToTenant(tenant: { id: string; slug: string; keyIds: string[] }, keys: number, policies: number, policiesBefore: number) {
  for (let i = 0; i < keys; i += 1) {
    const key = (await graphql('mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }', {
      input: { tenantId: tenant.id, name: `key ${tenant.keyIds.length}`, scopes: ['admin:read'] },
    })) as { createApiKey: { apiKey: { id: string } } };
    tenant.keyIds.push(key.createApiKey.apiKey.id);
    await ledger.append({ idempotencyKey: randomUUID(), tenantId: tenant.id, actor: `api-key:${key.createApiKey.apiKey.id}`, action: 'api_key.used' });
  }
  await test.db.withTenant(tenant.id, async (tx) => {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000);
    await tx.costRollup.upsert({
      where: { tenantId_bucketStart_model: { tenantId: tenant.id, bucketStart: minute, model: `m-${tenant.keyIds.length}` } },
      create: { tenantId: tenant.id, bucketStart: minute, model: `m-${tenant.keyIds.length}`, requests: 3, promptTokens: 10n, completionTokens: 5n, costMicros: 42n },
      update: {},
    });
    for (let v = policiesBefore + 1; v <= policiesBefore + policies; v += 1) {
      await tx.policyVersion.create({ data: { tenantId: tenant.id, version: v, text: `// v${v}`, status: 'superseded', proposedBy: 'seed' } });
    }
  });
  return tenant;
}

describe('database round trips per operation (DataLoader batching)', () => {
  it('a list of N tenants, and the console pages over N rows, cost what a list of 1 costs', async () => {
    // The seed's demo tenant exists: drop nothing, start from what a fresh install has (1 tenant).
    const tenantCount = ((await graphql('{ tenants { id } }')) as { tenants: unknown[] }).tenants.length;
    expect(tenantCount).toBe(1);
    const first = await addTenant(`rt-${randomUUID().slice(0, 6)}`, 1, 1);
    // Two tenants now (the demo one and `first`): the smallest list; the comparison below is 2 → 6.
    const variablesOf = {
      tenantOverview: { slug: first.slug },
      costDashboard24h: { tenantId: first.id, window: 'LAST_24_HOURS' },
      auditExplorerPage: { first: 50 },
      policyPage: { tenantId: first.id },
    };
    // One operation at a time, so no count includes another's.
    const measureAll = async () => {
      const counts: Record<string, number> = { tenantList: await roundTripsOf(TENANT_LIST) };
      for (const name of Object.keys(pages) as Array<keyof typeof pages>) counts[name] = await roundTripsOf(pages[name], variablesOf[name]);
      return counts;
    };
    const before = await measureAll();

    // N = 4 more tenants with keys, cost and audit entries; `first` gets 4 more keys and policy versions.
    for (let i = 0; i < 4; i += 1) await addTenant(`rt-${randomUUID().slice(0, 6)}`, 1, 1);
    await addToTenant(first, 4, 4, 1);
    const listed = (await graphql(TENANT_LIST)) as { tenants: Array<{ apiKeys: unknown[]; cost: { totalRequests: number } }> };
    expect(listed.tenants).toHaveLength(6);
    expect(listed.tenants.filter((tenant) => tenant.apiKeys.length > 0)).toHaveLength(5);
    expect(listed.tenants.filter((tenant) => tenant.cost.totalRequests > 0)).toHaveLength(5);
    const audit = (await graphql(pages.auditExplorerPage, variablesOf.auditExplorerPage)) as { auditEntries: { edges: Array<{ node: { actorApiKey: { id: string } | null } }> } };
    // Entries by 9 different API keys of 5 tenants, each key resolved by the tenants subgraph.
    expect(new Set(audit.auditEntries.edges.map((edge) => edge.node.actorApiKey?.id).filter(Boolean)).size).toBe(9);

    const after = await measureAll();
    expect(after).toEqual(before);
    // And small, counted exactly so that any added round trip fails here. A tenant-scope read is
    // BEGIN with the scope statement (one round trip, deferred-begin.ts), the reads, COMMIT; a
    // platform admin's batch read is one statement per read, without a transaction.
    process.stderr.write(`round trips per operation: ${JSON.stringify(after)}\n`);
    expect(after).toEqual({
      // tenants, their keys, their cost rollups (client and shadow in one statement), routes: one each (was 7)
      tenantList: 4,
      tenantOverview: 2,
      // BEGIN + scope, the rollups summed per 15-minute bucket (one statement), COMMIT (was 5)
      costDashboard24h: 3,
      // the page of entries, their payload keys, the actors' API keys: one statement each, no transaction (was 5)
      auditExplorerPage: 3,
      // BEGIN + scope, policy versions, COMMIT (was 4)
      policyPage: 3,
    });
  });
});
