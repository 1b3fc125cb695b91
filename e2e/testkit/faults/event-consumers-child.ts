// The cost usage consumer or the audit consumer (CONSUMER_KIND) as its own process, for the crash
// row of the fault catalogue: the test SIGKILLs it mid-batch. Env: DATABASE_URL, REDIS_URL,
// REDIS_KEY_PREFIX, AUDIT_KEYS (JSON document, audit only), CONSUMER_NAME, BATCH_SIZE.
import { createDatabase } from '@switchyard/db';
import { createRedisBus } from '@switchyard/data-plane/bus';
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
const bus = createRedisBus(required('REDIS_URL'), busOptions);
if (required('CONSUMER_KIND') === 'cost') {
  startUsageConsumer({ db, bus, consumerName: name, logger: silent, blockMs: 100, batchSize });
} else {
  const store = createPrismaAuditStore(db);
  const ledger = createAuditLedger({ store, keys: auditKeysFromJson(required('AUDIT_KEYS')), anchors: [databaseAnchor(store)], checkpointEvery: 100_000, checkpointIntervalMs: 0 });
  startAuditConsumer({ ledger, bus, consumerName: name, logger: silent, blockMs: 100, batchSize });
}
console.log('consumer running');
