import { randomUUID } from 'node:crypto';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { VECTOR_MEMORY_CHANGED_CHANNEL, type VectorMemoryChangedMessage } from '@switchyard/events/vector-memory';
import type { DataClassification } from '@switchyard/db/tenant-settings';
import type { SubjectDataStore } from '@switchyard/subject-data';
import { deleteSubject, recordOf, ROW_COLUMNS, type MemoryRow } from './memory-rows';

export interface VectorMemoryChangeAnnouncer {
  /** Tells every data-plane replica to drop its in-process indexes of `tenantId` (Postgres deployments search those). */
  (tenantId: string): Promise<void>;
}

/** Announces on `bus` under a replica id of its own, so every replica, this process's included, drops its copies. */
export function announceVectorMemoryChanges(bus: Bus): VectorMemoryChangeAnnouncer {
  const replicaId = `maintenance-${randomUUID()}`;
  return async (tenantId) => {
    const message: VectorMemoryChangedMessage = { tenantId, replicaId };
    await bus.publish(VECTOR_MEMORY_CHANGED_CHANNEL, JSON.stringify(message));
  };
}

/**
 * Vector memories in data-subject requests: the memories stored with `subject` equal to the
 * subject id (POST /v1/memories `subject`). The lookup across tenants runs in the platform scope
 * (read only: `vector_memories_platform_read`); each tenant's rows are then deleted as that tenant.
 * Erasing tells the replicas to drop the tenant's in-process HNSW copies (`announce`), which would
 * otherwise serve the erased texts until the collection changes again.
 */
export function vectorMemorySubjectStore(db: Database, options: { announce?: VectorMemoryChangeAnnouncer } = {}): SubjectDataStore {
  const rowsOf = (subjectId: string, tenantId: string | undefined) =>
    db.withPlatform((tx) =>
      tenantId === undefined
        ? tx.$queryRawUnsafe<(MemoryRow & { tenant_id: string })[]>(`SELECT ${ROW_COLUMNS}, tenant_id::text AS tenant_id FROM vector_memories WHERE subject = $1 ORDER BY tenant_id, id`, subjectId)
        : tx.$queryRawUnsafe<(MemoryRow & { tenant_id: string })[]>(
            `SELECT ${ROW_COLUMNS}, tenant_id::text AS tenant_id FROM vector_memories WHERE subject = $1 AND tenant_id = $2::uuid ORDER BY id`,
            subjectId,
            tenantId,
          ),
    );
  return {
    name: 'vector-memories',
    async exportSubject(request) {
      if (request.tenantId !== undefined && !isUuid(request.tenantId)) return [];
      return (await rowsOf(request.subjectId, request.tenantId)).map((row) => {
        const { id, createdAt, ...memory } = recordOf(row);
        return { kind: 'vector_memory', tenantId: row.tenant_id, id, createdAt: createdAt.toISOString(), updatedAt: null, data: memory };
      });
    },
    async eraseSubject(request) {
      if (request.tenantId !== undefined && !isUuid(request.tenantId)) return { erased: 0 };
      const tenants = new Set((await rowsOf(request.subjectId, request.tenantId)).map((row) => row.tenant_id));
      let erased = 0;
      for (const tenantId of tenants) {
        erased += (await db.withTenant(tenantId, (tx) => deleteSubject(tx, tenantId, request.subjectId))).length;
        await options.announce?.(tenantId);
      }
      return { erased };
    },
  };
}

/**
 * Retention: deletes the memories older than the retention of their tenant's default data
 * classification (`switchyard_vector_memories_expire`, platform scope) and announces each tenant
 * that lost some. Returns how many were deleted.
 */
export async function expireVectorMemories(db: Database, now: Date, retentionDays: Readonly<Record<DataClassification, number>>, announce?: VectorMemoryChangeAnnouncer): Promise<number> {
  const rows = await db.withPlatform((tx) =>
    tx.$queryRawUnsafe<{ tenant_id: string; deleted: bigint | number }[]>(
      `SELECT tenant_id::text AS tenant_id, deleted FROM switchyard_vector_memories_expire($1::timestamptz, $2::jsonb)`,
      now.toISOString(),
      JSON.stringify(retentionDays),
    ),
  );
  for (const row of rows) await announce?.(row.tenant_id);
  return rows.reduce((sum, row) => sum + Number(row.deleted), 0);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function isUuid(value: string): boolean {
  return UUID.test(value);
}
