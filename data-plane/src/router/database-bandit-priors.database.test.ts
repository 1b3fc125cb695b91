import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { createInProcessBus } from '@switchyard/bus';
import { BANDIT_PRIORS_CHANGED_CHANNEL, banditPriorsChangedMessage } from '@switchyard/events/optimizer';
import { createBanditPriorsCache } from './bandit-priors';
import { createDatabaseBanditPriorSource } from './database-bandit-priors';

/** The real chain: bandit_priors in Postgres (written under the tenant's RLS) → every replica's cache at start → reloaded on the bus event. */
describe('bandit priors from Postgres', () => {
  const bus = createInProcessBus();
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await bus.close();
    await database?.drop();
  });

  it('loads every tenant at start (platform scope) and reloads one tenant on bandit-priors.changed', async () => {
    const db = database.db;
    const [a, b] = await Promise.all(['priors-a', 'priors-b'].map((slug) => db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))));
    const snapshotId = '00000000-0000-4000-8000-000000000001';
    await db.withTenant(a!.id, (tx) =>
      tx.banditPrior.createMany({
        data: [
          { tenantId: a!.id, route: 'smart', upstream: 'mock/mock-mini', stage: 'active', alpha: 9, beta: 2, snapshotId },
          { tenantId: a!.id, route: 'smart', upstream: 'mock/mock-mini', stage: 'canary', alpha: 12, beta: 2, snapshotId, canaryShare: 0.1 },
        ],
      }),
    );
    // A tenant cannot write another tenant's priors (RLS WITH CHECK).
    await expect(db.withTenant(b!.id, (tx) => tx.banditPrior.create({ data: { tenantId: a!.id, route: 'smart', upstream: 'x/y', stage: 'active', alpha: 1, beta: 1, snapshotId } }))).rejects.toThrow();

    const cache = createBanditPriorsCache({ source: createDatabaseBanditPriorSource(db) });
    await cache.subscribe(bus);
    await cache.loadAll();
    expect(cache.forRoute(a!.id, 'smart')?.active.get('mock/mock-mini')).toEqual({ alpha: 9, beta: 2 });
    expect(cache.forRoute(a!.id, 'smart')?.canary).toEqual({ share: 0.1, arms: new Map([['mock/mock-mini', { alpha: 12, beta: 2 }]]) });
    expect(cache.forRoute(b!.id, 'smart')).toBeUndefined();

    // Promotion by the optimizer, then the event: the replica sees the new active priors and no canary.
    await db.withTenant(a!.id, async (tx) => {
      await tx.banditPrior.deleteMany({ where: { route: 'smart' } });
      await tx.banditPrior.create({ data: { tenantId: a!.id, route: 'smart', upstream: 'mock/mock-mini', stage: 'active', alpha: 12, beta: 2, snapshotId } });
    });
    await bus.publish(BANDIT_PRIORS_CHANGED_CHANNEL, banditPriorsChangedMessage(a!.id));
    await vi.waitFor(() => expect(cache.forRoute(a!.id, 'smart')?.canary).toBeUndefined(), { timeout: 5_000, interval: 20 });
    expect(cache.forRoute(a!.id, 'smart')?.active.get('mock/mock-mini')).toEqual({ alpha: 12, beta: 2 });
  });
});
