import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { REGION_PATTERN } from '@switchyard/db/tenant-settings';
import { EXPERIMENT_UPDATED_CHANNEL, experimentUpdatedMessage, ROUTES_CHANGED_CHANNEL, routesChangedMessage } from '@switchyard/events/routing';
import type { Principal } from '@switchyard/identity';
import type { HomeRegionGuard } from '@switchyard/subgraph-kit/home-region';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { parseInput } from '@switchyard/subgraph-kit/parse-input';
import type { Logger } from '@switchyard/subgraph-kit/logger';
import { z } from 'zod';
import type { RouteAuditAction, RouteAuditTrail } from './audit-trail';
import { canReadRoutes, canWriteRoutes } from './authorization';
import { badUserInput, experimentRunning, experimentState, forbidden, notFound, routePinned } from './errors';
import type { ArmStatRecord, ExperimentRecord } from './experiment-record';
import { createExperimentStore, ExperimentRunningError, ExperimentStatusError, type Observation, type TransitionResult } from './experiment-store';
import { auditStatistics, armsOf, statisticsOf } from './lifecycle/experiment-statistics';
import { guardrailBreach, guardrailsSchema } from './lifecycle/guardrails';
import type { ModelCatalog } from './model-catalog';
import { routeNameLookupSchema, tenantIdSchema } from './route-input';
import { RoutePinnedError } from './route-store';
import type { VersionReason } from './route-versions';

/** Automatic decisions (guardrail stops, auto-promotions) are audited under this actor. */
export const EXPERIMENTS_SERVICE_ACTOR = 'service:experiments';

/** Mixture variance per metric when the tenant sets none: about the squared difference worth detecting in its unit. */
const DEFAULT_TAU2: Record<string, number> = { quality: 0.01, latency: 2_500, cost: 10_000 };

/** What a tenant admin registers about a challenger: shown with the experiment; its region must be one the tenant allows. */
export const challengerMetadataSchema = z
  .object({
    inputPer1kUsd: z.number().min(0).max(1_000).optional().nullable(),
    outputPer1kUsd: z.number().min(0).max(1_000).optional().nullable(),
    contextWindow: z.number().int().positive().max(100_000_000).optional().nullable(),
    region: z.string().regex(REGION_PATTERN).optional().nullable(),
  })
  .strict();

export const startExperimentInputSchema = z.object({
  tenantId: tenantIdSchema,
  routeName: routeNameLookupSchema,
  challengerModel: z.string().min(1).max(256),
  challengerProvider: z.string().min(1).max(100).optional().nullable(),
  challengerMetadata: challengerMetadataSchema.optional().nullable(),
  mode: z.enum(['shadow', 'split']),
  percent: z.number().min(0).max(100).default(10),
  unit: z.enum(['user', 'key', 'session']).default('key'),
  metric: z.enum(['quality', 'latency', 'cost']).default('cost'),
  guardrails: guardrailsSchema.default({ minSamples: 20 }),
  alpha: z.number().min(0.001).max(0.2).default(0.05),
  tau2: z.number().positive().max(1e12).optional().nullable(),
  autoPromote: z.boolean().default(true),
  /** An automatic judge: this model scores each arm's answer (0..1) into the arm's quality, billed as shadow cost. */
  judgeModel: z.string().min(1).max(256).optional().nullable(),
  judgeProvider: z.string().min(1).max(100).optional().nullable(),
});

export type StartExperimentInput = z.input<typeof startExperimentInputSchema>;
export interface ExperimentRef {
  tenantId: string;
  id: string;
}

export interface ExperimentsService {
  experiments(tenantId: string, principal: Principal): Promise<ExperimentRecord[]>;
  experiment(tenantId: string, id: string, principal: Principal): Promise<ExperimentRecord | null>;
  startExperiment(input: StartExperimentInput, principal: Principal): Promise<ExperimentRecord>;
  stopExperiment(input: ExperimentRef, principal: Principal): Promise<ExperimentRecord>;
  promoteExperiment(input: ExperimentRef, principal: Principal): Promise<ExperimentRecord>;
  revertPromotion(input: ExperimentRef, principal: Principal): Promise<ExperimentRecord>;
  /** Arm statistics of experiments (DataLoader batch), in key order. */
  loadStats(keys: readonly { tenantId: string; experimentId: string }[]): Promise<ArmStatRecord[][]>;
  /** Counts usage observations, then applies guardrails and auto-promotion to the experiments they touched. */
  observe(tenantId: string, observations: readonly Observation[]): Promise<void>;
}

