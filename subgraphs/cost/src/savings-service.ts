import { z } from 'zod';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import { OPTIMIZER_RUN_REQUESTED_CHANNEL } from '@switchyard/events/optimizer';
import { AUDIT_STREAM, auditEventSchema, type AuditEventInput } from '@switchyard/events/audit';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import type { Logger } from './logger';
import { gainShareMicros, priceTokens } from '@switchyard/cost-optimizer/domain';
import { canReadTenantCost } from './authorization';
import { forbidden } from './errors';
import { parseInput } from './parse-input';
import { createSavingsStore, type StoredRouteSavings } from './savings-store';

export type SavingsBaselineEnum = 'CHAMPION' | 'MOST_EXPENSIVE';

export interface RouteSavingsView {
  route: string;
  baseline: SavingsBaselineEnum;
  baselineModel: string;
  requests: number;
  actualCostUsd: number;
  baselineCostUsd: number;
  savingsUsd: number;
  savingsPct: number;
  regret: number;
  regretDelta: number;
  computedAt: Date;
}

export interface SavingsReport {
  tenantId: string;
  baseline: SavingsBaselineEnum;
  gainSharePct: number;
  routes: RouteSavingsView[];
  history: RouteSavingsView[];
}

export interface GainShareMonth {
  tenantId: string;
  month: string;
  requests: number;
  actualCostUsd: number;
  baselineCostUsd: number;
  savingsUsd: number;
  sharePct: number;
  shareUsd: number;
}

const tenantIdSchema = z.string().uuid('Must be a tenant id (UUID).');
const monthSchema = z.string().regex(/^(19|20)\d\d-(0[1-9]|1[0-2])$/, 'Must be a month as YYYY-MM.');
const baselineSchema = z.enum(['CHAMPION', 'MOST_EXPENSIVE']).optional().nullable();
const sharePctSchema = z.number().finite().min(0, 'Must be between 0 and 100.').max(100, 'Must be between 0 and 100.').optional().nullable();

const toEnum = (baseline: string): SavingsBaselineEnum => (baseline === 'most_expensive' ? 'MOST_EXPENSIVE' : 'CHAMPION');
const usd = (micros: bigint): number => Number(micros) / 1_000_000;

function view(row: StoredRouteSavings): RouteSavingsView {
  return {
    route: row.route,
    baseline: toEnum(row.baseline),
    baselineModel: row.baselineModel,
    requests: row.requests,
    actualCostUsd: usd(row.actualMicros),
    baselineCostUsd: usd(row.baselineMicros),
    savingsUsd: usd(row.baselineMicros - row.actualMicros),
    savingsPct: row.savingsPct,
    regret: row.regret,
    regretDelta: row.regretDelta,
    computedAt: row.createdAt,
  };
}

/** Tenant admins (their own tenant) and platform admins may change settings and ask for runs. */
function canAdminister(principal: Principal, tenantId: string): boolean {
  if (principal.roles.includes('platform_admin')) return true;
  return principal.tenantId === tenantId && principal.roles.includes('tenant_admin');
}

