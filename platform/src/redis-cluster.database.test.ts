import { seed } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parsePlatformEnv } from './config';
import { startPlatform, type RunningPlatform } from './platform';

/**
 * `npm start` pointed at a Redis Cluster by REDIS_URL alone: the data plane's limits and usage
 * stream, the cost subgraph's usage consumer and the SLO subgraph's counters all open their Redis
 * connections through the one factory, so they meet on the cluster as they do on one node.
 */
describe.skipIf(clusterTestsSkipReason())('npm start on a Redis Cluster', () => {
  const cluster = clusterForTests();
  let database: TestDatabase | undefined;
  let platform: RunningPlatform | undefined;
  beforeAll(cluster.start);
  afterAll(async () => {
    await platform?.shutdown({ graceMs: 0, timeoutMs: 5_000 });
    await cluster.stop();
    await database?.drop();
  });

  it('serves, limits across the cluster and bills every admitted request through the usage stream', async () => {
    database = await createTestDatabase();
    const { db } = database;
    const { demoTenantId } = await seed(db);
    const key = generateApiKeySecret();
    await db.withTenant(demoTenantId, (tx) => tx.apiKey.create({ data: { tenantId: demoTenantId, name: 'cluster', prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));
    const env = parsePlatformEnv({
      DATABASE_URL: database.url,
      REDIS_URL: cluster.url,
      SWITCHYARD_MASTER_KEYS: `main:${generateMasterKey()}`,
      SWITCHYARD_COMPONENTS: 'cost,slo,data-plane',
      COST_SUBGRAPH_PORT: '0',
      SLO_SUBGRAPH_PORT: '0',
      MEMORY_SUBGRAPH_PORT: '0',
      DATA_PLANE_PORT: '0',
      DATA_PLANE_REQUESTS_PER_MINUTE: '5',
      LOG_LEVEL: 'silent',
    });
    const lines: string[] = [];
    platform = await startPlatform({ env, progress: (line) => lines.push(line) });
    const dataPlane = /^data plane: (http:\/\/[^\s/]+)/.exec(lines.find((line) => line.startsWith('data plane:')) ?? '')?.[1];
    if (!dataPlane) throw new Error(`no data plane URL in ${JSON.stringify(lines)}`);
    await vi.waitFor(async () => expect((await fetch(`${dataPlane}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 100 });

    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const response = await fetch(`${dataPlane}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    // The cost subgraph's consumer group reads the usage stream on the cluster into Postgres.
    await vi.waitFor(async () => expect(await db.withTenant(demoTenantId, (tx) => tx.usageEvent.count({ where: { tenantId: demoTenantId } }))).toBe(5), { timeout: 20_000, interval: 200 });
    expect(lines.some((line) => line.includes('bus and limits: Redis (REDIS_URL)'))).toBe(true);
  }, 90_000);
});
