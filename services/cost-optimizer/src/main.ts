// The cost optimizer as its own process (production): the composition root over Postgres and
// Redis, its metrics on the operator metrics listener. `npm start` embeds the same root instead.
import { createInProcessBus, createRedisBus } from '@switchyard/bus';
import { createDatabase } from '@switchyard/db';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';
import { registerTracing } from '@switchyard/tracing';
import { pino } from 'pino';
import { register as processRegistry } from 'prom-client';
import { composeCostOptimizer } from './compose-cost-optimizer';
import { loadOptimizerEnv } from './config';
import { createInProcessLease } from './schedule/in-process-lease';
import { createRedisLease } from './schedule/redis-lease';

const { env, metrics, tracing: tracingConfig, config } = loadOptimizerEnv();
// Before anything starts spans: one provider per process, off (sending nothing) without an OTLP endpoint.
const tracing = registerTracing(tracingConfig, { serviceName: 'switchyard-cost-optimizer' });
const logger = pino({ name: 'cost-optimizer' });
const db = await createDatabase({ url: env.DATABASE_URL, tenantUrl: env.DATABASE_TENANT_URL });
await db.migrate();
// In-process bus only for a lone optimizer (tests, trying it out): it then sees no data plane's stream.
const bus = env.REDIS_URL ? createRedisBus(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : createInProcessBus();
// Replicas on one Redis agree through a lease which of them runs each scheduled round.
const lease = env.REDIS_URL ? createRedisLease(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : createInProcessLease();
const optimizer = await composeCostOptimizer(config, { db, bus, logger, lease });
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
      await bus.close();
      await db.close();
      await tracing.shutdown();
      process.exit(0);
    })().catch((error: unknown) => {
      logger.error({ err: String(error) }, 'shutdown failed');
      process.exit(1);
    });
  });
}
