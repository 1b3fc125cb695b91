import { experimentFeedbackEventSchema, usageEventSchema } from '@switchyard/events/usage';
import type { StreamEntry } from '@switchyard/bus';
import type { Observation } from './experiment-store';

/**
 * The experiment observations in a batch of usage entries, by tenant. Pure. An event outside
 * any experiment, or one that does not parse, observes nothing. Cost counts for every request of
 * an arm (a failed one cost what it generated); latency only for answered ones (a failure's
 * latency says how fast it failed, not how fast the arm answers).
 */
export function observationsOf(entries: readonly StreamEntry[]): Map<string, Observation[]> {
  const byTenant = new Map<string, Observation[]>();
  for (const entry of entries) {
    let payload: unknown;
    try {
      payload = JSON.parse(entry.payload);
    } catch {
      continue;
    }
    const parsed = usageEventSchema.safeParse(payload);
    // A judge's call is not the arm's traffic: its cost is the experiment's shadow cost, its score arrives as feedback.
    if (!parsed.success || !parsed.data.experiment || parsed.data.experiment.judge) continue;
    const event = parsed.data;
    const experiment = event.experiment!;
    const values: Observation['values'] = { cost: Number(event.costMicros) };
    if (event.status === 'ok') values.latency = event.latencyMs;
    const list = byTenant.get(event.tenantId) ?? [];
    list.push({ requestId: event.requestId, experimentId: experiment.experimentId, arm: experiment.arm, values });
    byTenant.set(event.tenantId, list);
  }
  return byTenant;
}

/** Quality observations from experiment feedback entries, by tenant (key `feedback:<request id>`, so a score counts once). Pure. */
export function feedbackObservationsOf(entries: readonly StreamEntry[]): Map<string, Observation[]> {
  const byTenant = new Map<string, Observation[]>();
  for (const entry of entries) {
    let payload: unknown;
    try {
      payload = JSON.parse(entry.payload);
    } catch {
      continue;
    }
    const parsed = experimentFeedbackEventSchema.safeParse(payload);
    if (!parsed.success) continue;
    const event = parsed.data;
    const list = byTenant.get(event.tenantId) ?? [];
    list.push({ requestId: `feedback:${event.requestId}`, experimentId: event.experimentId, arm: event.arm, values: { quality: event.score } });
    byTenant.set(event.tenantId, list);
  }
  return byTenant;
}
