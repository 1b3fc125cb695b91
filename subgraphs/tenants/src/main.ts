import { createInProcessBus, createRedisBus } from '@switchyard/data-plane/bus';
import { createDatabase } from '@switchyard/db';
import { createInternalTokenVerifier, importInternalPublicKey } from '@switchyard/identity';
import { createLocalKms } from '@switchyard/identity/envelope';
import { loadConfig } from './config';
import { createConsoleLogger } from './logger';
import { createTenantsSubgraph } from './tenants-subgraph';
import { subgraphName } from './type-defs';

/** Runs the tenants subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
const logger = createConsoleLogger(`subgraph-${subgraphName}`);
const db = await createDatabase({ url: config.DATABASE_URL });
const bus = config.REDIS_URL ? createRedisBus(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : createInProcessBus();
const publicKey = await importInternalPublicKey(config.INTERNAL_TOKEN_PUBLIC_JWK);
const subgraph = createTenantsSubgraph({
  db,
  bus,
  verifyInternalToken: createInternalTokenVerifier(publicKey, `subgraph:${subgraphName}`),
  logger,
  introspection: config.SUBGRAPH_INTROSPECTION,
  ...(config.masterKeys ? { kms: createLocalKms(config.masterKeys) } : {}),
});

subgraph.server.listen(config.TENANTS_SUBGRAPH_PORT, config.TENANTS_SUBGRAPH_HOST, () => {
  logger.info({ port: config.TENANTS_SUBGRAPH_PORT, host: config.TENANTS_SUBGRAPH_HOST }, 'tenants subgraph listening on /graphql');
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
