import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Database } from '@switchyard/db';
import { createCostStore } from '../src/cost-store';
import { createCostService } from '../src/cost-service';
import { usageEvent } from './usage-events';

/**
 * Shadow cost on a store backend (run on PGlite and on Postgres): shadow copies are stored with
 * their flag and experiment, kept out of the client totals and summed apart, replays count once.
 */
export function shadowCostContract(database: () => Database): void {
  const newTenant = async (slug: string): Promise<string> =>
    (await database().withPlatform((tx) => tx.tenant.create({ data: { slug: `${slug}-${randomUUID().slice(0, 8)}`, name: slug }, select: { id: true } }))).id;

  it('stores shadow copies with their experiment, apart from client traffic, and counts a replayed copy once', async () => {
    const db = database();
    const tenantId = await newTenant('shadow');
    const experimentA = randomUUID();
    const experimentB = randomUUID();
    const now = new Date();
    const createdAt = now.toISOString();
    const champion = usageEvent(tenantId, { costMicros: '1000000', createdAt, experiment: { experimentId: experimentA, arm: 'champion', shadow: false } });
    const shadowA = usageEvent(tenantId, {
      requestId: `${champion.requestId}:shadow`,
      model: 'mock-challenger',
      costMicros: '300000',
      createdAt,
      experiment: { experimentId: experimentA, arm: 'challenger', shadow: true },
    });
    const shadowB = usageEvent(tenantId, { model: 'mock-challenger', costMicros: '50000', createdAt, experiment: { experimentId: experimentB, arm: 'challenger', shadow: true } });
    const splitChallenger = usageEvent(tenantId, { model: 'mock-challenger', costMicros: '7', createdAt, experiment: { experimentId: experimentB, arm: 'challenger', shadow: false } });
    const store = createCostStore(db);
    expect(await store.recordUsage(tenantId, [champion, shadowA, shadowB, splitChallenger])).toBe(4);
    // Replays (concurrent and later) change nothing.
    const replays = await Promise.all([store.recordUsage(tenantId, [shadowA]), store.recordUsage(tenantId, [shadowA, shadowB])]);
    expect(replays).toEqual([0, 0]);

    const rows = await db.withTenant(tenantId, (tx) =>
      tx.usageEvent.findMany({ where: { tenantId }, select: { requestId: true, shadow: true, experimentId: true }, orderBy: { requestId: 'asc' } }),
    );
    expect(rows).toEqual(
      [
        { requestId: champion.requestId, shadow: false, experimentId: experimentA },
        { requestId: shadowA.requestId, shadow: true, experimentId: experimentA },
        { requestId: shadowB.requestId, shadow: true, experimentId: experimentB },
        { requestId: splitChallenger.requestId, shadow: false, experimentId: experimentB },
      ].sort((a, b) => (a.requestId < b.requestId ? -1 : 1)),
    );

    const service = createCostService({ db, now: () => now });
    const summary = await service.costSummary(tenantId, 'LAST_15_MINUTES', { subject: 'viewer', email: null, tenantId, roles: ['viewer'], service: 'gateway' });
    // Client traffic: the champion's answer and the split challenger's (a client got it); no shadow copy.
    expect(summary.totalRequests).toBe(2);
    expect(summary.totalCostUsd).toBe(1.000007);
    expect(summary.shadowRequests).toBe(2);
    expect(summary.shadowCostUsd).toBe(0.35);
    expect(summary.series.at(-1)).toMatchObject({ costUsd: 1.000007, requests: 2, shadowCostUsd: 0.35, shadowRequests: 2 });
    expect(summary.shadowByExperiment).toEqual([
      { experimentId: experimentA, model: 'mock-challenger', costUsd: 0.3, requests: 1, promptTokens: 100, completionTokens: 50 },
      { experimentId: experimentB, model: 'mock-challenger', costUsd: 0.05, requests: 1, promptTokens: 100, completionTokens: 50 },
    ]);
  });

  it("never shows one tenant's shadow cost to another", async () => {
    const db = database();
    const tenantA = await newTenant('shadow-a');
    const tenantB = await newTenant('shadow-b');
    const now = new Date();
    await createCostStore(db).recordUsage(tenantA, [
      usageEvent(tenantA, { costMicros: '900', createdAt: now.toISOString(), experiment: { experimentId: randomUUID(), arm: 'challenger', shadow: true } }),
    ]);
    const other = await createCostStore(db).listRollups(tenantB, new Date(now.getTime() - 60_000), now);
    expect(other).toEqual({ client: [], shadow: [] });
    const leaked = await db.withTenant(tenantB, (tx) => tx.shadowCostRollup.count());
    expect(leaked).toBe(0);
  });

  it('sums rollups per series bucket in the database, the window\'s first bucket clamped to the window, one tenant per batch entry', async () => {
    const db = database();
    const tenantA = await newTenant('buckets-a');
    const tenantB = await newTenant('buckets-b');
    const experiment = randomUUID();
    const at = (iso: string) => new Date(iso).toISOString();
    const store = createCostStore(db);
    // Window 10:07 .. 10:44 in 15-minute buckets: [10:00 (from 10:07), 10:15, 10:30]; 10:06 is outside.
    await store.recordUsage(tenantA, [
      usageEvent(tenantA, { costMicros: '1', createdAt: at('2026-03-01T10:06:30Z') }),
      usageEvent(tenantA, { costMicros: '10', createdAt: at('2026-03-01T10:07:00Z') }),
      usageEvent(tenantA, { costMicros: '20', createdAt: at('2026-03-01T10:14:59Z') }),
      usageEvent(tenantA, { costMicros: '40', createdAt: at('2026-03-01T10:15:00Z') }),
      usageEvent(tenantA, { costMicros: '80', createdAt: at('2026-03-01T10:44:00Z') }),
      usageEvent(tenantA, { costMicros: '5', createdAt: at('2026-03-01T10:20:00Z'), experiment: { experimentId: experiment, arm: 'challenger', shadow: true } }),
    ]);
    await store.recordUsage(tenantB, [usageEvent(tenantB, { costMicros: '7', createdAt: at('2026-03-01T10:16:00Z') })]);
    const first = new Date('2026-03-01T10:07:00Z');
    const last = new Date('2026-03-01T10:44:00Z');
    const own = await store.listRollups(tenantA, first, last, 900);
    const client = own.client.map((row) => [row.bucketStart.toISOString(), row.requests, row.costMicros]).sort();
    expect(client).toEqual([
      ['2026-03-01T10:07:00.000Z', 2, 30n],
      ['2026-03-01T10:15:00.000Z', 1, 40n],
      ['2026-03-01T10:30:00.000Z', 1, 80n],
    ]);
    expect(own.shadow).toMatchObject([{ bucketStart: new Date('2026-03-01T10:15:00Z'), experimentId: experiment, requests: 1, costMicros: 5n }]);
    // Minutes stay minutes at 60 s.
    expect((await store.listRollups(tenantA, first, last)).client).toHaveLength(4);
    // The platform batch: the same sums, each tenant's rows under its own id.
    const batch = await store.listRollupsOfTenants([tenantA, tenantB], first, last, 900);
    expect(batch.get(tenantA)?.client.map((row) => row.costMicros).sort()).toEqual([30n, 40n, 80n]);
    expect(batch.get(tenantB)?.client).toMatchObject([{ bucketStart: new Date('2026-03-01T10:15:00Z'), costMicros: 7n }]);
    // A bucket size that is not whole minutes up to a day is refused before any SQL.
    for (const bucketSeconds of [0, 59, 90, -900, 86_460, Number.NaN]) {
      await expect(store.listRollups(tenantA, first, last, bucketSeconds)).rejects.toThrow(RangeError);
    }
  });
}
