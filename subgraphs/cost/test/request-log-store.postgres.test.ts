import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@switchyard/db';
import { createMemoryTestDatabase, createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { REQUEST_LOG_RETENTION_DAYS } from '@switchyard/db/tenant-settings';
import { createRequestLogStore, type RequestLogQuery } from '../src/request-log/request-log-store';
import { requestLogEvent } from './request-log-events';

const DAY_MS = 86_400_000;

/** The same claims on real Postgres and on PGlite (the embedded default): partitions, RLS, idempotency, retention. */
describe.each([
  ['postgres', () => createTestDatabase()],
  ['pglite', () => createMemoryTestDatabase()],
] as const)('request log store on %s', (_name, open) => {
  let testDatabase: Pick<TestDatabase, 'db' | 'drop'>;
  let db: Database;
  const now = new Date();
  const today = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);

  async function newTenant(slug: string, classification = 'internal'): Promise<string> {
    return (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: `${slug}-${randomUUID().slice(0, 8)}`, name: slug, defaultDataClassification: classification }, select: { id: true } }))).id;
  }
  const window = (overrides: Partial<RequestLogQuery> = {}): RequestLogQuery => ({ from: new Date(now.getTime() - 40 * DAY_MS), to: new Date(now.getTime() + DAY_MS), limit: 50, ...overrides });

  beforeAll(async () => {
    testDatabase = await open();
    db = testDatabase.db;
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  it('creates day partitions idempotently and refuses a row for a day without one', async () => {
    const store = createRequestLogStore(db);
    expect(await store.ensurePartitions(today, 2)).toBe(2);
    expect(await store.ensurePartitions(today, 2)).toBe(0);
    const tenantId = await newTenant('nopart');
    const farFuture = new Date(today.getTime() + 200 * DAY_MS).toISOString();
    await expect(store.write(tenantId, [requestLogEvent(tenantId, { startedAt: farFuture })])).rejects.toThrow();
    const partitions = await db.withPlatform((tx) => tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'request_log'::regclass`);
    expect(partitions[0]?.n).toBe(2);
  });

  it('writes an entry once however often it is replayed, concurrently too', async () => {
    const store = createRequestLogStore(db);
    await store.ensurePartitions(today, 1);
    const tenantId = await newTenant('replay');
    const event = requestLogEvent(tenantId);
    const counts = await Promise.all(Array.from({ length: 4 }, () => store.write(tenantId, [event])));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await store.list(tenantId, window())).toHaveLength(1);
  });

  it('keeps tenants apart: a write for another tenant fails and reads see only their own rows', async () => {
    const store = createRequestLogStore(db);
    await store.ensurePartitions(today, 1);
    const a = await newTenant('rls-a');
    const b = await newTenant('rls-b');
    const entryOfA = requestLogEvent(a);
    await store.write(a, [entryOfA]);
    await expect(store.write(b, [requestLogEvent(a)])).rejects.toThrow(/another tenant/);
    expect(await store.list(b, window())).toEqual([]);
    expect(await store.get(b, entryOfA.requestId)).toBeNull();
    expect((await store.get(a, entryOfA.requestId))?.requestId).toBe(entryOfA.requestId);
    // Under the tenant role itself, a partition is not reachable directly (no grants): only the parent with its policy.
    const partition = `request_log_p${today.toISOString().slice(0, 10).replaceAll('-', '')}`;
    await expect(db.withTenant(b, (tx) => tx.$queryRawUnsafe(`SELECT * FROM "${partition}"`))).rejects.toThrow(/permission denied/);
  });

  it('pages newest first with a stable cursor and filters', async () => {
    const store = createRequestLogStore(db);
    await store.ensurePartitions(today, 1);
    const tenantId = await newTenant('paging');
    const base = today.getTime() + 1000;
    const events = Array.from({ length: 5 }, (_, i) =>
      requestLogEvent(tenantId, { startedAt: new Date(base + i * 1000).toISOString(), status: i === 4 ? 429 : 200, refused: i === 4, errorCode: i === 4 ? 'rate_limit_exceeded' : null, latencyMs: i * 100 }),
    );
    await store.write(tenantId, events);
    const first = await store.list(tenantId, window({ limit: 2 }));
    expect(first.map((row) => row.startedAt.getTime())).toEqual([base + 4000, base + 3000, base + 2000]);
    const second = await store.list(tenantId, window({ limit: 2, after: { startedAt: first[1]!.startedAt, requestId: first[1]!.requestId } }));
    expect(second.map((row) => row.startedAt.getTime())).toEqual([base + 2000, base + 1000, base]);
    expect((await store.list(tenantId, window({ outcome: 'refused' }))).map((row) => row.status)).toEqual([429]);
    expect(await store.list(tenantId, window({ minLatencyMs: 250 }))).toHaveLength(2);
    expect(await store.list(tenantId, window({ status: 429 }))).toHaveLength(1);
  });

  it('computes latency percentiles and error rates per route, and spend per key', async () => {
    const store = createRequestLogStore(db);
    await store.ensurePartitions(today, 1);
    const tenantId = await newTenant('stats');
    const keyId = randomUUID();
    const at = new Date(today.getTime() + 5000).toISOString();
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    await store.write(tenantId, [
      ...latencies.map((latencyMs) => requestLogEvent(tenantId, { route: 'fast', latencyMs, startedAt: at, apiKeyId: keyId, costMicros: '10' })),
      requestLogEvent(tenantId, { route: 'fast', status: 502, errorCode: 'upstream_error', startedAt: at, latencyMs: 50 }),
      requestLogEvent(tenantId, { route: 'fast', status: 429, refused: true, errorCode: 'rate_limit_exceeded', startedAt: at, latencyMs: 1, costMicros: '0' }),
    ]);
    const [fast] = await store.latencyGroups(tenantId, 'route', new Date(today.getTime()), new Date(today.getTime() + DAY_MS));
    expect(fast).toMatchObject({ key: 'fast', requests: 102, errors: 1, refused: 1 });
    // 101 served latencies (1..100 and 50): refusals are not in the percentiles.
    expect(fast!.p50).toBe(50);
    expect(fast!.p99).toBeCloseTo(99, 0);
    const series = await store.latencySeries(tenantId, 'route', ['fast'], new Date(today.getTime()), new Date(today.getTime() + DAY_MS), 3600);
    expect(series).toHaveLength(1);
    expect(series[0]!.requests).toBe(102);
    const spend = await store.spend(tenantId, 'api_key', new Date(today.getTime()), new Date(today.getTime() + DAY_MS));
    expect(spend[0]).toMatchObject({ key: keyId, requests: 100, costMicros: 1000n });
  });

  it('applies retention by data classification and drops partitions past the longest', async () => {
    const store = createRequestLogStore(db);
    const old = new Date(today.getTime() - 20 * DAY_MS);
    const ancient = new Date(today.getTime() - 100 * DAY_MS);
    await store.ensurePartitions(old, 1);
    await store.ensurePartitions(ancient, 1);
    const restricted = await newTenant('restricted', 'restricted');
    const internal = await newTenant('internal', 'internal');
    await store.write(restricted, [requestLogEvent(restricted, { startedAt: new Date(old.getTime() + 1000).toISOString() })]);
    await store.write(internal, [requestLogEvent(internal, { startedAt: new Date(old.getTime() + 1000).toISOString() })]);
    await store.write(internal, [requestLogEvent(internal, { startedAt: new Date(ancient.getTime() + 1000).toISOString() })]);
    await store.expire(now, REQUEST_LOG_RETENTION_DAYS);
    // Restricted keeps 7 days: the 20-day-old row is gone; internal keeps 30: it stays; the 100-day partition is dropped.
    expect(await store.list(restricted, window({ from: new Date(now.getTime() - 200 * DAY_MS) }))).toHaveLength(0);
    expect(await store.list(internal, window({ from: new Date(now.getTime() - 200 * DAY_MS) }))).toHaveLength(1);
    const ancientName = `request_log_p${ancient.toISOString().slice(0, 10).replaceAll('-', '')}`;
    const left = await db.withPlatform((tx) => tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_class WHERE relname = ${ancientName}`);
    expect(left[0]?.n).toBe(0);
  });
});
