import type { Database } from '@switchyard/db';
import type { SavingsBaseline } from '../domain/savings';

/** One request of a configured route, as the usage stream told it. */
export interface ObservationRow {
  requestId: string;
  route: string;
  upstream: string;
  model: string;
  success: boolean;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: bigint;
  priors: 'active' | 'canary' | null;
  createdAt: Date;
}

/** A client quality score; `id` (derived from the bus batch) makes a redelivery a no-op. */
export interface FeedbackRow {
  id?: string;
  route: string;
  upstream: string;
  score: number;
}

export interface FeatureRow {
  route: string;
  upstream: string;
  model: string;
  requests: number;
  successes: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  quality: number | null;
  qualitySamples: number;
  promptTokens: bigint;
  completionTokens: bigint;
  costMicros: bigint;
}

export interface PriorRow {
  route: string;
  upstream: string;
  stage: 'active' | 'canary';
  alpha: number;
  beta: number;
  snapshotId: string;
  canaryShare: number | null;
  updatedAt: Date;
}

export interface SavingsRow {
  route: string;
  baseline: SavingsBaseline;
  baselineModel: string;
  requests: number;
  actualMicros: bigint;
  baselineMicros: bigint;
  savingsPct: number;
  regret: number;
  regretDelta: number;
}

export interface OptimizerSettings {
  baseline: SavingsBaseline;
  gainSharePct: number;
}

export const DEFAULT_OPTIMIZER_SETTINGS: OptimizerSettings = { baseline: 'champion', gainSharePct: 20 };

/**
 * The only code of the optimizer that touches the database. Every tenant's rows are written and
 * read inside withTenant (row-level security); only the tenant list is platform scope.
 */
