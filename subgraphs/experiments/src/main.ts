import { createInProcessBus, createRedisBus } from '@switchyard/data-plane/bus';
import { createDatabase } from '@switchyard/db';
import { createInternalTokenVerifier, importInternalPublicKey } from '@switchyard/identity';
import { loadConfig } from './config';
import { createConsoleLogger } from '@switchyard/subgraph-kit/logger';
import { createExperimentsSubgraph } from './experiments-subgraph';
import { createPriceBookModelCatalog } from './model-catalog';
import { subgraphName } from './type-defs';

/** Runs the experiments subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
const logger = createConsoleLogger(`subgraph-${subgraphName}`);
const db = await createDatabase({ url: config.DATABASE_URL });
const bus = config.REDIS_URL ? createRedisBus(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : createInProcessBus();
const publicKey = await importInternalPublicKey(config.INTERNAL_TOKEN_PUBLIC_JWK);
const subgraph = createExperimentsSubgraph({
  db,
  bus,
  verifyInternalToken: createInternalTokenVerifier(publicKey, `subgraph:${subgraphName}`),
  catalog: createPriceBookModelCatalog(db, config.PLATFORM_ROUTE_NAMES),
  logger,
  introspection: config.SUBGRAPH_INTROSPECTION,
});

subgraph.server.listen(config.EXPERIMENTS_SUBGRAPH_PORT, config.EXPERIMENTS_SUBGRAPH_HOST, () => {
  logger.info({ port: config.EXPERIMENTS_SUBGRAPH_PORT, host: config.EXPERIMENTS_SUBGRAPH_HOST }, 'experiments subgraph listening on /graphql');
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
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
