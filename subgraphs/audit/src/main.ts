import { createInProcessBus, createRedisBus } from '@switchyard/data-plane/bus';
import { createDatabase } from '@switchyard/db';
import { createInternalTokenVerifier, importInternalPublicKey } from '@switchyard/identity';
import { startAuditConsumer, type AuditConsumer } from './audit-consumer';
import { openAuditLedger } from './audit-runtime';
import { createAuditSubgraph } from './audit-subgraph';
import { loadConfig } from './config';
import { createConsoleLogger } from './logger';
import { subgraphName } from './type-defs';

/** Runs the audit subgraph and its stream consumers on their own (the platform embeds them instead). */
const config = loadConfig();
const logger = createConsoleLogger(`subgraph-${subgraphName}`);
const db = await createDatabase({ url: config.DATABASE_URL });
const bus = config.REDIS_URL ? createRedisBus(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : createInProcessBus();
const ledger = await openAuditLedger({
  db,
  bus,
  dataDir: config.SWITCHYARD_DATA_DIR,
  keysJson: config.AUDIT_KEYS,
  witnessFile: config.AUDIT_WITNESS_FILE,
  witnessUrl: config.AUDIT_WITNESS_URL,
  checkpointEvery: config.AUDIT_CHECKPOINT_EVERY,
  checkpointIntervalMs: config.AUDIT_CHECKPOINT_INTERVAL_MS,
  logger,
});
const publicKey = await importInternalPublicKey(config.INTERNAL_TOKEN_PUBLIC_JWK);
const subgraph = createAuditSubgraph({ ledger, verifyInternalToken: createInternalTokenVerifier(publicKey, `subgraph:${subgraphName}`), logger, introspection: config.SUBGRAPH_INTROSPECTION });
const consumer: AuditConsumer | null = config.AUDIT_CONSUMER ? startAuditConsumer({ ledger, bus, logger }) : null;

subgraph.server.listen(config.AUDIT_SUBGRAPH_PORT, config.AUDIT_SUBGRAPH_HOST, () => {
  logger.info({ port: config.AUDIT_SUBGRAPH_PORT, host: config.AUDIT_SUBGRAPH_HOST, consumer: consumer !== null }, 'audit subgraph listening on /graphql');
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await consumer?.stop();
  await subgraph.close();
  await ledger.close();
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
