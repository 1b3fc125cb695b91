import type { Database, SqlReader } from '@switchyard/db';
import type { UsageEvent } from '@switchyard/events/usage';
import { floorToMinute } from './cost-summary';
import type { CostRollupRow, ShadowCostRollupRow } from './cost-summary';

/**
 * The only code of the cost subgraph that touches the database. Everything runs inside
 * `withTenant`, so row-level security confines each transaction to one tenant, except a platform
 * admin's batch read of many tenants' rollups (`withPlatform`, read only).
 */
export interface CostStore {
  /**
   * Rollup rows of one tenant with `first <= bucketStart <= last`: client traffic and shadow copies,
   * apart, summed per series bucket of `bucketSeconds` (default 60: the stored minutes as they are).
   * A summed row's bucketStart is its bucket's start, or `first` for the bucket the window starts in
   * (so it stays inside the window and lands in the same point of the series).
   */
  listRollups(tenantId: string, first: Date, last: Date, bucketSeconds?: number): Promise<{ client: CostRollupRow[]; shadow: ShadowCostRollupRow[] }>;
  /**
   * The same for many tenants in one statement on the platform pool (read only: the platform role's
   * read policies on the rollup tables), for a platform admin's batch. By tenant id; absent: no rows.
   */
  listRollupsOfTenants(
    tenantIds: readonly string[],
    first: Date,
    last: Date,
    bucketSeconds?: number,
  ): Promise<Map<string, { client: CostRollupRow[]; shadow: ShadowCostRollupRow[] }>>;
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

/** One summed row of either rollup table (experimentId null: client traffic). */
interface SummedRollupRow {
  tenantId: string;
  bucketStart: Date;
  experimentId: string | null;
  model: string;
  requests: bigint;
  promptTokens: bigint;
  completionTokens: bigint;
  costMicros: bigint;
}

const MAX_BUCKET_SECONDS = 24 * 60 * 60;

/**
 * Both rollup tables in one statement (one round trip, one snapshot), summed per series bucket in
 * the database: a busy tenant's day is minutes × models rows, which the server adds up far cheaper
 * than the client would decode them.
 */
function summedRollups(sql: SqlReader, tenantIds: readonly string[], first: Date, last: Date, bucketSeconds: number): Promise<SummedRollupRow[]> {
  if (!Number.isInteger(bucketSeconds) || bucketSeconds < 60 || bucketSeconds > MAX_BUCKET_SECONDS || bucketSeconds % 60 !== 0) {
    throw new RangeError(`bucketSeconds must be whole minutes up to a day, got ${bucketSeconds}`);
  }
  // Hand-written read (readAsTenant / readAsPlatform): no Prisma client runtime on the cost pages' hot path.
  // $1 tenant ids, $2 first, $3 last, $4 bucket seconds.
  return sql.rows<SummedRollupRow>(
    `SELECT tenant_id::text AS "tenantId",
            GREATEST(to_timestamp(floor(extract(epoch FROM bucket_start) / $4::int) * $4::int), $2::timestamptz) AS "bucketStart",
            NULL::text AS "experimentId", model,
            sum(requests)::int8 AS requests, sum(prompt_tokens)::int8 AS "promptTokens",
            sum(completion_tokens)::int8 AS "completionTokens", sum(cost_micros)::int8 AS "costMicros"
       FROM cost_rollups
      WHERE tenant_id = ANY($1::uuid[]) AND bucket_start >= $2::timestamptz AND bucket_start <= $3::timestamptz
      GROUP BY 1, 2, 4
     UNION ALL
     SELECT tenant_id::text,
            GREATEST(to_timestamp(floor(extract(epoch FROM bucket_start) / $4::int) * $4::int), $2::timestamptz),
            experiment_id::text, model,
            sum(requests)::int8, sum(prompt_tokens)::int8, sum(completion_tokens)::int8, sum(cost_micros)::int8
       FROM shadow_cost_rollups
      WHERE tenant_id = ANY($1::uuid[]) AND bucket_start >= $2::timestamptz AND bucket_start <= $3::timestamptz
      GROUP BY 1, 2, 3, 4`,
    [[...tenantIds], first, last, bucketSeconds],
  );
}

type RollupsOfTenant = { client: CostRollupRow[]; shadow: ShadowCostRollupRow[] };

function byTenant(rows: readonly SummedRollupRow[]): Map<string, RollupsOfTenant> {
  const grouped = new Map<string, RollupsOfTenant>();
  for (const row of rows) {
    let entry = grouped.get(row.tenantId);
    if (!entry) grouped.set(row.tenantId, (entry = { client: [], shadow: [] }));
    const totals = {
      bucketStart: row.bucketStart,
      model: row.model,
      requests: Number(row.requests),
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
      costMicros: row.costMicros,
    };
    if (row.experimentId === null) entry.client.push(totals);
    else entry.shadow.push({ ...totals, experimentId: row.experimentId });
  }
  return grouped;
}

export function createCostStore(db: Database): CostStore {
  return {
    async listRollups(tenantId, first, last, bucketSeconds = 60) {
      const rows = await db.readAsTenant(tenantId, (sql) => summedRollups(sql, [tenantId], first, last, bucketSeconds));
      return byTenant(rows).get(tenantId) ?? { client: [], shadow: [] };
    },

    async listRollupsOfTenants(tenantIds, first, last, bucketSeconds = 60) {
      if (tenantIds.length === 0) return new Map();
      // One statement: no transaction needed for a common snapshot.
      return byTenant(await db.readAsPlatform((sql) => summedRollups(sql, tenantIds, first, last, bucketSeconds)));
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
