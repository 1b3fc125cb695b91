import { randomUUID } from 'node:crypto';
import type { Database, Prisma, TenantTx } from '@switchyard/db';
import type { ArmStatRecord, ExperimentRecord } from './experiment-record';
import type { RouteRecord } from './route-record';
import { RoutePinnedError } from './route-store';
import { appendVersion, lockRoute, withoutExperiment, type VersionReason } from './route-versions';

export class ExperimentRunningError extends Error {}
/** The experiment is not in the status the change needs (e.g. promoting a stopped one, or the loser of two concurrent promotions). */
export class ExperimentStatusError extends Error {
  constructor(readonly status: string) {
    super(`experiment is ${status}`);
  }
}

export interface StartExperimentRow {
  tenantId: string;
  routeName: string;
  challenger: { model: string; provider?: string | undefined };
  /** What the admin registered about the challenger (price, context window, region); kept apart from the route definition. */
  challengerMetadata?: Prisma.InputJsonValue | undefined;
  mode: 'shadow' | 'split';
  percent: number;
  unit: 'user' | 'key' | 'session';
  metric: string;
  guardrails: Prisma.InputJsonValue;
  alpha: number;
  tau2: number;
  autoPromote: boolean;
  /** The automatic judge; absent: none. */
  judge?: { model: string; provider?: string | undefined } | undefined;
  actor: string;
  at: Date;
}

export interface Transition {
  tenantId: string;
  experimentId: string;
  actor: string;
  at: Date;
  reason?: string;
}

export type TransitionResult = { experiment: ExperimentRecord; route: RouteRecord };

/** One observation of a usage event: the values it adds per metric to one arm. */
export interface Observation {
  requestId: string;
  experimentId: string;
  arm: 'champion' | 'challenger';
  values: Partial<Record<string, number>>;
}

/**
 * The experiments' storage. Every lifecycle change is one transaction that locks the route row,
 * moves the experiment's status with a guard on the status it expects, and appends the route
 * version it implies: concurrent promotions of one experiment resolve to one (the loser's guarded
 * update matches nothing), and a crash in the middle leaves the route and the experiment as they
 * were (exactly one champion).
 */
export interface ExperimentStore {
  list(tenantId: string): Promise<ExperimentRecord[]>;
  find(tenantId: string, id: string): Promise<ExperimentRecord | null>;
  /** Null when the route does not exist; RoutePinnedError, ExperimentRunningError. */
  start(row: StartExperimentRow): Promise<TransitionResult | null>;
  stop(input: Transition & { versionReason: VersionReason }): Promise<TransitionResult | null>;
  promote(input: Transition): Promise<TransitionResult | null>;
  revert(input: Transition): Promise<TransitionResult | null>;
  stats(tenantId: string, experimentIds: readonly string[]): Promise<ArmStatRecord[]>;
  /** Adds each observation once (by request id); the experiments that changed. */
  observe(tenantId: string, observations: readonly Observation[]): Promise<string[]>;
}

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'P2002' || code === '23505' || /unique constraint/i.test(String((error as { message?: unknown }).message));
}

