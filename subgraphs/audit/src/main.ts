import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { startAuditConsumer } from './audit-consumer';
import { openAuditLedger } from './audit-runtime';
import { createAuditSubgraph } from './audit-subgraph';
import { loadConfig } from './config';
import { subgraphName } from './type-defs';

/** Runs the audit subgraph and its stream consumers on their own (the platform embeds them instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.AUDIT_SUBGRAPH_PORT,
  host: config.AUDIT_SUBGRAPH_HOST,
  listeningMessage: 'audit subgraph listening on /graphql',
  start: async ({ db, bus, verifyInternalToken, logger }) => {
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
    const subgraph = createAuditSubgraph({ ledger, verifyInternalToken, logger, introspection: config.SUBGRAPH_INTROSPECTION });
    const consumer = config.AUDIT_CONSUMER ? startAuditConsumer({ ledger, bus, logger }) : null;
    return {
      server: subgraph.server,
      listeningDetails: { consumer: consumer !== null },
      async close() {
        await consumer?.stop();
        await subgraph.close();
        await ledger.close();
      },
    };
  },
});