export function createOptimizerStore(db: Pick<Database, 'withTenant' | 'withPlatform' | 'latestPriceBook'>) {
  return {
    async tenants(): Promise<string[]> {
      return (await db.withPlatform((tx) => tx.tenant.findMany({ select: { id: true } }))).map((row) => row.id);
    },

    /** Idempotent by (tenant, request id): a redelivered usage event is a no-op. */
    async recordObservations(tenantId: string, rows: readonly ObservationRow[]): Promise<number> {
      if (rows.length === 0) return 0;
      const result = await db.withTenant(tenantId, (tx) => tx.optimizerObservation.createMany({ data: rows.map((row) => ({ tenantId, ...row })), skipDuplicates: true }));
      return result.count;
    },

    /** Idempotent by row id where the row has one (see FeedbackRow). */
    async recordFeedback(tenantId: string, rows: readonly FeedbackRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.withTenant(tenantId, (tx) => tx.optimizerFeedback.createMany({ data: rows.map((row) => ({ tenantId, ...row })), skipDuplicates: true }));
    },

    /**
     * Freezes the window's features into a new snapshot in one transaction (percentiles by
     * Postgres' percentile_cont); a run then reads only that snapshot, never the moving tables.
     */
    async createSnapshot(tenantId: string, windowStart: Date, windowEnd: Date): Promise<string> {
      return db.withTenant(tenantId, async (tx) => {
        const snapshot = await tx.optimizerSnapshot.create({ data: { tenantId, windowStart, windowEnd }, select: { id: true } });
        await tx.$executeRaw`
          INSERT INTO optimizer_features (snapshot_id, tenant_id, route, upstream, model, requests, successes,
            latency_p50_ms, latency_p95_ms, latency_p99_ms, quality, quality_samples, prompt_tokens, completion_tokens, cost_micros)
          SELECT ${snapshot.id}::uuid, o.tenant_id, o.route, o.upstream, min(o.model), count(*)::int, count(*) FILTER (WHERE o.success)::int,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY o.latency_ms),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY o.latency_ms),
            percentile_cont(0.99) WITHIN GROUP (ORDER BY o.latency_ms),
            f.quality, coalesce(f.samples, 0)::int,
            sum(o.prompt_tokens)::bigint, sum(o.completion_tokens)::bigint, sum(o.cost_micros)::bigint
          FROM optimizer_observations o
          LEFT JOIN (
            SELECT route, upstream, avg(score) AS quality, count(*) AS samples FROM optimizer_feedback
            WHERE tenant_id = ${tenantId}::uuid AND created_at >= ${windowStart} AND created_at < ${windowEnd}
            GROUP BY route, upstream
          ) f ON f.route = o.route AND f.upstream = o.upstream
          WHERE o.tenant_id = ${tenantId}::uuid AND o.created_at >= ${windowStart} AND o.created_at < ${windowEnd}
          GROUP BY o.tenant_id, o.route, o.upstream, f.quality, f.samples`;
        return snapshot.id;
      });
    },

    /**
     * The window's features as the snapshot query computes them, read only: what a central
     * optimizer reads from each region (the rows stay where they were recorded; see regions/).
     */
    async windowFeatures(tenantId: string, windowStart: Date, windowEnd: Date): Promise<FeatureRow[]> {
      const rows = await db.withTenant(tenantId, (tx) => tx.$queryRaw<Array<Omit<FeatureRow, 'quality'> & { quality: number | null }>>`
          SELECT o.route, o.upstream, min(o.model) AS model, count(*)::int AS requests, (count(*) FILTER (WHERE o.success))::int AS successes,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY o.latency_ms) AS "latencyP50Ms",
            percentile_cont(0.95) WITHIN GROUP (ORDER BY o.latency_ms) AS "latencyP95Ms",
            percentile_cont(0.99) WITHIN GROUP (ORDER BY o.latency_ms) AS "latencyP99Ms",
            f.quality::float8 AS quality, coalesce(f.samples, 0)::int AS "qualitySamples",
            sum(o.prompt_tokens)::bigint AS "promptTokens", sum(o.completion_tokens)::bigint AS "completionTokens", sum(o.cost_micros)::bigint AS "costMicros"
          FROM optimizer_observations o
          LEFT JOIN (
            SELECT route, upstream, avg(score) AS quality, count(*) AS samples FROM optimizer_feedback
            WHERE tenant_id = ${tenantId}::uuid AND created_at >= ${windowStart} AND created_at < ${windowEnd}
            GROUP BY route, upstream
          ) f ON f.route = o.route AND f.upstream = o.upstream
          WHERE o.tenant_id = ${tenantId}::uuid AND o.created_at >= ${windowStart} AND o.created_at < ${windowEnd}
          GROUP BY o.route, o.upstream, f.quality, f.samples
          ORDER BY o.route, o.upstream`);
      return rows.map((row) => ({ ...row, latencyP50Ms: Number(row.latencyP50Ms), latencyP95Ms: Number(row.latencyP95Ms), latencyP99Ms: Number(row.latencyP99Ms), quality: row.quality === null ? null : Number(row.quality) }));
    },

    /** Stores a snapshot whose features were computed elsewhere (merged over regions) under a given id, in one transaction. */
    async storeSnapshot(tenantId: string, snapshotId: string, windowStart: Date, windowEnd: Date, features: readonly FeatureRow[]): Promise<void> {
      await db.withTenant(tenantId, async (tx) => {
        await tx.optimizerSnapshot.create({ data: { id: snapshotId, tenantId, windowStart, windowEnd } });
        if (features.length > 0) await tx.optimizerFeature.createMany({ data: features.map((row) => ({ snapshotId, tenantId, ...row })) });
      });
    },

    /** Whether this database knows the tenant, and where the tenant lives (tenants.home_region, region_pinned). */
    async placement(tenantId: string): Promise<{ homeRegion: string | null; pinned: boolean } | undefined> {
      const row = await db.withPlatform((tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { homeRegion: true, regionPinned: true } }));
      return row ? { homeRegion: row.homeRegion, pinned: row.regionPinned } : undefined;
    },

    async features(tenantId: string, snapshotId: string): Promise<FeatureRow[]> {
      return db.withTenant(tenantId, (tx) =>
        tx.optimizerFeature.findMany({
          where: { snapshotId },
          orderBy: [{ route: 'asc' }, { upstream: 'asc' }],
          select: {
            route: true,
            upstream: true,
            model: true,
            requests: true,
            successes: true,
            latencyP50Ms: true,
            latencyP95Ms: true,
            latencyP99Ms: true,
            quality: true,
            qualitySamples: true,
            promptTokens: true,
            completionTokens: true,
            costMicros: true,
          },
        }),
      );
    },

    async priors(tenantId: string): Promise<PriorRow[]> {
      const rows = await db.withTenant(tenantId, (tx) => tx.banditPrior.findMany({ orderBy: [{ route: 'asc' }, { upstream: 'asc' }] }));
      return rows.map((row) => ({ ...row, stage: row.stage === 'canary' ? 'canary' : 'active' }));
    },

    /** Starts a canary for a route: its rows replace any earlier canary of the route. */
    async startCanary(tenantId: string, route: string, snapshotId: string, share: number, arms: readonly { upstream: string; alpha: number; beta: number }[]): Promise<void> {
      await db.withTenant(tenantId, async (tx) => {
        await tx.banditPrior.deleteMany({ where: { route, stage: 'canary' } });
        await tx.banditPrior.createMany({ data: arms.map((arm) => ({ tenantId, route, stage: 'canary', snapshotId, canaryShare: share, ...arm })) });
      });
    },

    /**
     * The canary's priors become the route's active ones, in one transaction. `startedAt` is the
     * canary the caller judged: if another run replaced it meanwhile, nothing changes (false).
     */
    async promoteCanary(tenantId: string, route: string, startedAt: Date): Promise<boolean> {
      return db.withTenant(tenantId, async (tx) => {
        const canary = await tx.banditPrior.findMany({ where: { route, stage: 'canary', updatedAt: startedAt } });
        if (canary.length === 0) return false;
        await tx.banditPrior.deleteMany({ where: { route } });
        await tx.banditPrior.createMany({ data: canary.map((row) => ({ tenantId, route, upstream: row.upstream, stage: 'active', alpha: row.alpha, beta: row.beta, snapshotId: row.snapshotId, canaryShare: null })) });
        return true;
      });
    },

    /**
     * Makes a route's priors (both stages) exactly `rows`, in one transaction: how a central optimizer
     * keeps a region's priors equal to the primary region's (regions/regional-run-store.ts).
     */
    async replaceRoutePriors(tenantId: string, route: string, rows: readonly PriorRow[]): Promise<void> {
      await db.withTenant(tenantId, async (tx) => {
        await tx.banditPrior.deleteMany({ where: { route } });
        if (rows.length > 0) {
          await tx.banditPrior.createMany({
            data: rows.map((row) => ({ tenantId, route, upstream: row.upstream, stage: row.stage, alpha: row.alpha, beta: row.beta, snapshotId: row.snapshotId, canaryShare: row.canaryShare, updatedAt: row.updatedAt })),
          });
        }
      });
    },

    async discardCanary(tenantId: string, route: string, startedAt: Date): Promise<boolean> {
      const { count } = await db.withTenant(tenantId, (tx) => tx.banditPrior.deleteMany({ where: { route, stage: 'canary', updatedAt: startedAt } }));
      return count > 0;
    },

    /** The route's requests since `since` ranked by priors (canary or active), newest first, at most `limit`. */
    async cohortRequests(tenantId: string, route: string, since: Date, limit: number) {
      return db.withTenant(tenantId, (tx) =>
        tx.optimizerObservation.findMany({
          where: { route, createdAt: { gte: since }, priors: { not: null } },
          orderBy: { createdAt: 'desc' },
          take: limit,
          select: { createdAt: true, priors: true, success: true, latencyMs: true, promptTokens: true, completionTokens: true, costMicros: true },
        }),
      );
    },

    async settings(tenantId: string): Promise<OptimizerSettings> {
      const row = await db.withTenant(tenantId, (tx) => tx.optimizerSetting.findUnique({ where: { tenantId } }));
      return row ? { baseline: row.baseline === 'most_expensive' ? 'most_expensive' : 'champion', gainSharePct: row.gainSharePct } : DEFAULT_OPTIMIZER_SETTINGS;
    },

    /** The candidates (models, in order: the first is the champion) of a tenant's own route; undefined for a platform route. */
    async routeCandidates(tenantId: string, route: string): Promise<string[] | undefined> {
      const row = await db.withTenant(tenantId, (tx) => tx.route.findUnique({ where: { tenantId_name: { tenantId, name: route } }, select: { definition: true } }));
      const candidates = (row?.definition as { candidates?: unknown } | undefined)?.candidates;
      if (!Array.isArray(candidates)) return undefined;
      return candidates.flatMap((candidate: unknown) => (typeof candidate === 'object' && candidate !== null && typeof (candidate as { model?: unknown }).model === 'string' ? [(candidate as { model: string }).model] : []));
    },

    async prices(): Promise<Map<string, { inputPer1kMicros: bigint; outputPer1kMicros: bigint }>> {
      const book = await db.latestPriceBook();
      return new Map((book?.prices ?? []).map((price) => [price.model, { inputPer1kMicros: price.inputPer1kMicros, outputPer1kMicros: price.outputPer1kMicros }]));
    },

    async writeSavings(tenantId: string, snapshotId: string, rows: readonly SavingsRow[]): Promise<void> {
      if (rows.length === 0) return;
      await db.withTenant(tenantId, (tx) => tx.routeSavings.createMany({ data: rows.map((row) => ({ tenantId, snapshotId, ...row })), skipDuplicates: true }));
    },
  };
}

export type OptimizerStore = ReturnType<typeof createOptimizerStore>;
