import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Bus, Unsubscribe } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { OPTIMIZER_RUN_REQUESTED_CHANNEL, optimizerRunRequestedMessageSchema } from '@switchyard/events/optimizer';
import type { MetricsSource } from '@switchyard/http-edge/metrics-listener';
import { pino, type Logger } from 'pino';
import { startObservationConsumer } from './ingest/usage-consumer';
import { subscribeFeedback } from './ingest/feedback-subscriber';
import { createOptimizerMetrics } from './metrics';
import { runTenant, type RunOptions, type TenantRun } from './run/run-tenant';
import { createOptimizerStore } from './store/optimizer-store';
import { createInProcessLease } from './schedule/in-process-lease';
import type { LeasePort } from './schedule/lease';
import { createSchedule, type TickOutcome } from './schedule/schedule';
import { regionalRun, type OptimizerRegion } from './regions/regional-run-store';
import { tenantRegions } from './regions/tenant-regions';

/** A central run of a tenant no configured region may serve (pinned elsewhere, or unknown): nothing is written. */
export class TenantNotServedError extends Error {
  constructor(
    readonly tenantId: string,
    readonly reason: string,
  ) {
    super(`tenant ${tenantId} not run: ${reason}`);
    this.name = 'TenantNotServedError';
  }
}

export interface CostOptimizerConfig {
  /** How often every tenant is run (ms); 0: only on demand. */
  intervalMs: number;
  /** Feature window (ms). */
  windowMs: number;
  /** Share of a route's requests a canary's priors rank, in (0, 1). */
  canaryShare: number;
  /** Route names and candidate models as METRICS_TENANT_LABELS says (default off). */
  tenantLabels?: boolean;
  /** The platform's routes (name → candidate models, champion first). */
  platformRoutes: ReadonlyMap<string, readonly string[]>;
}

/** One region of a central optimizer: its database and its bus (its own Redis). */
export interface CostOptimizerRegionBackends {
  /** The region's name, as its data planes' SWITCHYARD_REGION and tenants.home_region spell it. */
  name: string;
  db: Database;
  bus: Bus;
}

/**
 * One region (`db`, `bus`: a region's own optimizer, `npm start`) or, centrally, several (`regions`):
 * each region's usage stream and feedback feed that region's feature store, and each tenant runs
 * over every region that knows it (regions/).
 */
export type CostOptimizerBackends = CostOptimizerCommonBackends & ({ db: Database; bus: Bus } | { regions: readonly CostOptimizerRegionBackends[] });

interface CostOptimizerCommonBackends {
  logger?: Logger;
  /**
   * Where replicas agree on who runs the schedule (Redis beside a Redis bus); default in this
   * process (a lone optimizer). The caller closes what it passes.
   */
  lease?: LeasePort;
  /** This replica's name in the lease; default host, pid and a random id. */
  replicaId?: string;
}

export interface ComposedCostOptimizer {
  /** Operator metrics (the process's metrics listener serves them). */
  metrics: MetricsSource;
  /** Runs one tenant now (what the schedule and run-requested events call). */
  runTenant(tenantId: string): Promise<TenantRun>;
  /** Runs every tenant once. */
  runAll(): Promise<void>;
  /** One tick of the schedule, as its timer runs it: the lease's holder runs every tenant, the other replicas skip. */
  scheduledTick(): Promise<TickOutcome>;
  close(): Promise<void>;
}

/**
 * The one composition root of the cost optimizer: its own process (main.ts) and `npm start`'s
 * `cost-optimizer` component call it with their backends. Consumes the usage stream into the
 * feature store, records feedback, runs every tenant on the schedule and on demand
 * (optimizer.run-requested), one run per tenant at a time in this process.
 */
