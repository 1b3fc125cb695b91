// Child process of the concurrency test: appends COUNT entries (4 at a time) to DATABASE_URL.
import { createDatabase } from '@switchyard/db';
import { databaseAnchor } from '../src/anchor';
import { auditKeysFromJson } from '../src/audit-keys';
import { createAuditLedger } from '../src/audit-ledger';
import { createPrismaAuditStore } from '../src/prisma-audit-store';

const url = process.env['DATABASE_URL'] ?? '';
const keys = auditKeysFromJson(process.env['AUDIT_KEYS'] ?? '');
const prefix = process.env['WORKER_PREFIX'] ?? 'worker';
const count = Number(process.env['COUNT'] ?? '20');
const sharedKeys = Number(process.env['SHARED_KEYS'] ?? '0');

const db = await createDatabase({ url });
const store = createPrismaAuditStore(db);
const ledger = createAuditLedger({ store, keys, anchors: [databaseAnchor(store)], checkpointEvery: 25, checkpointIntervalMs: 0 });
const keysToAppend = [...Array.from({ length: count }, (_, i) => `${prefix}-${i}`), ...Array.from({ length: sharedKeys }, (_, i) => `shared-${i}`)];
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < keysToAppend.length) {
      const idempotencyKey = keysToAppend[next] as string;
      next += 1;
      await ledger.append({ idempotencyKey, tenantId: null, actor: `service:${prefix}`, action: 'test.append', payload: { n: idempotencyKey } });
    }
  }),
);
await ledger.close();
await db.close();
