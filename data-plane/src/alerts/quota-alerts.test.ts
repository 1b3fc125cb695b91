import { describe, expect, it } from 'vitest';
import type { LimitWarning } from '@switchyard/events/limits';
import { alertEventSchema } from '@switchyard/events/alerts';
import { createQuotaAlerts } from './quota-alerts';

function recordingBus(failFirst = 0) {
  const appended: unknown[] = [];
  let failures = failFirst;
  return {
    appended,
    async append(_stream: string, payload: string) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('redis down');
      }
      appended.push(alertEventSchema.parse(JSON.parse(payload)));
      return `${appended.length}-0`;
    },
  };
}
const silent = { warn: () => undefined };
const warning = (limit: LimitWarning['limit'], apiKeyId = 'k1', used = 0.85): LimitWarning => ({ tenantId: 't1', apiKeyId, limit, used });
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('quota alerts', () => {
  it('alerts once per day quota and UTC day; per-minute limits never', async () => {
    let now = new Date('2026-11-26T10:00:00Z');
    const bus = recordingBus();
    const alerts = createQuotaAlerts({ bus, logger: silent, clock: () => now });
    alerts.noteWarnings([warning('tokens_per_minute_per_key'), warning('requests_per_minute_per_tenant'), warning('tokens_per_day_per_key')]);
    alerts.noteWarnings([warning('tokens_per_day_per_key', 'k1', 0.9), warning('tokens_per_day_per_tenant')]);
    alerts.noteWarnings([warning('tokens_per_day_per_key', 'k2')]);
    await flush();
    expect(bus.appended).toEqual([
      { id: 'quota:tokens_per_day_per_key:t1:k1:2026-11-26', type: 'quota.soft_limit_reached', tenantId: 't1', occurredAt: '2026-11-26T10:00:00.000Z', data: { limit: 'tokens_per_day_per_key', callerId: 'k1', usedShare: 0.85, day: '2026-11-26' } },
      { id: 'quota:tokens_per_day_per_tenant:t1:-:2026-11-26', type: 'quota.soft_limit_reached', tenantId: 't1', occurredAt: '2026-11-26T10:00:00.000Z', data: { limit: 'tokens_per_day_per_tenant', callerId: null, usedShare: 0.85, day: '2026-11-26' } },
      expect.objectContaining({ id: 'quota:tokens_per_day_per_key:t1:k2:2026-11-26' }),
    ]);
    now = new Date('2026-11-27T00:00:01Z');
    alerts.noteWarnings([warning('tokens_per_day_per_key')]);
    await flush();
    expect(bus.appended).toHaveLength(4);
    expect(bus.appended[3]).toMatchObject({ id: 'quota:tokens_per_day_per_key:t1:k1:2026-11-27' });
  });

  it('an alert that could not be queued is tried again with the next warning', async () => {
    const bus = recordingBus(1);
    const alerts = createQuotaAlerts({ bus, logger: silent, clock: () => new Date('2026-11-26T10:00:00Z') });
    alerts.noteWarnings([warning('tokens_per_day_per_tenant')]);
    await flush();
    expect(bus.appended).toHaveLength(0);
    alerts.noteWarnings([warning('tokens_per_day_per_tenant')]);
    alerts.noteWarnings([warning('tokens_per_day_per_tenant')]);
    await flush();
    expect(bus.appended).toHaveLength(1);
  });
});
