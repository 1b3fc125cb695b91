import type { Bus } from '@switchyard/bus';
import type { LimitName, LimitWarning } from '@switchyard/events/limits';
import { ALERTS_STREAM, type AlertEvent } from '@switchyard/events/alerts';

type DayLimit = Extract<LimitName, 'tokens_per_day_per_key' | 'tokens_per_day_per_tenant'>;
const isDayLimit = (limit: LimitName): limit is DayLimit => limit === 'tokens_per_day_per_key' || limit === 'tokens_per_day_per_tenant';

export interface QuotaAlerts {
  /** Called with the soft-limit warnings of one request; queues an alert for each day quota not yet alerted today. */
  noteWarnings(warnings: readonly LimitWarning[]): void;
}

/**
 * Turns the first soft-limit warning of a day token quota into an alert for the tenant's webhook:
 * once per quota (tenant, or tenant + caller) and UTC day on this replica. Replicas do not
 * coordinate (that would be a Redis round trip on the request path): each sends its first, and
 * they share the alert id, so receivers (which deduplicate by id anyway) see one alert.
 */
export function createQuotaAlerts(deps: {
  bus: Pick<Bus, 'append'>;
  logger: { warn(fields: object, message: string): void };
  clock?: () => Date;
}): QuotaAlerts {
  const clock = deps.clock ?? (() => new Date());
  let day = '';
  // Today's alerted quotas; a new day starts an empty set, so it never outgrows one day's quotas.
  let alerted = new Set<string>();

  return {
    noteWarnings(warnings) {
      for (const warning of warnings) {
        const limit = warning.limit;
        if (!isDayLimit(limit)) continue;
        const now = clock();
        const today = now.toISOString().slice(0, 10);
        if (today !== day) {
          day = today;
          alerted = new Set();
        }
        const callerId = limit === 'tokens_per_day_per_key' ? warning.apiKeyId : null;
        const id = `quota:${limit}:${warning.tenantId}:${callerId ?? '-'}:${today}`;
        if (alerted.has(id)) continue;
        alerted.add(id);
        const alert: AlertEvent = {
          id,
          type: 'quota.soft_limit_reached',
          tenantId: warning.tenantId,
          occurredAt: now.toISOString(),
          data: { limit, callerId, usedShare: Math.min(1, Math.max(0, warning.used)), day: today },
        };
        const attemptedOn = alerted;
        deps.bus.append(ALERTS_STREAM, JSON.stringify(alert)).catch((error: unknown) => {
          // Not queued: forget it, so the next warning of the day tries again.
          attemptedOn.delete(id);
          deps.logger.warn({ err: error instanceof Error ? error.message : String(error), alertId: id }, 'could not queue a quota alert');
        });
      }
    },
  };
}
