// The cost usage consumer or the audit consumer (CONSUMER_KIND) as its own process, for the crash
// row of the fault catalogue: the test SIGKILLs it mid-batch. Env: DATABASE_URL, REDIS_URL,
// REDIS_KEY_PREFIX, AUDIT_KEYS (JSON document, audit only), CONSUMER_NAME, BATCH_SIZE,
// READ_PAUSE_MS (pause before each batch read, so a backlog is still there when the test kills it:
// unpaced, the batched audit append finishes 200 events faster than the test can observe progress).
import { createDatabase } from '@switchyard/db';
import { createRedisBus, type Bus } from '@switchyard/bus';
import { startUsageConsumer } from '@switchyard/subgraph-cost';
import { auditKeysFromJson, createAuditLedger, createPrismaAuditStore, databaseAnchor, startAuditConsumer } from '@switchyard/subgraph-audit';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const silent = { info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => console.error(...args) };

const db = await createDatabase({ url: required('DATABASE_URL') });
const busOptions = { keyPrefix: required('REDIS_KEY_PREFIX') };
const name = required('CONSUMER_NAME');
const batchSize = Number(process.env.BATCH_SIZE ?? 50);
const readPauseMs = Number(process.env.READ_PAUSE_MS ?? 0);
const redisBus = createRedisBus(required('REDIS_URL'), busOptions);
const bus: Bus = {
  ...redisBus,
  readGroup: async (...args) => {
    await new Promise((resolve) => setTimeout(resolve, readPauseMs));
    return redisBus.readGroup(...args);
  },
};
if (required('CONSUMER_KIND') === 'cost') {
  startUsageConsumer({ db, bus, consumerName: name, logger: silent, blockMs: 100, batchSize });
} else {
  const store = createPrismaAuditStore(db);
  const ledger = createAuditLedger({ store, keys: auditKeysFromJson(required('AUDIT_KEYS')), anchors: [databaseAnchor(store)], checkpointEvery: 100_000, checkpointIntervalMs: 0 });
  startAuditConsumer({ ledger, bus, consumerName: name, logger: silent, blockMs: 100, batchSize });
}
console.log('consumer running');
