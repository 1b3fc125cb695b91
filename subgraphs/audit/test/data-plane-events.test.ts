import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEventInput, AUDIT_STREAM } from '@switchyard/events/audit';
import { USAGE_STREAM, type UsageEvent } from '@switchyard/events/usage';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { apiKeyIdentity } from '@switchyard/subgraph-kit/audit-actor';
import { databaseAnchor } from '../src/anchor';
import { startAuditConsumer, type AuditConsumer } from '../src/audit-consumer';
import { generateAuditKeys } from '../src/audit-keys';
import { createAuditLedger, type AuditLedger } from '../src/audit-ledger';
import { createPrismaAuditStore } from '../src/prisma-audit-store';
import { parseAuditStreamEntry, parseUsageStreamEntry } from '../src/stream-events';

/** The events the data plane produces (policy denials, routed inference) as the audit log takes them. */
const TENANT = '33333333-3333-4333-8333-333333333333';
const KEY = '44444444-4444-4444-8444-444444444444';
// A policy denial as the data plane publishes it (its own test parses its denials with the same
// auditEventSchema of @switchyard/events/audit).
const denial: AuditEventInput = {
  idempotencyKey: 'policy-denied:req-denied',
  tenantId: TENANT,
  actor: `api-key:${KEY}`,
  action: 'policy.denied',
  subjectId: null,
  dataClassification: 'internal',
  payload: { requestId: 'req-denied', model: 'mock-large', route: 'mock-large', determiningPolicies: ['no-large'], policyVersion: 2 },
  occurredAt: '2026-03-01T12:00:00.000Z',
};
const routed: UsageEvent = {
  requestId: 'req-routed',
  tenantId: TENANT,
  apiKeyId: KEY,
  model: 'mock-mini',
  provider: 'mock',
  promptTokens: 3,
  completionTokens: 5,
  priceBookVersion: 1,
  costMicros: '42',
  latencyMs: 7,
  status: 'ok',
  createdAt: '2026-03-01T12:00:01.000Z',
  route: {
    name: 'smart',
    configured: true,
    strategy: 'priority',
    candidate: 'mock/mock-mini',
    legs: [{ upstream: 'mock/mock-mini', model: 'mock-mini', outcome: 'won', promptTokens: 3, completionTokens: 5 }],
  },
};
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('data-plane events against the audit schema', () => {
  it('parses a policy denial with auditEventSchema', () => {
    const parsed = parseAuditStreamEntry(JSON.stringify(denial));
    expect(parsed).toMatchObject({
      ok: true,
      event: { action: 'policy.denied', actor: apiKeyIdentity(KEY), tenantId: TENANT, idempotencyKey: 'policy-denied:req-denied', payload: { determiningPolicies: ['no-large'], model: 'mock-large' } },
    });
  });

  it("keys the inference entry on the data plane's request id and keeps the client's x-request-id beside it", () => {
    const first = parseUsageStreamEntry(JSON.stringify({ ...routed, requestId: 'dp-1', clientRequestId: 'same-id' }));
    const second = parseUsageStreamEntry(JSON.stringify({ ...routed, requestId: 'dp-2', clientRequestId: 'same-id' }));
    expect(first).toMatchObject({ ok: true, event: { idempotencyKey: 'inference:dp-1', payload: { requestId: 'dp-1', clientRequestId: 'same-id' } } });
    expect(second).toMatchObject({ ok: true, event: { idempotencyKey: 'inference:dp-2' } });
  });

  it('puts the routing decision into the inference entry', () => {
    const parsed = parseUsageStreamEntry(JSON.stringify(routed));
    expect(parsed).toMatchObject({ ok: true, event: { action: 'inference.request', payload: { route: { name: 'smart', strategy: 'priority', candidate: 'mock/mock-mini' }, model: 'mock-mini' } } });
  });

  it("names the experiment arm of a shadow copy or an experiment judge's call", () => {
    const experiment = { experimentId: '5e1b2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e', arm: 'challenger', shadow: true, judge: true };
    const parsed = parseUsageStreamEntry(JSON.stringify({ ...routed, requestId: 'dp-9:judge:challenger', model: 'mock-judge', experiment }));
    expect(parsed.ok && parsed.event.payload).toMatchObject({ requestId: 'dp-9:judge:challenger', model: 'mock-judge', experiment });
    const plain = parseUsageStreamEntry(JSON.stringify(routed));
    expect(plain.ok && 'experiment' in (plain.event.payload ?? {})).toBe(false);
  });

  it('still takes a usage event without a routing decision', () => {
    const { route: _route, ...old } = routed;
    const parsed = parseUsageStreamEntry(JSON.stringify(old));
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && 'route' in (parsed.event.payload ?? {})).toBe(false);
  });

  it('rejects a usage event whose routing decision is malformed', () => {
    expect(parseUsageStreamEntry(JSON.stringify({ ...routed, route: { name: '', legs: 'x' } })).ok).toBe(false);
  });
});

describe('audit consumer with data-plane events', () => {
  let test: MemoryTestDatabase;
  let bus: Bus;
  let ledger: AuditLedger;
  let consumer: AuditConsumer;

  beforeAll(async () => {
    test = await createMemoryTestDatabase();
    bus = createInProcessBus();
    const store = createPrismaAuditStore(test.db);
    ledger = createAuditLedger({ store, keys: generateAuditKeys(), anchors: [databaseAnchor(store)], checkpointEvery: 100, checkpointIntervalMs: 0 });
    consumer = startAuditConsumer({ ledger, bus, logger: silent, blockMs: 20, retryDelayMs: 20 });
  });
  afterAll(async () => {
    await consumer.stop();
    await ledger.close();
    await bus.close();
    await test.drop();
  });

  it('appends exactly one policy.denied entry per denied request (a replay appends nothing) and one routed inference entry', async () => {
    await bus.append(AUDIT_STREAM, JSON.stringify(denial));
    await bus.append(AUDIT_STREAM, JSON.stringify(denial));
    await bus.append(USAGE_STREAM, JSON.stringify(routed));
    for (let attempt = 0; attempt < 200 && (await ledger.store.size()) < 2; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    // Give a wrongly duplicated append the chance to land before counting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const entries = await ledger.store.listEntries('platform', {}, -1, 100);
    expect(entries.map((entry) => entry.action).sort()).toEqual(['inference.request', 'policy.denied']);
    expect(entries.find((entry) => entry.action === 'policy.denied')).toMatchObject({ actor: apiKeyIdentity(KEY), tenantId: TENANT });
  });

  it('appends one inference entry per request even when requests reuse one x-request-id', async () => {
    const before = await ledger.store.size();
    for (let i = 0; i < 5; i += 1) await bus.append(USAGE_STREAM, JSON.stringify({ ...routed, requestId: `dp-reused-${i}`, clientRequestId: 'reused' }));
    for (let attempt = 0; attempt < 200 && (await ledger.store.size()) < before + 5; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await ledger.store.size()).toBe(before + 5);
  });
});
