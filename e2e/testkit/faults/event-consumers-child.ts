// The cost usage consumer and the audit consumer as their own process, for the crash row of the
// fault catalogue: the test SIGKILLs this process mid-batch. Env: DATABASE_URL, REDIS_URL,
// REDIS_KEY_PREFIX, AUDIT_KEYS (JSON document), CONSUMER_NAME.
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
const store = createPrismaAuditStore(db);
const ledger = createAuditLedger({ store, keys: auditKeysFromJson(required('AUDIT_KEYS')), anchors: [databaseAnchor(store)], checkpointEvery: 100_000, checkpointIntervalMs: 0 });
startUsageConsumer({ db, bus: createRedisBus(required('REDIS_URL'), busOptions), consumerName: `${name}-cost`, logger: silent, blockMs: 100, batchSize: 50 });
startAuditConsumer({ ledger, bus: createRedisBus(required('REDIS_URL'), busOptions), consumerName: `${name}-audit`, logger: silent, blockMs: 100, batchSize: 50 });
console.log('consumers running');
