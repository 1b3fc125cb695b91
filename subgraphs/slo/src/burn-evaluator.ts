import type { Bus } from '@switchyard/bus';
import { ALERTS_STREAM, type AlertEvent } from '@switchyard/events/alerts';
import { AUDIT_STREAM, type AuditEventInput } from '@switchyard/events/audit';
import { SLO_CHANGED_CHANNEL } from '@switchyard/events/slo';
import { DEFAULT_WINDOW_PAIRS, throttleRelieves, transition, type BurnEvaluation, type SloDefinition, type WindowPair } from '@switchyard/slo';
import type { SliCounters } from '@switchyard/slo/counters';
import type { Logger } from './logger';
import type { SloDirectory } from './slo-directory';
import { readBurn } from './slo-status';
import type { SloStore } from './slo-store';
import { publishThrottle } from './throttle-announcement';

/** The audit actor of what the evaluator does on its own. */
export const AUTO_THROTTLE_ACTOR = 'service:slo-autothrottle';

export interface BurnEvaluatorDeps {
  bus: Bus;
  counters: SliCounters;
  store: SloStore;
  directory: SloDirectory;
  logger: Logger;
  /** Default 15 s: a fifth of the fast pair's short window. */
  intervalMs?: number;
  pairs?: readonly WindowPair[];
  now?: () => Date;
}

export interface BurnEvaluator {
  /** One round over every SLO; resolves with the transitions this replica recorded. */
  evaluateOnce(): Promise<number>;
  stop(): Promise<void>;
}

const longBurnOf = (evaluation: BurnEvaluation, name: 'fast' | 'slow') => evaluation.pairs.find((p) => p.name === name)?.longBurn ?? 0;

/**
 * Evaluates every SLO's burn rates from the shared counters and acts on changes of alert state:
 * records the transition (numbered per SLO; replicas racing record it once, and only the one
 * that recorded it acts), queues the alert for the tenant's webhook, engages or releases the
 * auto-throttle, audits each automatic action, and nudges live dashboards.
 */
export function startBurnEvaluator(deps: BurnEvaluatorDeps): BurnEvaluator {
  const pairs = deps.pairs ?? DEFAULT_WINDOW_PAIRS;
  const now = deps.now ?? (() => new Date());
  const intervalMs = deps.intervalMs ?? 15_000;

  async function evaluateSlo(slo: SloDefinition, latest: { seq: number; state: 'ok' | 'ticket' | 'page' } | undefined, at: Date): Promise<boolean> {
    const { evaluation } = await readBurn(deps.counters, slo, at, pairs);
    const previous = latest?.state ?? 'ok';
    const change = transition(previous, evaluation.state);
    if (!change.notify) return false;
    const seq = (latest?.seq ?? 0) + 1;
    const burnRates = { fast: longBurnOf(evaluation, 'fast'), slow: longBurnOf(evaluation, 'slow') };
    const throttle = throttleRelieves(slo.kind) ? (change.throttle ?? null) : null;
    const recorded = await deps.store.recordTransition({ tenantId: slo.tenantId, sloId: slo.id, seq, route: slo.route, state: evaluation.state, previous, throttle, burnRates, occurredAt: at });
    if (!recorded) return false;

    const alert: AlertEvent = {
      id: `slo:${slo.id}:${seq}`,
      type: 'slo.burn_rate',
      tenantId: slo.tenantId,
      occurredAt: at.toISOString(),
      data: { sloId: slo.id, route: slo.route, kind: slo.kind, objective: slo.objective, windowDays: slo.windowDays, state: evaluation.state, previous, fastBurnRate: burnRates.fast, slowBurnRate: burnRates.slow, throttle },
    };
    const audits: AuditEventInput[] = [
      {
        idempotencyKey: `slo.alert:${slo.id}:${seq}`,
        tenantId: slo.tenantId,
        actor: AUTO_THROTTLE_ACTOR,
        action: evaluation.state === 'ok' ? 'slo.alert.resolve' : `slo.alert.${evaluation.state}`,
        dataClassification: 'internal',
        occurredAt: at.toISOString(),
        payload: { sloId: slo.id, route: slo.route, state: evaluation.state, previous, burnRates },
      },
    ];
    if (throttle) {
      audits.push({
        idempotencyKey: `slo.throttle:${slo.id}:${seq}`,
        tenantId: slo.tenantId,
        actor: AUTO_THROTTLE_ACTOR,
        action: `slo.throttle.${throttle}`,
        dataClassification: 'internal',
        occurredAt: at.toISOString(),
        payload: { sloId: slo.id, route: slo.route, shedClass: 'batch', fastBurnRate: burnRates.fast },
      });
    }
    // The transition is committed: what follows is retried by nobody, so each step is logged when it fails.
    const append = (stream: string, payload: unknown) =>
      deps.bus.append(stream, JSON.stringify(payload)).catch((error: unknown) => {
        deps.logger.error({ err: error instanceof Error ? error.message : String(error), stream, sloId: slo.id, seq }, 'could not queue an SLO transition message');
      });
    if (throttle) await publishThrottle(deps.bus, { tenantId: slo.tenantId, route: slo.route, sloId: slo.id, action: throttle, shedClass: 'batch', at: at.toISOString() }, deps.logger);
    await append(ALERTS_STREAM, alert);
    for (const audit of audits) await append(AUDIT_STREAM, audit);
    deps.logger.warn({ sloId: slo.id, tenantId: slo.tenantId, route: slo.route, state: evaluation.state, previous, throttle, burnRates }, 'SLO alert state changed');
    return true;
  }

  async function evaluateOnce(): Promise<number> {
    const at = now();
    const slos = await deps.directory.all();
    const tenants = [...new Set(slos.map((slo) => slo.tenantId))];
    let recorded = 0;
    for (const tenantId of tenants) {
      const latest = await deps.store.latestStates(tenantId);
      for (const slo of slos) {
        if (slo.tenantId !== tenantId) continue;
        try {
          if (await evaluateSlo(slo, latest.get(slo.id), at)) recorded += 1;
        } catch (error) {
          deps.logger.error({ err: error instanceof Error ? error.message : String(error), sloId: slo.id }, 'evaluating an SLO failed; next round retries');
        }
      }
      // Live dashboards re-read the status every round (their burn rates move with the clock).
      await deps.bus.publish(SLO_CHANGED_CHANNEL, JSON.stringify({ tenantId })).catch(() => undefined);
    }
    return recorded;
  }

  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // Rounds never overlap: a slow round delays the next instead of piling up.
    running = running.then(() =>
      stopped
        ? undefined
        : evaluateOnce().catch((error: unknown) => {
            deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'SLO evaluation round failed');
          }),
    );
  }, intervalMs);
  timer.unref();

  return {
    evaluateOnce: () => {
      const round = running.then(evaluateOnce);
      running = round.catch(() => undefined);
      return round;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
