import { createInProcessBus, createRedisBus } from '@switchyard/data-plane/bus';
import { createDatabase } from '@switchyard/db';
import { createInternalTokenVerifier, importInternalPublicKey } from '@switchyard/identity';
import { loadConfig } from './config';
import { createCostSubgraph } from './cost-subgraph';
import { createConsoleLogger } from './logger';
import { subgraphName } from './type-defs';
import { startUsageConsumer } from './usage-consumer';
import type { UsageConsumer } from './usage-consumer';

/** Runs the cost subgraph and its usage consumer on their own (the platform launcher embeds them instead). */
const config = loadConfig();
const logger = createConsoleLogger(`subgraph-${subgraphName}`);
const db = await createDatabase({ url: config.DATABASE_URL });
const bus = config.REDIS_URL ? createRedisBus(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : createInProcessBus();
const publicKey = await importInternalPublicKey(config.INTERNAL_TOKEN_PUBLIC_JWK);
const subgraph = createCostSubgraph({
  db,
  bus,
  verifyInternalToken: createInternalTokenVerifier(publicKey, `subgraph:${subgraphName}`),
  logger,
  introspection: config.SUBGRAPH_INTROSPECTION,
});
const consumer: UsageConsumer | null = config.COST_USAGE_CONSUMER ? startUsageConsumer({ db, bus, logger }) : null;

subgraph.server.listen(config.COST_SUBGRAPH_PORT, config.COST_SUBGRAPH_HOST, () => {
  logger.info({ port: config.COST_SUBGRAPH_PORT, host: config.COST_SUBGRAPH_HOST, usageConsumer: consumer !== null }, 'cost subgraph listening on /graphql');
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await consumer?.stop();
  await subgraph.close();
  await bus.close();
  await db.close();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
