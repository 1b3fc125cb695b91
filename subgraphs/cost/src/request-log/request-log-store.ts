import { Prisma, type Database } from '@switchyard/db';
import type { RequestLogEvent } from '@switchyard/events/request-log';
import type { RequestLogCursor } from './request-log-cursor';

/** A stored entry as the API reads it. */
export interface RequestLogRow {
  requestId: string;
  clientRequestId: string | null;
  startedAt: Date;
  apiKeyId: string | null;
  userId: string | null;
  endpoint: string;
  route: string | null;
  model: string | null;
  provider: string | null;
  status: number;
  errorCode: string | null;
  refused: boolean;
  latencyMs: number;
  ttftMs: number | null;
  promptTokens: number;
  completionTokens: number;
  costMicros: bigint;
  traceId: string | null;
  decision: unknown;
  policyDecisions: unknown;
}

/** Validated filters (see request-log-filter.ts): every field optional but the time range. */
export interface RequestLogQuery {
  from: Date;
  to: Date;
  apiKeyId?: string;
  userId?: string;
  route?: string;
  model?: string;
  status?: number;
  outcome?: 'ok' | 'error' | 'refused';
  minLatencyMs?: number;
  minCostMicros?: bigint;
  traceId?: string;
  after?: RequestLogCursor;
  /** Rows to return (the store reads one more to know whether another page exists). */
  limit: number;
}

export type GroupBy = 'route' | 'model';
export type SpendBy = 'api_key' | 'user' | 'route';

