import type { StartedSubgraph, SubgraphRuntime } from '@switchyard/subgraph-kit/runtime';
import { startAuditConsumer } from './audit-consumer';
import { openAuditLedger } from './audit-runtime';
import { createAuditSubgraph } from './audit-subgraph';

export interface AuditSubgraphOptions {
  /** Where the embedded default keeps `audit-keys.json` and `audit-witness.jsonl`. */
  dataDir: string;
  /** The ledger's keys as JSON (production); default: `<data dir>/audit-keys.json`. */
  keysJson?: string | undefined;
  /** Witness file for checkpoints; default `<data dir>/audit-witness.jsonl`. */
  witnessFile?: string | undefined;
  /** POST every checkpoint to this witness endpoint as well. */
  witnessUrl?: string | undefined;
  checkpointEvery?: number | undefined;
  checkpointIntervalMs?: number | undefined;
  /** Run the stream consumers beside the API (default true; false: serve reads only). */
  consumer?: boolean;
  introspection?: boolean;
}

/**
 * The audit subgraph as every process runs it (its own, or `npm start`): the ledger (with its
 * checkpointer), the GraphQL API over it and, beside them, the consumer that appends the audit and
 * usage streams to the ledger.
 */
export async function startAuditSubgraph(runtime: SubgraphRuntime, options: AuditSubgraphOptions): Promise<StartedSubgraph> {
  const { db, bus, logger } = runtime;
  const ledger = await openAuditLedger({
    db,
    bus,
    dataDir: options.dataDir,
    keysJson: options.keysJson,
    witnessFile: options.witnessFile,
    witnessUrl: options.witnessUrl,
    checkpointEvery: options.checkpointEvery,
    checkpointIntervalMs: options.checkpointIntervalMs,
    logger,
  });
  const subgraph = createAuditSubgraph({ ledger, verifyInternalToken: runtime.verifyInternalToken, logger, introspection: options.introspection ?? false });
  const consumer = (options.consumer ?? true) ? startAuditConsumer({ ledger, bus, logger, claimIdleMs: runtime.streamClaimIdleMs }) : null;
  return {
    server: subgraph.server,
    listeningDetails: { consumer: consumer !== null },
    async close() {
      await consumer?.stop();
      await subgraph.close();
      await ledger.close();
    },
  };
}
