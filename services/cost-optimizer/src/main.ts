// The cost optimizer as its own process (production): the composition root over Postgres and
// Redis, its metrics on the operator metrics listener. `npm start` embeds the same root instead.
// With OPTIMIZER_REGIONS it is the central optimizer: one database and one Redis per region.
import { createInProcessBus, createRedisBus, type Bus } from '@switchyard/bus';
import { createDatabase, type Database } from '@switchyard/db';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';
import { registerTracing } from '@switchyard/tracing';
import { pino } from 'pino';
import { register as processRegistry } from 'prom-client';
import { composeCostOptimizer, type ComposedCostOptimizer, type CostOptimizerRegionBackends } from './compose-cost-optimizer';
import { loadOptimizerEnv } from './config';
import { createInProcessLease } from './schedule/in-process-lease';
import type { LeasePort } from './schedule/lease';
import { createRedisLease } from './schedule/redis-lease';

const { env, metrics, tracing: tracingConfig, config } = loadOptimizerEnv();
// Before anything starts spans: one provider per process, off (sending nothing) without an OTLP endpoint.
const tracing = registerTracing(tracingConfig, { serviceName: 'switchyard-cost-optimizer' });
const logger = pino({ name: 'cost-optimizer' });
const opened: Array<{ db: Database; bus: Bus }> = [];
let optimizer: ComposedCostOptimizer;
let lease: LeasePort;
if (env.OPTIMIZER_REGIONS) {
  // Central: every region's database and Redis. Each region's database is migrated by that region's
  // deploy; the optimizer only checks it can reach it (a failing region stops the start: fix or remove it).
  const regions: CostOptimizerRegionBackends[] = [];
  for (const region of env.OPTIMIZER_REGIONS) {
    const db = await createDatabase({ url: region.databaseUrl, tenantUrl: region.databaseTenantUrl });
    const bus = createRedisBus(region.redisUrl, { keyPrefix: region.redisKeyPrefix });
    opened.push({ db, bus });
    regions.push({ name: region.name, db, bus });
  }
  const first = env.OPTIMIZER_REGIONS[0]!;
  // Central replicas agree on the schedule through one Redis: its own, or the first region's.
  lease = env.OPTIMIZER_LEASE_REDIS_URL ? createRedisLease(env.OPTIMIZER_LEASE_REDIS_URL) : createRedisLease(first.redisUrl, { keyPrefix: first.redisKeyPrefix });
  optimizer = await composeCostOptimizer(config, { regions, logger, lease });
  logger.info({ regions: regions.map((region) => region.name) }, 'central cost optimizer: one feature store per region, each tenant run over its regions');
} else {
  const db = await createDatabase({ url: env.DATABASE_URL!, tenantUrl: env.DATABASE_TENANT_URL });
  await db.migrate();
  // In-process bus only for a lone optimizer (tests, trying it out): it then sees no data plane's stream.
  const bus = env.REDIS_URL ? createRedisBus(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : createInProcessBus();
  opened.push({ db, bus });
  // Replicas on one Redis agree through a lease which of them runs each scheduled round.
  lease = env.REDIS_URL ? createRedisLease(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : createInProcessLease();
  optimizer = await composeCostOptimizer(config, { db, bus, logger, lease });
}
const listener = createMetricsListener({ sources: () => [processRegistry, optimizer.metrics], token: metrics.token });
listener.listen(metrics.port, metrics.host, () => {
  const bound = listener.address();
  logger.info({ port: typeof bound === 'object' && bound ? bound.port : metrics.port, host: metrics.host, intervalMs: config.intervalMs }, 'cost optimizer running; operator metrics on /metrics');
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    void (async () => {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      await optimizer.close();
      await lease.close();
      for (const { bus, db } of opened) {
        await bus.close();
        await db.close();
      }
      await tracing.shutdown();
      process.exit(0);
    })().catch((error: unknown) => {
      logger.error({ err: String(error) }, 'shutdown failed');
      process.exit(1);
    });
  });
}
