import type { Database } from '@switchyard/db';

/** Reads back what the consumer wrote (through RLS, like the services do). */
export async function storedUsage(db: Database, tenantId: string): Promise<{ events: number; requests: number; costMicros: bigint }> {
  return db.withTenant(tenantId, async (tx) => {
    const events = await tx.usageEvent.count({ where: { tenantId } });
    const rollups = await tx.costRollup.findMany({ where: { tenantId } });
    return {
      events,
      requests: rollups.reduce((sum, row) => sum + row.requests, 0),
      costMicros: rollups.reduce((sum, row) => sum + row.costMicros, 0n),
    };
  });
}
