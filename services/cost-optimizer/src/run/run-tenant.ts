import type { Bus } from '@switchyard/bus';
import { BANDIT_PRIORS_CHANGED_CHANNEL, banditPriorsChangedMessage, OPTIMIZER_RUNS_STREAM, SAVINGS_UPDATED_CHANNEL, type OptimizerRunEvent } from '@switchyard/events/optimizer';
import type { CanaryRule } from '../domain/canary';
import type { ObjectiveWeights } from '../domain/scoring';
import type { FeatureRow, OptimizerStore, SavingsRow } from '../store/optimizer-store';
import { armFeaturesOf, judgeCohorts, newPriors, priorsChanged, rewardBoundsOf, savingsOf } from './route-plan';

/** What a run reads and writes: one region's store, or the regions' store of a central optimizer (regions/regional-run-store.ts). */
export type RunStore = Pick<
  OptimizerStore,
  'createSnapshot' | 'features' | 'priors' | 'settings' | 'prices' | 'cohortRequests' | 'promoteCanary' | 'discardCanary' | 'startCanary' | 'routeCandidates' | 'writeSavings'
>;

/** Where a run announces what changed: one region's bus, or every region that serves the tenant. */
export type RunBus = Pick<Bus, 'publish' | 'append'>;

export interface RunOptions {
  /** How far back the feature window reaches (ms). */
  windowMs: number;
  /** Share of a route's requests new priors rank while they are a canary. */
  canaryShare: number;
  canaryRule?: CanaryRule;
  weights?: ObjectiveWeights;
  /** Candidates of the platform's routes (models, champion first); tenant routes are read from the database. */
  platformRoutes: ReadonlyMap<string, readonly string[]>;
  now?: () => Date;
}

export interface RouteOutcome {
  route: string;
  canary: 'started' | 'promoted' | 'discarded' | 'waiting' | 'unchanged';
  savings?: SavingsRow;
}

export interface TenantRun {
  tenantId: string;
  snapshotId: string;
  routes: RouteOutcome[];
}

/** Canary requests read per judgement (newest first): bounds the work of one run. */
const COHORT_LIMIT = 20_000;

/**
 * One optimizer run for one tenant: freeze a snapshot of the window, then per route: judge a
 * running canary (promote or discard it), else start a canary when the snapshot's priors differ
 * from the active ones; write savings and regret. Publishes bandit-priors.changed when priors
 * changed; appends the run's savings and regret per route to optimizer.runs (the quality and cost
 * SLIs) and publishes savings.updated when savings were written.
 */
export async function runTenant(tenantId: string, store: RunStore, bus: RunBus, options: RunOptions): Promise<TenantRun> {
  const now = options.now?.() ?? new Date();
  const snapshotId = await store.createSnapshot(tenantId, new Date(now.getTime() - options.windowMs), now);
  const features = await store.features(tenantId, snapshotId);
  const byRoute = new Map<string, FeatureRow[]>();
  for (const row of features) byRoute.set(row.route, [...(byRoute.get(row.route) ?? []), row]);
  const priors = await store.priors(tenantId);
  const settings = await store.settings(tenantId);
  const prices = await store.prices();

  let priorsTouched = false;
  const routes: RouteOutcome[] = [];
  const savingsRows: SavingsRow[] = [];
  for (const [route, rows] of byRoute) {
    const routePriors = priors.filter((p) => p.route === route);
    const canary = routePriors.filter((p) => p.stage === 'canary');
    const active = routePriors.filter((p) => p.stage === 'active');
    let outcome: RouteOutcome['canary'] = 'unchanged';
    if (canary.length > 0) {
      const startedAt = canary[0]!.updatedAt;
      const verdict = judgeCohorts(await store.cohortRequests(tenantId, route, startedAt, COHORT_LIMIT), rewardBoundsOf(rows.map(armFeaturesOf)), options.canaryRule);
      if (verdict.decision === 'promote' && (await store.promoteCanary(tenantId, route, startedAt))) outcome = 'promoted';
      else if (verdict.decision === 'discard' && (await store.discardCanary(tenantId, route, startedAt))) outcome = 'discarded';
      else outcome = 'waiting';
    } else {
      const next = newPriors(rows, options.weights);
      if (priorsChanged(active, next)) {
        await store.startCanary(tenantId, route, snapshotId, options.canaryShare, next);
        outcome = 'started';
      }
    }
    if (outcome === 'started' || outcome === 'promoted' || outcome === 'discarded') priorsTouched = true;

    const candidates = options.platformRoutes.get(route) ?? (await store.routeCandidates(tenantId, route)) ?? [...new Set(rows.map((row) => row.model))];
    const savings = savingsOf(route, rows, candidates, prices, settings.baseline);
    if (savings) savingsRows.push(savings);
    routes.push({ route, canary: outcome, ...(savings ? { savings } : {}) });
  }
  await store.writeSavings(tenantId, snapshotId, savingsRows);
  if (priorsTouched) await bus.publish(BANDIT_PRIORS_CHANGED_CHANNEL, banditPriorsChangedMessage(tenantId));
  if (savingsRows.length > 0) {
    await bus.append(OPTIMIZER_RUNS_STREAM, JSON.stringify(runEventOf(tenantId, snapshotId, now, savingsRows)));
    await bus.publish(SAVINGS_UPDATED_CHANNEL, JSON.stringify({ tenantId }));
  }
  return { tenantId, snapshotId, routes };
}

/** The optimizer.runs entry of a run: its snapshot id is the run id the SLO consumer counts once. */
export function runEventOf(tenantId: string, snapshotId: string, windowEnd: Date, rows: readonly SavingsRow[]): OptimizerRunEvent {
  return {
    runId: snapshotId,
    tenantId,
    at: windowEnd.toISOString(),
    routes: rows.map((row) => ({ route: row.route, requests: row.requests, savingsPct: row.savingsPct, regretDelta: row.regretDelta })),
  };
}