export interface ExperimentsServiceDeps {
  db: Database;
  bus: Pick<Bus, 'publish'>;
  audit: RouteAuditTrail;
  catalog: ModelCatalog;
  logger: Logger;
  /** The tenant's default data classification, for the allowedDataClassifications guardrail. */
  dataClassificationOf?: (tenantId: string) => Promise<string>;
  /** The tenant's allowed regions (empty: any); absent: a challenger's registered region is not checked. */
  allowedRegionsOf?: (tenantId: string) => Promise<readonly string[]>;
  now?: () => Date;
  /** Refuses changes of tenants homed in another region (absent: one region, nothing refused). */
  homeGuard?: HomeRegionGuard;
}

const idSchema = z.uuid('Must be an experiment id (UUID).');

export function createExperimentsService(deps: ExperimentsServiceDeps): ExperimentsService {
  const store = createExperimentStore(deps.db);
  const now = deps.now ?? (() => new Date());

  function readable(tenantIdInput: string, principal: Principal): string {
    const tenantId = parseInput(tenantIdSchema, tenantIdInput, 'tenantId');
    if (!canReadRoutes(principal, tenantId)) throw forbidden('Only members of the tenant (or a platform admin) may read its experiments.');
    return tenantId;
  }

  function writable(tenantIdInput: string, principal: Principal): string {
    const tenantId = parseInput(tenantIdSchema, tenantIdInput, 'tenantId');
    if (!canWriteRoutes(principal, tenantId)) throw forbidden("Only the tenant's admins (or a platform admin) may run its experiments.");
    return tenantId;
  }

  /** Writable by the caller, and written in this region: the tenant's home (DESIGN.md §10). */
  async function writableHere(tenantIdInput: string, principal: Principal): Promise<string> {
    const tenantId = writable(tenantIdInput, principal);
    await deps.homeGuard?.assertWritable(tenantId);
    return tenantId;
  }

  /** Key-only hints: the data planes reload the tenant's routes, subscribers re-read its experiments. Lost ones heal at the next resync. */
  async function publish(tenantId: string, routesChanged: boolean): Promise<void> {
    const messages: [string, string][] = [[EXPERIMENT_UPDATED_CHANNEL, experimentUpdatedMessage(tenantId)]];
    if (routesChanged) messages.unshift([ROUTES_CHANGED_CHANNEL, routesChangedMessage(tenantId)]);
    for (const [channel, message] of messages) {
      try {
        await deps.bus.publish(channel, message);
      } catch (error) {
        deps.logger.error({ err: error instanceof Error ? error.message : String(error), tenantId, channel }, 'could not publish an experiment change');
      }
    }
  }

  async function record(action: RouteAuditAction, actor: string, result: TransitionResult, payload: Record<string, unknown>): Promise<void> {
    const { experiment, route } = result;
    await deps.audit.record({
      tenantId: experiment.tenantId,
      actor,
      action,
      routeId: route.id,
      version: route.version,
      payload: { name: route.name, experimentId: experiment.id, challenger: experiment.challenger, definition: route.definition, ...payload },
    });
  }

  /** Runs a lifecycle change, turning the store's outcomes into the registry's errors. */
  async function change(run: () => Promise<TransitionResult | null>, routeName: string, wanted: string): Promise<TransitionResult> {
    let result: TransitionResult | null;
    try {
      result = await run();
    } catch (error) {
      if (error instanceof ExperimentStatusError) throw experimentState(error.status, wanted);
      if (error instanceof RoutePinnedError) throw routePinned(routeName, error.pinnedVersion);
      if (error instanceof ExperimentRunningError) throw experimentRunning(routeName);
      throw error;
    }
    if (!result) throw notFound('The tenant has no such experiment (or its route was deleted).');
    return result;
  }

  async function existing(tenantId: string, idInput: string): Promise<ExperimentRecord> {
    const id = parseInput(idSchema, idInput, 'id');
    const experiment = await store.find(tenantId, id);
    if (!experiment) throw notFound('The tenant has no such experiment.');
    return experiment;
  }

  async function stop(experiment: ExperimentRecord, actor: string, reason: string, versionReason: VersionReason, action: RouteAuditAction, payload: Record<string, unknown>) {
    const result = await change(
      () => store.stop({ tenantId: experiment.tenantId, experimentId: experiment.id, actor, at: now(), reason, versionReason }),
      experiment.routeName,
      'running',
    );
    await record(action, actor, result, { reason, ...payload });
    await publish(experiment.tenantId, true);
    return result.experiment;
  }

  async function promote(experiment: ExperimentRecord, actor: string, reason: string) {
    const stats = statisticsOf(experiment, armsOf(await store.stats(experiment.tenantId, [experiment.id])));
    const result = await change(() => store.promote({ tenantId: experiment.tenantId, experimentId: experiment.id, actor, at: now(), reason }), experiment.routeName, 'running');
    await record('experiment.promote', actor, result, { reason, statistics: auditStatistics(stats) });
    await publish(experiment.tenantId, true);
    return result.experiment;
  }

  /** Guardrails first (a breach stops the experiment), then the always-valid test (a win promotes when auto-promotion is on). */
  async function evaluate(experiment: ExperimentRecord): Promise<void> {
    if (experiment.status !== 'running') return;
    const arms = armsOf(await store.stats(experiment.tenantId, [experiment.id]));
    const guardrails = guardrailsSchema.parse(experiment.guardrails);
    const breach = guardrailBreach(guardrails, arms);
    try {
      if (breach) {
        await stop(experiment, EXPERIMENTS_SERVICE_ACTOR, `guardrail: ${breach}`, 'experiment.guardrail', 'experiment.guardrail_stop', { statistics: auditStatistics(statisticsOf(experiment, arms)) });
        return;
      }
      const stats = statisticsOf(experiment, arms);
      if (experiment.autoPromote && stats.decision === 'challenger') {
        await promote(experiment, EXPERIMENTS_SERVICE_ACTOR, `the challenger won on ${experiment.metric} (always-valid p = ${stats.test.pValue.toExponential(2)})`);
      }
    } catch (error) {
      // Another replica's consumer or a person decided first: the experiment is no longer running.
      if (error instanceof Error && 'extensions' in error) deps.logger.info({ experimentId: experiment.id, err: error.message }, 'experiment already decided elsewhere');
      else throw error;
    }
  }

  return {
    async experiments(tenantIdInput, principal) {
      return store.list(readable(tenantIdInput, principal));
    },

    async experiment(tenantIdInput, idInput, principal) {
      const tenantId = readable(tenantIdInput, principal);
      return store.find(tenantId, parseInput(idSchema, idInput, 'id'));
    },

    async startExperiment(input, principal) {
      const tenantId = await writableHere(input.tenantId, principal);
      const parsed = parseInput(startExperimentInputSchema, { ...input, tenantId }, 'input');
      if (!(await deps.catalog.models()).has(parsed.challengerModel)) throw badUserInput(`Unknown model '${parsed.challengerModel}' (not in the price book).`, 'challengerModel');
      const allowed = parsed.guardrails.allowedDataClassifications;
      if (allowed && deps.dataClassificationOf) {
        const classification = await deps.dataClassificationOf(tenantId);
        if (!allowed.includes(classification as (typeof allowed)[number])) {
          throw badUserInput(`The tenant's data is classified '${classification}', which the challenger's guardrail does not allow.`, 'guardrails.allowedDataClassifications');
        }
      }
      const metadata = parsed.challengerMetadata ? Object.fromEntries(Object.entries(parsed.challengerMetadata).filter(([, value]) => value !== null && value !== undefined)) : undefined;
      const region = parsed.challengerMetadata?.region;
      if (region && deps.allowedRegionsOf) {
        const allowedRegions = await deps.allowedRegionsOf(tenantId);
        if (allowedRegions.length > 0 && !allowedRegions.includes(region)) {
          throw badUserInput(`The challenger's region '${region}' is not one the tenant allows (${allowedRegions.join(', ')}); its traffic would leave them.`, 'challengerMetadata.region');
        }
      }
      if (parsed.judgeProvider && !parsed.judgeModel) throw badUserInput('judgeProvider names the provider of a judge: give judgeModel too.', 'judgeProvider');
      // A judge is priced like any model (its tokens are billed): it must be in the price book.
      if (parsed.judgeModel && !(await deps.catalog.models()).has(parsed.judgeModel)) throw badUserInput(`Unknown judge model '${parsed.judgeModel}' (not in the price book).`, 'judgeModel');
      const judge = parsed.judgeModel ? { model: parsed.judgeModel, ...(parsed.judgeProvider ? { provider: parsed.judgeProvider } : {}) } : undefined;
      const actor = auditActor(principal);
      const challenger = { model: parsed.challengerModel, ...(parsed.challengerProvider ? { provider: parsed.challengerProvider } : {}) };
      const result = await change(
        () =>
          store.start({
            tenantId,
            routeName: parsed.routeName,
            challenger,
            ...(metadata && Object.keys(metadata).length > 0 ? { challengerMetadata: metadata } : {}),
            mode: parsed.mode,
            percent: parsed.mode === 'shadow' ? 100 : parsed.percent,
            unit: parsed.unit,
            metric: parsed.metric,
            guardrails: parsed.guardrails,
            alpha: parsed.alpha,
            tau2: parsed.tau2 ?? DEFAULT_TAU2[parsed.metric]!,
            autoPromote: parsed.autoPromote,
            ...(judge ? { judge } : {}),
            actor,
            at: now(),
          }),
        parsed.routeName,
        'new',
      ).catch((error: unknown) => {
        if (error instanceof Error && error.message.startsWith('The tenant has no such experiment')) throw notFound(`The tenant has no route named '${parsed.routeName}'.`);
        throw error;
      });
      await record('experiment.start', actor, result, { mode: parsed.mode, percent: result.experiment.percent, unit: parsed.unit, metric: parsed.metric, guardrails: parsed.guardrails, ...(metadata ? { challengerMetadata: metadata } : {}), ...(judge ? { judge } : {}) });
      await publish(tenantId, true);
      return result.experiment;
    },

    async stopExperiment(input, principal) {
      const tenantId = await writableHere(input.tenantId, principal);
      return stop(await existing(tenantId, input.id), auditActor(principal), 'stopped by an administrator', 'experiment.stop', 'experiment.stop', {});
    },

    async promoteExperiment(input, principal) {
      const tenantId = await writableHere(input.tenantId, principal);
      return promote(await existing(tenantId, input.id), auditActor(principal), 'promoted by an administrator');
    },

    async revertPromotion(input, principal) {
      const tenantId = await writableHere(input.tenantId, principal);
      const experiment = await existing(tenantId, input.id);
      const actor = auditActor(principal);
      const result = await change(() => store.revert({ tenantId, experimentId: experiment.id, actor, at: now(), reason: 'promotion reverted' }), experiment.routeName, 'promoted');
      await record('experiment.revert', actor, result, { baselineVersion: experiment.baselineVersion });
      await publish(tenantId, true);
      return result.experiment;
    },

    async loadStats(keys) {
      const byTenant = new Map<string, string[]>();
      for (const key of keys) byTenant.set(key.tenantId, [...(byTenant.get(key.tenantId) ?? []), key.experimentId]);
      const rows = (await Promise.all([...byTenant].map(([tenantId, ids]) => store.stats(tenantId, ids)))).flat();
      return keys.map((key) => rows.filter((row) => row.experimentId === key.experimentId));
    },

    async observe(tenantId, observations) {
      const changed = await store.observe(tenantId, observations);
      if (changed.length === 0) return;
      for (const id of changed) {
        const experiment = await store.find(tenantId, id);
        if (experiment) await evaluate(experiment);
      }
      await publish(tenantId, false);
    },
  };
}
