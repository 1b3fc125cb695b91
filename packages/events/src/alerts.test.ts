import { describe, expect, it } from 'vitest';
import { alertEventSchema } from './alerts';

describe('alert events', () => {
  const valid = {
    id: 'dp-threshold:b1:80:800',
    type: 'dp.budget.threshold_crossed',
    tenantId: 't1',
    occurredAt: '2026-11-26T10:00:00.000Z',
    data: { budgetId: 'b1', dataset: 'claims', thresholdsPercent: [80], capMicros: '1000', usedMicros: '800' },
  };
  it('accepts a well-formed alert and refuses unknown types and malformed fields', () => {
    expect(alertEventSchema.safeParse(valid).success).toBe(true);
    expect(alertEventSchema.safeParse({ ...valid, type: 'other' }).success).toBe(false);
    expect(alertEventSchema.safeParse({ ...valid, data: { ...valid.data, usedMicros: '-1' } }).success).toBe(false);
    expect(alertEventSchema.safeParse({ ...valid, data: { ...valid.data, thresholdsPercent: [] } }).success).toBe(false);
    expect(alertEventSchema.safeParse({ ...valid, occurredAt: 'yesterday' }).success).toBe(false);
  });
});