export function createExperimentStore(db: Database): ExperimentStore {
  /** Locks the experiment's route, then moves the experiment from `from` to `to` (guarded). */
  async function transition(tx: TenantTx, input: Transition, from: string, to: string, extra: Prisma.ExperimentUpdateManyMutationInput = {}) {
    const experiment = await tx.experiment.findUnique({ where: { id: input.experimentId } });
    if (experiment === null) return null;
    const route = await lockRoute(tx, input.tenantId, experiment.routeName);
    if (route === null) return null;
    const moved = await tx.experiment.updateMany({
      where: { id: experiment.id, status: from },
      data: { status: to, updatedAt: input.at, ...(input.reason ? { statusReason: input.reason } : {}), ...extra },
    });
    if (moved.count !== 1) {
      const now = await tx.experiment.findUnique({ where: { id: experiment.id }, select: { status: true } });
      throw new ExperimentStatusError(now?.status ?? 'gone');
    }
    return { experiment, route };
  }

  const reload = async (tx: TenantTx, id: string) => (await tx.experiment.findUnique({ where: { id } }))!;

  return {
    list(tenantId) {
      return db.withTenant(tenantId, (tx) => tx.experiment.findMany({ where: { tenantId }, orderBy: { createdAt: 'desc' }, take: 200 }));
    },

    find(tenantId, id) {
      return db.withTenant(tenantId, (tx) => tx.experiment.findFirst({ where: { tenantId, id } }));
    },

    async start(row) {
      try {
        return await db.withTenant(row.tenantId, async (tx) => {
          const route = await lockRoute(tx, row.tenantId, row.routeName);
          if (route === null) return null;
          if (route.pinnedVersion !== null) throw new RoutePinnedError(route.pinnedVersion);
          if (await tx.experiment.findFirst({ where: { routeId: route.id, status: 'running' }, select: { id: true } })) throw new ExperimentRunningError();
          const id = randomUUID();
          const experiment = await tx.experiment.create({
            data: {
              id,
              tenantId: row.tenantId,
              routeId: route.id,
              routeName: route.name,
              challenger: row.challenger,
              ...(row.challengerMetadata !== undefined ? { challengerMetadata: row.challengerMetadata } : {}),
              mode: row.mode,
              percent: row.percent,
              unit: row.unit,
              metric: row.metric,
              guardrails: row.guardrails,
              alpha: row.alpha,
              tau2: row.tau2,
              autoPromote: row.autoPromote,
              ...(row.judge ? { judge: row.judge } : {}),
              status: 'running',
              baselineVersion: route.version,
              createdBy: row.actor,
              createdAt: row.at,
              updatedAt: row.at,
            },
          });
          const definition = {
            ...(route.definition as Record<string, unknown>),
            experiment: { id, challenger: row.challenger, mode: row.mode, percent: row.percent, unit: row.unit, ...(row.judge ? { judge: row.judge } : {}) },
          };
          const updated = await appendVersion(tx, route, { definition, reason: 'experiment.start', actor: row.actor, at: row.at });
          return { experiment, route: updated };
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ExperimentRunningError();
        throw error;
      }
    },

    stop(input) {
      return db.withTenant(input.tenantId, async (tx) => {
        const moved = await transition(tx, input, 'running', 'stopped');
        if (!moved) return null;
        const route = await appendVersion(tx, moved.route, { definition: withoutExperiment(moved.route.definition), reason: input.versionReason, actor: input.actor, at: input.at });
        return { experiment: await reload(tx, moved.experiment.id), route };
      });
    },

    promote(input) {
      return db.withTenant(input.tenantId, async (tx) => {
        const moved = await transition(tx, input, 'running', 'promoted');
        if (!moved) return null;
        if (moved.route.pinnedVersion !== null) throw new RoutePinnedError(moved.route.pinnedVersion);
        // The challenger becomes the route's only candidate; strategy, fallbacks and the rest stay.
        const definition = { ...(withoutExperiment(moved.route.definition) as Record<string, unknown>), candidates: [moved.experiment.challenger] } as Prisma.InputJsonValue;
        const route = await appendVersion(tx, moved.route, { definition, reason: 'experiment.promote', actor: input.actor, at: input.at });
        await tx.experiment.update({ where: { id: moved.experiment.id }, data: { promotedVersion: route.version } });
        return { experiment: await reload(tx, moved.experiment.id), route };
      });
    },

    revert(input) {
      return db.withTenant(input.tenantId, async (tx) => {
        const moved = await transition(tx, input, 'promoted', 'reverted');
        if (!moved) return null;
        if (moved.route.pinnedVersion !== null) throw new RoutePinnedError(moved.route.pinnedVersion);
        const baseline = await tx.routeVersion.findUnique({ where: { routeId_version: { routeId: moved.route.id, version: moved.experiment.baselineVersion } } });
        const definition = withoutExperiment(baseline?.definition ?? moved.route.definition);
        const route = await appendVersion(tx, moved.route, { definition, reason: 'experiment.revert', actor: input.actor, at: input.at });
        return { experiment: await reload(tx, moved.experiment.id), route };
      });
    },

    stats(tenantId, experimentIds) {
      if (experimentIds.length === 0) return Promise.resolve([]);
      return db.withTenant(tenantId, (tx) => tx.experimentArmStat.findMany({ where: { tenantId, experimentId: { in: [...experimentIds] } } }));
    },

    observe(tenantId, observations) {
      return db.withTenant(tenantId, async (tx) => {
        const known = new Set(
          (await tx.experiment.findMany({ where: { tenantId, id: { in: [...new Set(observations.map((o) => o.experimentId))] } }, select: { id: true } })).map((e) => e.id),
        );
        const changed = new Set<string>();
        for (const observation of observations) {
          // Another tenant's experiment id (or a deleted one) counts nothing.
          if (!known.has(observation.experimentId)) continue;
          const fresh = await tx.experimentObservation.createMany({ data: [{ tenantId, requestId: observation.requestId, experimentId: observation.experimentId }], skipDuplicates: true });
          if (fresh.count === 0) continue;
          for (const [metric, value] of Object.entries(observation.values)) {
            if (value === undefined || !Number.isFinite(value)) continue;
            await tx.$executeRaw`
              INSERT INTO experiment_arm_stats (experiment_id, tenant_id, arm, metric, n, sum, sum_sq, updated_at)
              VALUES (${observation.experimentId}::uuid, ${tenantId}::uuid, ${observation.arm}, ${metric}, 1, ${value}, ${value * value}, now())
              ON CONFLICT (experiment_id, arm, metric) DO UPDATE SET
                n = experiment_arm_stats.n + 1, sum = experiment_arm_stats.sum + EXCLUDED.sum,
                sum_sq = experiment_arm_stats.sum_sq + EXCLUDED.sum_sq, updated_at = now()`;
          }
          changed.add(observation.experimentId);
        }
        return [...changed];
      });
    },
  };
}
