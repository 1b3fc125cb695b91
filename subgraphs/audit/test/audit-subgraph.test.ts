import { createPublicKey, verify } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { checkpointMessage } from '@switchyard/ledger';
import { verifyConsistency, verifyInclusion } from '@switchyard/ledger/node';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair, type InternalTokenSigner, type Principal, type Role } from '@switchyard/identity';
import { AUDIT_APPENDED_CHANNEL, AUDIT_STREAM } from '@switchyard/events/audit';
import { startAuditConsumer, type AuditConsumer } from '../src/audit-consumer';
import { databaseAnchor } from '../src/anchor';
import { generateAuditKeys } from '../src/audit-keys';
import { createAuditLedger, type AuditLedger } from '../src/audit-ledger';
import { createAuditSubgraph, type AuditSubgraph } from '../src/audit-subgraph';
import { createPrismaAuditStore } from '../src/prisma-audit-store';

const AUDIENCE = 'subgraph:audit';
const TENANT_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const TENANT_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Reply {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

let test: MemoryTestDatabase;
let bus: Bus;
let ledger: AuditLedger;
let consumer: AuditConsumer;
let subgraph: AuditSubgraph;
let signer: InternalTokenSigner;
let url: string;
const appendedHints: string[] = [];

const principal = (roles: Role[], tenantId: string | null): Principal => ({ subject: `user-${roles.join('-')}`, email: null, tenantId, roles, service: 'gateway' });
const platformAdmin = principal(['platform_admin'], null);
const adminA = principal(['tenant_admin'], TENANT_A);
const viewerA = principal(['viewer'], TENANT_A);

async function request(caller: Principal | null, query: string, variables: Record<string, unknown> = {}): Promise<Reply> {
  const bearer = caller ? await signer.sign(caller, AUDIENCE) : null;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Reply['body'] };
}
const codes = (reply: Reply) => (reply.body.errors ?? []).map((error) => error.extensions?.code);

async function waitFor(predicate: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not reached');
}

const ENTRIES = `query($filter: AuditEntryFilter, $first: Int, $after: String) {
  auditEntries(filter: $filter, first: $first, after: $after) { edges { cursor node { seq tenantId actor action payload payloadState entryHash } } pageInfo { hasNextPage endCursor } }
}`;

