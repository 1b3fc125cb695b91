import type { Database } from '@switchyard/db';

/** A stored route_savings row (written by the cost optimizer; read here). */
export interface StoredRouteSavings {
  route: string;
  baseline: string;
  baselineModel: string;
  requests: number;
  actualMicros: bigint;
  baselineMicros: bigint;
  savingsPct: number;
  regret: number;
  regretDelta: number;
  createdAt: Date;
}

/** Runs kept per route for the charts. */
export const HISTORY_PER_ROUTE = 50;

/**
 * Reads what the cost optimizer wrote (route_savings, optimizer_observations) and owns the
 * tenant's optimizer settings (optimizer_settings: this subgraph is its only writer). Every read
 * and write runs under withTenant (row-level security).
 */
export function createSavingsStore(db: Pick<Database, 'withTenant' | 'latestPriceBook'>) {
  return {
    async settings(tenantId: string): Promise<{ baseline: string; gainSharePct: number }> {
      const row = await db.withTenant(tenantId, (tx) => tx.optimizerSetting.findUnique({ where: { tenantId } }));
      return row ?? { baseline: 'champion', gainSharePct: 20 };
    },

    /** Upsert: the same settings written twice leave one row with those settings. */
    async saveSettings(tenantId: string, settings: { baseline?: string | undefined; gainSharePct?: number | undefined }): Promise<{ baseline: string; gainSharePct: number; updatedAt: Date }> {
      const data = { ...(settings.baseline ? { baseline: settings.baseline } : {}), ...(settings.gainSharePct !== undefined ? { gainSharePct: settings.gainSharePct } : {}) };
      return db.withTenant(tenantId, (tx) =>
        tx.optimizerSetting.upsert({ where: { tenantId }, create: { tenantId, ...data }, update: { ...data, updatedAt: new Date() }, select: { baseline: true, gainSharePct: true, updatedAt: true } }),
      );
    },

    /** The newest HISTORY_PER_ROUTE runs per route, oldest first. */
    async history(tenantId: string): Promise<StoredRouteSavings[]> {
      const rows = await db.withTenant(tenantId, (tx) =>
        tx.$queryRaw<StoredRouteSavings[]>`
          SELECT route, baseline, baseline_model AS "baselineModel", requests, actual_micros AS "actualMicros", baseline_micros AS "baselineMicros",
                 savings_pct AS "savingsPct", regret, regret_delta AS "regretDelta", created_at AS "createdAt"
          FROM (SELECT *, row_number() OVER (PARTITION BY route ORDER BY created_at DESC) AS n FROM route_savings WHERE tenant_id = ${tenantId}::uuid) ranked
          WHERE n <= ${HISTORY_PER_ROUTE}
          ORDER BY created_at ASC, route ASC`,
      );
      return rows;
    },

    /** Tokens and cost of one month's route traffic per (route, model), [start, end). */
    async monthUsage(tenantId: string, start: Date, end: Date) {
      return db.withTenant(tenantId, (tx) =>
        tx.$queryRaw<{ route: string; model: string; requests: bigint; promptTokens: bigint; completionTokens: bigint; costMicros: bigint }[]>`
          SELECT route, model, count(*) AS requests, sum(prompt_tokens)::bigint AS "promptTokens", sum(completion_tokens)::bigint AS "completionTokens", sum(cost_micros)::bigint AS "costMicros"
          FROM optimizer_observations
          WHERE tenant_id = ${tenantId}::uuid AND created_at >= ${start} AND created_at < ${end}
          GROUP BY route, model`,
      );
    },

    async prices(): Promise<Map<string, { inputPer1kMicros: bigint; outputPer1kMicros: bigint }>> {
      const book = await db.latestPriceBook();
      return new Map(book.prices.map((price) => [price.model, { inputPer1kMicros: price.inputPer1kMicros, outputPer1kMicros: price.outputPer1kMicros }]));
    },
  };
}

export type SavingsStore = ReturnType<typeof createSavingsStore>;