export interface LatencyGroupRow {
  key: string;
  requests: number;
  errors: number;
  refused: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface LatencyBucketRow extends LatencyGroupRow {
  bucket: Date;
}

export interface SpendRow {
  key: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: bigint;
}

/** At most this many groups per breakdown (the busiest): a chart of more is unreadable, and the query stays bounded. */
export const MAX_GROUPS = 20;

export interface RequestLogStore {
  /** Writes one tenant's entries in one transaction; a replayed entry (same request id and start) changes nothing. Returns how many were new. */
  write(tenantId: string, events: readonly RequestLogEvent[]): Promise<number>;
  /** Makes sure the partitions of `days` UTC days from `from` exist. */
  ensurePartitions(from: Date, days: number): Promise<number>;
  /** Deletes what is past each tenant's retention and drops partitions past the longest. */
  expire(now: Date, retentionDays: Readonly<Record<string, number>>): Promise<bigint>;
  list(tenantId: string, query: RequestLogQuery): Promise<RequestLogRow[]>;
  get(tenantId: string, requestId: string): Promise<RequestLogRow | null>;
  latencyGroups(tenantId: string, by: GroupBy, from: Date, to: Date): Promise<LatencyGroupRow[]>;
  latencySeries(tenantId: string, by: GroupBy, keys: readonly string[], from: Date, to: Date, bucketSeconds: number): Promise<LatencyBucketRow[]>;
  spend(tenantId: string, by: SpendBy, from: Date, to: Date): Promise<SpendRow[]>;
}

const ROW_SELECT = {
  requestId: true,
  clientRequestId: true,
  startedAt: true,
  apiKeyId: true,
  userId: true,
  endpoint: true,
  route: true,
  model: true,
  provider: true,
  status: true,
  errorCode: true,
  refused: true,
  latencyMs: true,
  ttftMs: true,
  promptTokens: true,
  completionTokens: true,
  costMicros: true,
  traceId: true,
  decision: true,
  policyDecisions: true,
} as const;

/** Column names are fixed here, never taken from input. */
const GROUP_COLUMN: Record<GroupBy, Prisma.Sql> = { route: Prisma.sql`"route"`, model: Prisma.sql`"model"` };
const SPEND_COLUMN: Record<SpendBy, Prisma.Sql> = { api_key: Prisma.sql`"api_key_id"::text`, user: Prisma.sql`"user_id"`, route: Prisma.sql`"route"` };

/** A failed answer: a server-side status, or a stream that failed after its 200. Refusals (4xx before any provider) count apart. */
const IS_ERROR = Prisma.sql`("status" >= 500 OR ("error_code" IS NOT NULL AND NOT "refused" AND "status" < 400))`;

const STATS_COLUMNS = Prisma.sql`
  count(*)::int AS "requests",
  (count(*) FILTER (WHERE ${IS_ERROR}))::int AS "errors",
  (count(*) FILTER (WHERE "refused"))::int AS "refused",
  percentile_cont(0.5) WITHIN GROUP (ORDER BY "latency_ms") FILTER (WHERE NOT "refused") AS "p50",
  percentile_cont(0.95) WITHIN GROUP (ORDER BY "latency_ms") FILTER (WHERE NOT "refused") AS "p95",
  percentile_cont(0.99) WITHIN GROUP (ORDER BY "latency_ms") FILTER (WHERE NOT "refused") AS "p99"`;

function whereOf(tenantId: string, query: RequestLogQuery): Prisma.RequestLogEntryWhereInput {
  const and: Prisma.RequestLogEntryWhereInput[] = [{ tenantId, startedAt: { gte: query.from, lt: query.to } }];
  if (query.apiKeyId !== undefined) and.push({ apiKeyId: query.apiKeyId });
  if (query.userId !== undefined) and.push({ userId: query.userId });
  if (query.route !== undefined) and.push({ route: query.route });
  if (query.model !== undefined) and.push({ model: query.model });
  if (query.status !== undefined) and.push({ status: query.status });
  if (query.outcome === 'ok') and.push({ status: { lt: 400 }, errorCode: null });
  if (query.outcome === 'refused') and.push({ refused: true });
  if (query.outcome === 'error') and.push({ refused: false, OR: [{ status: { gte: 400 } }, { errorCode: { not: null } }] });
  if (query.minLatencyMs !== undefined) and.push({ latencyMs: { gte: query.minLatencyMs } });
  if (query.minCostMicros !== undefined) and.push({ costMicros: { gte: query.minCostMicros } });
  if (query.traceId !== undefined) and.push({ traceId: query.traceId });
  const after = query.after;
  if (after) and.push({ OR: [{ startedAt: { lt: after.startedAt } }, { startedAt: after.startedAt, requestId: { lt: after.requestId } }] });
  return { AND: and };
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function statsOf(row: Record<string, unknown>): Omit<LatencyGroupRow, 'key'> {
  return {
    requests: Number(row.requests),
    errors: Number(row.errors),
    refused: Number(row.refused),
    p50: numberOrNull(row.p50),
    p95: numberOrNull(row.p95),
    p99: numberOrNull(row.p99),
  };
}

export function createRequestLogStore(db: Database): RequestLogStore {
  return {
    write(tenantId, events) {
      return db.withTenant(tenantId, async (tx) => {
        const data = events.map((event) => {
          if (event.tenantId !== tenantId) throw new Error(`request log entry ${event.requestId} belongs to another tenant`);
          return {
            tenantId,
            startedAt: new Date(event.startedAt),
            requestId: event.requestId,
            clientRequestId: event.clientRequestId ?? null,
            apiKeyId: event.apiKeyId,
            userId: event.userId,
            endpoint: event.endpoint,
            route: event.route,
            model: event.model,
            provider: event.provider,
            status: event.status,
            errorCode: event.errorCode,
            refused: event.refused,
            latencyMs: event.latencyMs,
            ttftMs: event.ttftMs,
            promptTokens: event.promptTokens,
            completionTokens: event.completionTokens,
            costMicros: BigInt(event.costMicros),
            traceId: event.traceId,
            decision: event.decision === undefined ? Prisma.DbNull : (event.decision as Prisma.InputJsonValue),
            policyDecisions: event.policyDecisions as Prisma.InputJsonValue,
          };
        });
        // ON CONFLICT DO NOTHING on (tenant, started_at, request id): replays and concurrent writers insert once.
        const inserted = await tx.requestLogEntry.createMany({ data, skipDuplicates: true });
        return inserted.count;
      });
    },

    ensurePartitions(from, days) {
      const day = from.toISOString().slice(0, 10);
      return db.withPlatform(async (tx) => {
        const rows = await tx.$queryRaw<{ created: number }[]>`SELECT switchyard_request_log_ensure_partitions(${day}::date, ${days}::integer) AS "created"`;
        return Number(rows[0]?.created ?? 0);
      });
    },

    expire(now, retentionDays) {
      return db.withPlatform(async (tx) => {
        const rows = await tx.$queryRaw<{ deleted: bigint }[]>`SELECT switchyard_request_log_expire(${now}, ${JSON.stringify(retentionDays)}::jsonb) AS "deleted"`;
        return BigInt(rows[0]?.deleted ?? 0n);
      });
    },

    list(tenantId, query) {
      return db.withTenant(tenantId, (tx) =>
        tx.requestLogEntry.findMany({
          where: whereOf(tenantId, query),
          select: ROW_SELECT,
          orderBy: [{ startedAt: 'desc' }, { requestId: 'desc' }],
          take: query.limit + 1,
        }),
      );
    },

    get(tenantId, requestId) {
      return db.withTenant(tenantId, (tx) => tx.requestLogEntry.findFirst({ where: { tenantId, requestId }, select: ROW_SELECT, orderBy: { startedAt: 'desc' } }));
    },

    latencyGroups(tenantId, by, from, to) {
      const column = GROUP_COLUMN[by];
      return db.withTenant(tenantId, async (tx) => {
        const rows = await tx.$queryRaw<Record<string, unknown>[]>`
          SELECT COALESCE(${column}, '') AS "key", ${STATS_COLUMNS}
          FROM "request_log"
          WHERE "tenant_id" = ${tenantId}::uuid AND "started_at" >= ${from} AND "started_at" < ${to}
          GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${MAX_GROUPS}`;
        return rows.map((row) => ({ key: String(row.key), ...statsOf(row) }));
      });
    },

    latencySeries(tenantId, by, keys, from, to, bucketSeconds) {
      if (keys.length === 0) return Promise.resolve([]);
      const column = GROUP_COLUMN[by];
      return db.withTenant(tenantId, async (tx) => {
        const rows = await tx.$queryRaw<Record<string, unknown>[]>`
          SELECT COALESCE(${column}, '') AS "key", date_bin(make_interval(secs => ${bucketSeconds}::integer), "started_at", ${from}) AS "bucket", ${STATS_COLUMNS}
          FROM "request_log"
          WHERE "tenant_id" = ${tenantId}::uuid AND "started_at" >= ${from} AND "started_at" < ${to} AND COALESCE(${column}, '') IN (${Prisma.join([...keys])})
          GROUP BY 1, 2 ORDER BY 2, 1`;
        return rows.map((row) => ({ key: String(row.key), bucket: new Date(row.bucket as Date), ...statsOf(row) }));
      });
    },

    spend(tenantId, by, from, to) {
      const column = SPEND_COLUMN[by];
      return db.withTenant(tenantId, async (tx) => {
        const rows = await tx.$queryRaw<Record<string, unknown>[]>`
          SELECT ${column} AS "key", count(*)::int AS "requests", sum("prompt_tokens")::bigint AS "promptTokens",
                 sum("completion_tokens")::bigint AS "completionTokens", sum("cost_micros")::bigint AS "costMicros"
          FROM "request_log"
          WHERE "tenant_id" = ${tenantId}::uuid AND "started_at" >= ${from} AND "started_at" < ${to}
          GROUP BY 1 ORDER BY sum("cost_micros") DESC, count(*) DESC, 1 LIMIT ${MAX_GROUPS}`;
        return rows.map((row) => ({
          key: row.key === null ? null : String(row.key),
          requests: Number(row.requests),
          promptTokens: Number(row.promptTokens),
          completionTokens: Number(row.completionTokens),
          costMicros: BigInt(row.costMicros as bigint | number | string),
        }));
      });
    },
  };
}