/** Savings, gain share and the optimizer's tenant settings: authorization and coordination. */
export function createSavingsService(deps: { db: Database; bus: Bus; logger?: Pick<Logger, 'error'> }) {
  const store = createSavingsStore(deps.db);

  const readable = (tenantId: string, principal: Principal): string => {
    const valid = parseInput(tenantIdSchema, tenantId, 'tenantId');
    if (!canReadTenantCost(principal, valid)) throw forbidden("You may only read your own tenant's savings.");
    return valid;
  };
  const administrable = (tenantId: string, principal: Principal): string => {
    const valid = parseInput(tenantIdSchema, tenantId, 'tenantId');
    if (!canAdminister(principal, valid)) throw forbidden("Only the tenant's admins may change its optimizer.");
    return valid;
  };

  const report = async (tenantId: string): Promise<SavingsReport> => {
    const [settings, history] = await Promise.all([store.settings(tenantId), store.history(tenantId)]);
    const newest = new Map<string, StoredRouteSavings>();
    for (const row of history) newest.set(row.route, row);
    return {
      tenantId,
      baseline: toEnum(settings.baseline),
      gainSharePct: settings.gainSharePct,
      routes: [...newest.values()].sort((a, b) => a.route.localeCompare(b.route)).map(view),
      history: history.map(view),
    };
  };

  return {
    async savings(tenantId: string, principal: Principal): Promise<SavingsReport> {
      return report(readable(tenantId, principal));
    },

    /**
     * One month's savings: the month's route traffic priced at each route's baseline model (the
     * one the newest optimizer run used), minus what it cost; the gain share of the positive part.
     */
    async gainShareReport(tenantId: string, month: string, principal: Principal): Promise<GainShareMonth> {
      const valid = readable(tenantId, principal);
      const validMonth = parseInput(monthSchema, month, 'month');
      const start = new Date(`${validMonth}-01T00:00:00.000Z`);
      const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
      const [settings, history, usage, prices] = await Promise.all([store.settings(valid), store.history(valid), store.monthUsage(valid, start, end), store.prices()]);
      const baselineOf = new Map(history.map((row) => [row.route, row.baselineModel]));
      let actual = 0n;
      let baseline = 0n;
      let requests = 0;
      for (const row of usage) {
        const price = prices.get(baselineOf.get(row.route) ?? row.model) ?? prices.get(row.model);
        actual += row.costMicros;
        // A route never run by the optimizer, or an unpriced model, counts at what it cost (no savings claimed).
        baseline += price ? priceTokens(row.promptTokens, row.completionTokens, price) : row.costMicros;
        requests += Number(row.requests);
      }
      const savings = baseline - actual;
      return {
        tenantId: valid,
        month: validMonth,
        requests,
        actualCostUsd: usd(actual),
        baselineCostUsd: usd(baseline),
        savingsUsd: usd(savings),
        sharePct: settings.gainSharePct,
        shareUsd: usd(gainShareMicros(savings, settings.gainSharePct)),
      };
    },

    async runCostOptimizer(tenantId: string, principal: Principal): Promise<boolean> {
      const valid = administrable(tenantId, principal);
      await deps.bus.publish(OPTIMIZER_RUN_REQUESTED_CHANNEL, JSON.stringify({ tenantId: valid }));
      return true;
    },

    async setOptimizerSettings(tenantId: string, input: { baseline?: unknown; gainSharePct?: unknown }, principal: Principal): Promise<SavingsReport> {
      const valid = administrable(tenantId, principal);
      const baseline = parseInput(baselineSchema, input.baseline, 'baseline');
      const gainSharePct = parseInput(sharePctSchema, input.gainSharePct, 'gainSharePct');
      const saved = await store.saveSettings(valid, { baseline: baseline ? (baseline === 'MOST_EXPENSIVE' ? 'most_expensive' : 'champion') : undefined, gainSharePct: gainSharePct ?? undefined });
      // Audited like every tenant setting: the audit subgraph chains it (idempotent per saved version).
      const event: AuditEventInput = {
        idempotencyKey: `optimizer.settings_update:${valid}:${saved.updatedAt.getTime()}`,
        tenantId: valid,
        actor: auditActor(principal),
        action: 'optimizer.settings_update',
        dataClassification: 'internal',
        payload: { baseline: saved.baseline, gainSharePct: saved.gainSharePct },
        occurredAt: saved.updatedAt.toISOString(),
      };
      await deps.bus.append(AUDIT_STREAM, JSON.stringify(auditEventSchema.parse(event))).catch((error: unknown) => deps.logger?.error({ err: String(error), tenantId: valid }, 'could not append an optimizer settings audit event'));
      return report(valid);
    },
  };
}

export type SavingsService = ReturnType<typeof createSavingsService>;