beforeAll(async () => {
  test = await createMemoryTestDatabase();
  bus = createInProcessBus();
  await bus.subscribe(AUDIT_APPENDED_CHANNEL, (message) => appendedHints.push(message));
  const store = createPrismaAuditStore(test.db);
  ledger = createAuditLedger({ store, keys: generateAuditKeys(), anchors: [databaseAnchor(store)], checkpointEvery: 4, checkpointIntervalMs: 0, onAppended: (entries) => {
    for (const entry of entries) if (entry.tenantId) void bus.publish(AUDIT_APPENDED_CHANNEL, JSON.stringify({ tenantId: entry.tenantId }));
  } });
  consumer = startAuditConsumer({ ledger, bus, logger: silent, blockMs: 20, retryDelayMs: 20 });
  const keys = await generateInternalKeyPair();
  signer = createInternalTokenSigner(keys.privateKey);
  subgraph = createAuditSubgraph({ ledger, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE), logger: silent });
  await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(subgraph.server.address() as AddressInfo).port}/graphql`;

  // Producers: the tenants subgraph on the audit stream, the data plane on the usage stream, plus junk.
  await bus.append(AUDIT_STREAM, JSON.stringify({ idempotencyKey: 'm-1', tenantId: null, actor: 'user:root', action: 'tenant.create', payload: { slug: 'a' } }));
  await bus.append(AUDIT_STREAM, JSON.stringify({ idempotencyKey: 'm-2', tenantId: TENANT_A, actor: 'user:root', action: 'api_key.create', payload: { keyId: 'k' } }));
  await bus.append(AUDIT_STREAM, 'not json');
  await bus.append(AUDIT_STREAM, JSON.stringify({ idempotencyKey: 'm-3', tenantId: TENANT_B, actor: 'user:root', action: 'api_key.revoke' }));
  await bus.append(AUDIT_STREAM, JSON.stringify({ idempotencyKey: 'm-2', tenantId: TENANT_A, actor: 'user:root', action: 'api_key.create' }));
  await bus.append(
    USAGE_STREAM,
    JSON.stringify({ requestId: 'req-1', tenantId: TENANT_A, apiKeyId: null, model: 'mock-gpt', provider: 'mock', promptTokens: 3, completionTokens: 5, priceBookVersion: 1, costMicros: '42', latencyMs: 7, status: 'ok', createdAt: '2026-03-01T12:00:00.000Z' }),
  );
  await waitFor(async () => (await ledger.store.size()) === 4);
});

afterAll(async () => {
  await consumer.stop();
  await subgraph.close();
  await ledger.close();
  await bus.close();
  await test.drop();
});

describe('audit subgraph', () => {
  it('appends stream events once each (junk dropped, replays ignored) and one entry per inference request', async () => {
    const reply = await request(platformAdmin, ENTRIES, { first: 10 });
    const nodes = (reply.body.data?.['auditEntries'] as { edges: Array<{ node: { seq: number; action: string; payload: string } }> }).edges.map((edge) => edge.node);
    expect(nodes.map((node) => node.seq)).toEqual([0, 1, 2, 3]);
    expect(nodes.map((node) => node.action).sort()).toEqual(['api_key.create', 'api_key.revoke', 'inference.request', 'tenant.create']);
    const inference = nodes.find((node) => node.action === 'inference.request');
    expect(JSON.parse(inference?.payload ?? '{}')).toMatchObject({ model: 'mock-gpt', costMicros: '42', status: 'ok', requestId: 'req-1' });
    expect(appendedHints).toContain(JSON.stringify({ tenantId: TENANT_A }));
  });

  it('pages with opaque cursors and filters', async () => {
    const first = await request(platformAdmin, ENTRIES, { first: 3 });
    const page = first.body.data?.['auditEntries'] as { pageInfo: { hasNextPage: boolean; endCursor: string } };
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await request(platformAdmin, ENTRIES, { first: 3, after: page.pageInfo.endCursor });
    expect((second.body.data?.['auditEntries'] as { edges: unknown[]; pageInfo: { hasNextPage: boolean } }).edges).toHaveLength(1);
    const filtered = await request(platformAdmin, ENTRIES, { filter: { action: 'api_key.revoke' } });
    expect((filtered.body.data?.['auditEntries'] as { edges: Array<{ node: { tenantId: string } }> }).edges.map((edge) => edge.node.tenantId)).toEqual([TENANT_B]);
    expect(codes(await request(platformAdmin, ENTRIES, { after: 'bm9wZQ' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await request(platformAdmin, ENTRIES, { first: 100_000 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await request(platformAdmin, ENTRIES, { filter: { subjectKey: "' OR 1=1 --" } }))).toEqual(['BAD_USER_INPUT']);
  });

  it('pages newest first towards older entries, and names no API key for people', async () => {
    const NEWEST = `query($first: Int, $after: String) {
      auditEntries(first: $first, after: $after, newestFirst: true) { edges { node { seq actorApiKey { id } } } pageInfo { hasNextPage endCursor } }
    }`;
    type Page = { edges: Array<{ node: { seq: number; actorApiKey: { id: string } | null } }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
    const first = (await request(platformAdmin, NEWEST, { first: 3 })).body.data?.['auditEntries'] as Page;
    expect(first.edges.map((edge) => edge.node.seq)).toEqual([3, 2, 1]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await request(platformAdmin, NEWEST, { first: 3, after: first.pageInfo.endCursor })).body.data?.['auditEntries'] as Page;
    expect(second.edges.map((edge) => edge.node.seq)).toEqual([0]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect([...first.edges, ...second.edges].map((edge) => edge.node.actorApiKey)).toEqual([null, null, null, null]);
  });

  it("shows a tenant admin only its own tenant's entries and refuses other roles and tenants", async () => {
    const own = await request(adminA, ENTRIES, {});
    const tenants = (own.body.data?.['auditEntries'] as { edges: Array<{ node: { tenantId: string } }> }).edges.map((edge) => edge.node.tenantId);
    expect(tenants.length).toBe(2);
    expect(tenants.every((tenantId) => tenantId === TENANT_A)).toBe(true);
    expect(codes(await request(adminA, ENTRIES, { filter: { tenantId: TENANT_B } }))).toEqual(['FORBIDDEN']);
    expect(codes(await request(viewerA, ENTRIES, {}))).toEqual(['FORBIDDEN']);
    const tenantBSeq = (await ledger.store.listEntries('platform', { tenantId: TENANT_B }, -1, 10))[0]?.seq;
    const other = await request(adminA, 'query($seq: Int!) { auditEntry(seq: $seq) { seq } }', { seq: tenantBSeq });
    expect(other.body.data?.['auditEntry']).toBeNull();
    expect((await request(platformAdmin, 'query($seq: Int!) { auditEntry(seq: $seq) { tenantId } }', { seq: tenantBSeq })).body.data?.['auditEntry']).toEqual({ tenantId: TENANT_B });
    expect(codes(await request(adminA, 'query($t: ID!) { latestAuditEntry(tenantId: $t) { seq } }', { t: TENANT_B }))).toEqual(['FORBIDDEN']);
    expect(codes(await request(adminA, 'query($seq: Int!) { inclusionProof(seq: $seq) { rootHash } }', { seq: tenantBSeq }))).toEqual(['NOT_FOUND']);
    expect((await request(null, ENTRIES)).status).toBe(401);
  });

  it('serves checkpoints and proofs that verify', async () => {
    const reply = await request(platformAdmin, '{ latestCheckpoint { logId treeSize rootHash issuedAt signature publicKey keyId } inclusionProof(seq: 1, treeSize: 4) { seq treeSize leafHash rootHash path } consistencyProof(oldSize: 2, newSize: 4) { oldRootHash newRootHash path } }');
    const data = reply.body.data as {
      latestCheckpoint: { logId: string; treeSize: number; rootHash: string; issuedAt: string; signature: string; publicKey: string; keyId: string };
      inclusionProof: { leafHash: string; rootHash: string; path: string[] };
      consistencyProof: { oldRootHash: string; newRootHash: string; path: string[] };
    };
    const hex = (value: string) => Buffer.from(value, 'hex');
    expect(data.latestCheckpoint.treeSize).toBe(4);
    // The published key verifies the signature over the exact checkpoint message.
    const publishedKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: data.latestCheckpoint.publicKey }, format: 'jwk' });
    const signature = Buffer.from(data.latestCheckpoint.signature, 'base64');
    expect(verify(null, checkpointMessage(data.latestCheckpoint), publishedKey, signature)).toBe(true);
    expect(verify(null, checkpointMessage({ ...data.latestCheckpoint, treeSize: 3 }), publishedKey, signature)).toBe(false);
    expect(data.latestCheckpoint.keyId).toBe(ledger.checkpointKey.keyId);
    expect(data.inclusionProof.rootHash).toBe(data.latestCheckpoint.rootHash);
    expect(verifyInclusion(hex(data.inclusionProof.leafHash), 1, 4, data.inclusionProof.path.map(hex), hex(data.inclusionProof.rootHash))).toBe(true);
    expect(verifyConsistency(2, 4, hex(data.consistencyProof.oldRootHash), hex(data.consistencyProof.newRootHash), data.consistencyProof.path.map(hex))).toBe(true);
    expect(codes(await request(platformAdmin, '{ inclusionProof(seq: 9, treeSize: 400) { rootHash } }'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await request(platformAdmin, '{ consistencyProof(oldSize: -1) { path } }'))).toEqual(['BAD_USER_INPUT']);
  });

  it('answers latestAuditEntry (the query behind auditAppended) and refuses subscriptions over HTTP', async () => {
    const latest = await request(adminA, 'query($t: ID!) { latestAuditEntry(tenantId: $t) { action } }', { t: TENANT_A });
    const newestOfA = (await ledger.store.listEntries('platform', { tenantId: TENANT_A }, -1, 10)).at(-1);
    expect(latest.body.data?.['latestAuditEntry']).toEqual({ action: newestOfA?.action });
    expect(codes(await request(adminA, 'subscription($t: ID!) { auditAppended(tenantId: $t) { seq } }', { t: TENANT_A }))).toContain('SUBSCRIPTION_VIA_GATEWAY');
  });
});
