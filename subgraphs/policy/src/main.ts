import { createInProcessBus, createRedisBus } from '@switchyard/data-plane/bus';
import { createDatabase } from '@switchyard/db';
import { createInternalTokenVerifier, importInternalPublicKey } from '@switchyard/identity';
import { loadConfig } from './config';
import { createConsoleLogger } from './logger';
import { createPolicySubgraph } from './policy-subgraph';
import { subgraphName } from './type-defs';

/** Runs the policy subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
const logger = createConsoleLogger(`subgraph-${subgraphName}`);
const db = await createDatabase({ url: config.DATABASE_URL });
const bus = config.REDIS_URL ? createRedisBus(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : createInProcessBus();
const publicKey = await importInternalPublicKey(config.INTERNAL_TOKEN_PUBLIC_JWK);
const subgraph = createPolicySubgraph({
  db,
  bus,
  verifyInternalToken: createInternalTokenVerifier(publicKey, `subgraph:${subgraphName}`),
  logger,
  introspection: config.SUBGRAPH_INTROSPECTION,
});

subgraph.server.listen(config.POLICY_SUBGRAPH_PORT, config.POLICY_SUBGRAPH_HOST, () => {
  logger.info({ port: config.POLICY_SUBGRAPH_PORT, host: config.POLICY_SUBGRAPH_HOST }, 'policy subgraph listening on /graphql');
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
