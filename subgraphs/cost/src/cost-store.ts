import type { Database } from '@switchyard/db';
import type { UsageEvent } from '@switchyard/events/usage';
import { floorToMinute } from './cost-summary';
import type { CostRollupRow, ShadowCostRollupRow } from './cost-summary';

/**
 * The only code of the cost subgraph that touches the database. Everything runs inside
 * `withTenant`, so row-level security confines each transaction to one tenant, except a platform
 * admin's batch read of many tenants' rollups (`withPlatform`, read only).
 */
export interface CostStore {
  /** Rollup rows of one tenant with `first <= bucketStart <= last`: client traffic and shadow copies, apart. */
  listRollups(tenantId: string, first: Date, last: Date): Promise<{ client: CostRollupRow[]; shadow: ShadowCostRollupRow[] }>;
  /**
   * The same for many tenants in one platform-scope transaction (read only: the platform role's
   * read policies on the rollup tables), for a platform admin's batch. By tenant id; absent: no rows.
   */
  listRollupsOfTenants(tenantIds: readonly string[], first: Date, last: Date): Promise<Map<string, { client: CostRollupRow[]; shadow: ShadowCostRollupRow[] }>>;
  /**
   * Records usage events of ONE tenant in one transaction: each event whose request id is new
   * is inserted and added to its per-minute rollup; replays change nothing.
   * Returns how many events were new.
   */
  recordUsage(tenantId: string, events: readonly UsageEvent[]): Promise<number>;
}

/** The experiment of a shadow copy, or null for client traffic (champion and split arms included). */
function shadowOf(event: UsageEvent): string | null {
  return event.experiment?.shadow === true ? event.experiment.experimentId : null;
}

export function createCostStore(db: Database): CostStore {
  return {
    listRollups(tenantId, first, last) {
      const where = { tenantId, bucketStart: { gte: first, lte: last } };
      const select = { bucketStart: true, model: true, requests: true, promptTokens: true, completionTokens: true, costMicros: true } as const;
      // One transaction: both reads see the same snapshot.
      return db.withTenant(tenantId, async (tx) => ({
        client: await tx.costRollup.findMany({ where, select, orderBy: [{ bucketStart: 'asc' }, { model: 'asc' }] }),
        shadow: await tx.shadowCostRollup.findMany({
          where,
          select: { ...select, experimentId: true },
          orderBy: [{ bucketStart: 'asc' }, { experimentId: 'asc' }, { model: 'asc' }],
        }),
      }));
    },

    async listRollupsOfTenants(tenantIds, first, last) {
      const where = { tenantId: { in: [...tenantIds] }, bucketStart: { gte: first, lte: last } };
      const select = { tenantId: true, bucketStart: true, model: true, requests: true, promptTokens: true, completionTokens: true, costMicros: true } as const;
      const { client, shadow } = await db.withPlatform(async (tx) => ({
        client: await tx.costRollup.findMany({ where, select, orderBy: [{ bucketStart: 'asc' }, { model: 'asc' }] }),
        shadow: await tx.shadowCostRollup.findMany({
          where,
          select: { ...select, experimentId: true },
          orderBy: [{ bucketStart: 'asc' }, { experimentId: 'asc' }, { model: 'asc' }],
        }),
      }));
      const byTenant = new Map<string, { client: CostRollupRow[]; shadow: ShadowCostRollupRow[] }>();
      const entry = (tenantId: string) => {
        let found = byTenant.get(tenantId);
        if (!found) byTenant.set(tenantId, (found = { client: [], shadow: [] }));
        return found;
      };
      for (const { tenantId, ...row } of client) entry(tenantId).client.push(row);
      for (const { tenantId, ...row } of shadow) entry(tenantId).shadow.push(row);
      return byTenant;
    },

    recordUsage(tenantId, events) {
      return db.withTenant(tenantId, async (tx) => {
        let recorded = 0;
        for (const event of events) {
          if (event.tenantId !== tenantId) throw new Error(`usage event ${event.requestId} belongs to another tenant`);
          const costMicros = BigInt(event.costMicros);
          // ON CONFLICT DO NOTHING: under a concurrent insert of the same request id this waits for the
          // other transaction and then inserts nothing, so exactly one writer counts the event.
          const inserted = await tx.usageEvent.createMany({
            data: [
              {
                requestId: event.requestId,
                tenantId,
                apiKeyId: event.apiKeyId,
                model: event.model,
                provider: event.provider,
                promptTokens: event.promptTokens,
                completionTokens: event.completionTokens,
                priceBookVersion: event.priceBookVersion,
                costMicros,
                latencyMs: event.latencyMs,
                status: event.status,
                createdAt: new Date(event.createdAt),
                shadow: shadowOf(event) !== null,
                experimentId: event.experiment?.experimentId ?? null,
              },
            ],
            skipDuplicates: true,
          });
          if (inserted.count === 0) continue;
          const bucketStart = floorToMinute(new Date(event.createdAt));
          const promptTokens = BigInt(event.promptTokens);
          const completionTokens = BigInt(event.completionTokens);
          const shadowExperimentId = shadowOf(event);
          if (shadowExperimentId !== null) {
            // A shadow copy: billed to the tenant, but kept out of the client totals.
            await tx.shadowCostRollup.upsert({
              where: {
                tenantId_bucketStart_experimentId_model: { tenantId, bucketStart, experimentId: shadowExperimentId, model: event.model },
              },
              create: { tenantId, bucketStart, experimentId: shadowExperimentId, model: event.model, requests: 1, promptTokens, completionTokens, costMicros },
              update: {
                requests: { increment: 1 },
                promptTokens: { increment: promptTokens },
                completionTokens: { increment: completionTokens },
                costMicros: { increment: costMicros },
              },
            });
            recorded += 1;
            continue;
          }
          await tx.costRollup.upsert({
            where: { tenantId_bucketStart_model: { tenantId, bucketStart, model: event.model } },
            create: { tenantId, bucketStart, model: event.model, requests: 1, promptTokens, completionTokens, costMicros },
            update: {
              requests: { increment: 1 },
              promptTokens: { increment: promptTokens },
              completionTokens: { increment: completionTokens },
              costMicros: { increment: costMicros },
            },
          });
          recorded += 1;
        }
        return recorded;
      });
    },
  };
}
