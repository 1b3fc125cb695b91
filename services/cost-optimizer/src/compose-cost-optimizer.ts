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

export interface CostOptimizerBackends {
  db: Database;
  bus: Bus;
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
  const { db, bus } = backends;
  const logger = backends.logger ?? pino({ level: 'silent' });
  const store = createOptimizerStore(db);
  const metrics = createOptimizerMetrics({ tenantLabels: config.tenantLabels ?? false });
  const runOptions: RunOptions = { windowMs: config.windowMs, canaryShare: config.canaryShare, platformRoutes: config.platformRoutes };
  const closers: Array<() => Promise<void>> = [];

  // One run per tenant at a time: a run requested while one is going waits for it, then runs.
  const running = new Map<string, Promise<TenantRun>>();
  const runOne = (tenantId: string): Promise<TenantRun> => {
    const previous = running.get(tenantId) ?? Promise.resolve(undefined);
    const next = previous
      .catch(() => undefined)
      .then(() => runTenant(tenantId, store, bus, runOptions))
      .then(
        (run) => {
          metrics.recordRun(run);
          return run;
        },
        (error: unknown) => {
          metrics.runFailed();
          throw error;
        },
      );
    running.set(tenantId, next);
    void next.finally(() => {
      if (running.get(tenantId) === next) running.delete(tenantId);
    }).catch(() => undefined);
    return next;
  };
  const runAll = async (stillHolds?: () => Promise<boolean>): Promise<void> => {
    for (const tenantId of await store.tenants()) {
      if (stillHolds && !(await stillHolds())) return;
      await runOne(tenantId).catch((error: unknown) => logger.error({ tenantId, err: String(error) }, 'optimizer run failed; the next run retries'));
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
    const consumer = startObservationConsumer({ bus, store, logger });
    closers.push(() => consumer.stop());
    const unsubscribeFeedback: Unsubscribe = await subscribeFeedback(bus, store, logger);
    closers.push(unsubscribeFeedback);
    const unsubscribeRuns = await bus.subscribe(OPTIMIZER_RUN_REQUESTED_CHANNEL, (message) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message);
      } catch {
        return;
      }
      const request = optimizerRunRequestedMessageSchema.safeParse(parsed);
      if (request.success) runOne(request.data.tenantId).catch((error: unknown) => logger.error({ tenantId: request.data.tenantId, err: String(error) }, 'requested optimizer run failed'));
    });
    closers.push(unsubscribeRuns);
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