export async function composeCostOptimizer(config: CostOptimizerConfig, backends: CostOptimizerBackends): Promise<ComposedCostOptimizer> {
  const logger = backends.logger ?? pino({ level: 'silent' });
  const central = 'regions' in backends;
  const regionList = 'regions' in backends ? backends.regions : [{ name: 'local', db: backends.db, bus: backends.bus }];
  if (regionList.length === 0) throw new Error('the cost optimizer needs at least one region');
  if (new Set(regionList.map((region) => region.name)).size !== regionList.length) throw new Error('region names must be unique');
  const regions = new Map<string, OptimizerRegion>(regionList.map((region) => [region.name, { name: region.name, store: createOptimizerStore(region.db), bus: region.bus }]));
  const metrics = createOptimizerMetrics({ tenantLabels: config.tenantLabels ?? false });
  const runOptions: RunOptions = { windowMs: config.windowMs, canaryShare: config.canaryShare, platformRoutes: config.platformRoutes };
  const closers: Array<() => Promise<void>> = [];

  // One run per tenant at a time: a run requested while one is going waits for it, then runs.
  const running = new Map<string, Promise<TenantRun>>();
  const runOne = (tenantId: string): Promise<TenantRun> => {
    const previous = running.get(tenantId) ?? Promise.resolve(undefined);
    const next = previous
      .catch(() => undefined)
      .then(() => runInRegions(tenantId))
      .then(
        (run) => {
          metrics.recordRun(run);
          return run;
        },
        (error: unknown) => {
          if (error instanceof TenantNotServedError) metrics.runSkipped();
          else metrics.runFailed();
          throw error;
        },
      );
    running.set(tenantId, next);
    void next.finally(() => {
      if (running.get(tenantId) === next) running.delete(tenantId);
    }).catch(() => undefined);
    return next;
  };
  // One region: the run reads and writes it. Centrally: the tenant's regions (regions/tenant-regions.ts).
  async function runInRegions(tenantId: string): Promise<TenantRun> {
    const only = regions.values().next().value as OptimizerRegion;
    if (!central) return runTenant(tenantId, only.store, only.bus, runOptions);
    // A region that cannot answer is left out of this run (its usage waits in its stream; the next
    // run levels its priors), so one region's outage does not stop the others' tenants.
    const answers = await Promise.allSettled([...regions.values()].map((region) => region.store.placement(tenantId)));
    const found = [...regions.values()].map((region, index) => {
      const answer = answers[index]!;
      if (answer.status === 'rejected') logger.warn({ tenantId, region: region.name, err: String(answer.reason) }, 'region unreachable; left out of this run');
      return { region: region.name, placement: answer.status === 'fulfilled' ? answer.value : undefined };
    });
    const plan = tenantRegions(found);
    if ('skip' in plan) throw new TenantNotServedError(tenantId, plan.skip);
    const { store, bus } = regionalRun(regions, plan);
    return runTenant(tenantId, store, bus, runOptions);
  }
  // Every tenant any region knows; a region that cannot answer leaves out only its own tenants (logged).
  async function allTenants(): Promise<string[]> {
    const lists = await Promise.allSettled([...regions.values()].map((region) => region.store.tenants()));
    lists.forEach((list, index) => {
      if (list.status === 'rejected') logger.error({ region: regionList[index]!.name, err: String(list.reason) }, 'cannot list the tenants of a region; its tenants wait for the next round');
    });
    const tenants = new Set(lists.flatMap((list) => (list.status === 'fulfilled' ? list.value : [])));
    if (tenants.size === 0 && lists.every((list) => list.status === 'rejected')) throw new Error('no region answered the tenant list');
    return [...tenants];
  }
  const runAll = async (stillHolds?: () => Promise<boolean>): Promise<void> => {
    for (const tenantId of await allTenants()) {
      if (stillHolds && !(await stillHolds())) return;
      await runOne(tenantId).catch((error: unknown) => {
        if (error instanceof TenantNotServedError) logger.warn({ tenantId, reason: error.reason }, 'tenant not run');
        else logger.error({ tenantId, err: String(error) }, 'optimizer run failed; the next run retries');
      });
    }
  };

  // Exactly one replica runs each scheduled round (schedule/schedule.ts); on demand runs need no lease.
  const lease = backends.lease ?? createInProcessLease();
  const schedule = createSchedule({
    lease,
    holder: backends.replicaId ?? `${hostname()}:${process.pid}:${randomUUID()}`,
    intervalMs: config.intervalMs > 0 ? config.intervalMs : 60_000,
    runAll,
    logger,
    onTick: (outcome) => metrics.tick(outcome),
  });

  try {
    for (const region of regions.values()) {
      // Each region's usage and feedback land in that region's database: nothing of a tenant is copied across.
      const regionLogger = central ? logger.child({ region: region.name }) : logger;
      const consumer = startObservationConsumer({ bus: region.bus, store: region.store, logger: regionLogger });
      closers.push(() => consumer.stop());
      const unsubscribeFeedback: Unsubscribe = await subscribeFeedback(region.bus, region.store, regionLogger);
      closers.push(unsubscribeFeedback);
      const unsubscribeRuns = await region.bus.subscribe(OPTIMIZER_RUN_REQUESTED_CHANNEL, (message) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(message);
        } catch {
          return;
        }
        const request = optimizerRunRequestedMessageSchema.safeParse(parsed);
        if (request.success) runOne(request.data.tenantId).catch((error: unknown) => regionLogger.error({ tenantId: request.data.tenantId, err: String(error) }, 'requested optimizer run failed'));
      });
      closers.push(unsubscribeRuns);
    }
    // Closers run in reverse: the lease goes back after the timer stopped and its last round ended.
    closers.push(() => schedule.release());
    if (config.intervalMs > 0) {
      let round: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        round = round.then(() => schedule.tick());
      }, config.intervalMs);
      timer.unref();
      closers.push(async () => {
        clearInterval(timer);
        await round;
      });
    }
  } catch (error) {
    for (const closeOne of closers.splice(0).reverse()) await closeOne().catch(() => undefined);
    throw error;
  }

  return {
    metrics: metrics.registry,
    runTenant: runOne,
    runAll: () => runAll(),
    scheduledTick: () => schedule.tick(),
    async close() {
      for (const closeOne of closers.splice(0).reverse()) await closeOne();
      await Promise.allSettled(running.values());
    },
  };
}
