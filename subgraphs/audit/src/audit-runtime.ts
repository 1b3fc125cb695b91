import path from 'node:path';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { AUDIT_APPENDED_CHANNEL } from '@switchyard/events/audit';
import { databaseAnchor, httpWitnessAnchor, witnessFileAnchor, type CheckpointAnchor } from './anchor';
import { auditKeysFromJson, loadOrCreateAuditKeys } from './audit-keys';
import { createAuditLedger, type AuditLedger } from './audit-ledger';
import { createConsoleLogger, type Logger } from './logger';
import { createPrismaAuditStore } from './prisma-audit-store';

export interface AuditLedgerOptions {
  db: Database;
  bus: Bus;
  /** Where the embedded default keeps `audit-keys.json` and `audit-witness.jsonl`. */
  dataDir: string;
  /** Keys as JSON (production); otherwise read or created in dataDir. */
  keysJson?: string | undefined;
  witnessFile?: string | undefined;
  witnessUrl?: string | undefined;
  checkpointEvery?: number | undefined;
  checkpointIntervalMs?: number | undefined;
  logger?: Logger;
}

/**
 * The ledger as a running service wires it: Postgres/PGlite store, checkpoints anchored in the
 * database and a witness file (and an HTTP witness when configured), and a key-only
 * `switchyard:audit.appended {tenantId}` hint on the bus after each append.
 */
export async function openAuditLedger(options: AuditLedgerOptions): Promise<AuditLedger> {
  const logger = options.logger ?? createConsoleLogger('audit-ledger');
  const keys = options.keysJson ? auditKeysFromJson(options.keysJson) : await loadOrCreateAuditKeys(options.dataDir);
  const store = createPrismaAuditStore(options.db);
  const anchors: CheckpointAnchor[] = [databaseAnchor(store), witnessFileAnchor(options.witnessFile ?? path.join(options.dataDir, 'audit-witness.jsonl'))];
  if (options.witnessUrl) anchors.push(httpWitnessAnchor(options.witnessUrl));
  return createAuditLedger({
    store,
    keys,
    anchors,
    ...(options.checkpointEvery !== undefined ? { checkpointEvery: options.checkpointEvery } : {}),
    ...(options.checkpointIntervalMs !== undefined ? { checkpointIntervalMs: options.checkpointIntervalMs } : {}),
    onAppended(entries) {
      const tenants = new Set(entries.map((entry) => entry.tenantId).filter((tenantId): tenantId is string => tenantId !== null));
      for (const tenantId of tenants) {
        options.bus.publish(AUDIT_APPENDED_CHANNEL, JSON.stringify({ tenantId })).catch((error: unknown) => {
          // Only a live-update hint: the entry is committed.
          logger.warn({ tenantId, err: String(error) }, 'publishing audit.appended failed');
        });
      }
    },
    onError: (error, during) => logger.error({ during, err: String(error) }, 'audit ledger background task failed'),
  });
}
