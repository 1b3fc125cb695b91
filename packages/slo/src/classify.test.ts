import { describe, expect, it } from 'vitest';
import { classify, type RequestObservation } from './classify';
import { latencyPercentile, sloDefinitionSchema, type SloDefinition } from './slo-definition';

const base = { id: 's1', tenantId: 't1', route: 'chat', objective: 0.99, windowDays: 30 };
const request: RequestObservation = { tenantId: 't1', route: 'chat', status: 'ok', latencyMs: 300 };

describe('classify', () => {
  it('ignores other tenants and routes', () => {
    const slo: SloDefinition = { ...base, kind: 'availability' };
    expect(classify(slo, { ...request, tenantId: 't2' })).toBeUndefined();
    expect(classify(slo, { ...request, route: 'other' })).toBeUndefined();
  });

  it('availability: an error is bad', () => {
    const slo: SloDefinition = { ...base, kind: 'availability' };
    expect(classify(slo, request)).toBe('good');
    expect(classify(slo, { ...request, status: 'error' })).toBe('bad');
  });

  it('latency: within the threshold is good, an error is bad however fast', () => {
    const slo: SloDefinition = { ...base, kind: 'latency', thresholdMs: 300 };
    expect(classify(slo, request)).toBe('good');
    expect(classify(slo, { ...request, latencyMs: 301 })).toBe('bad');
    expect(classify(slo, { ...request, latencyMs: 5, status: 'error' })).toBe('bad');
  });

  it('quality and cost count only measured requests', () => {
    const quality: SloDefinition = { ...base, kind: 'quality', maxRegret: 0.1 };
    const cost: SloDefinition = { ...base, kind: 'cost', minSavingsPct: 20 };
    expect(classify(quality, request)).toBeUndefined();
    expect(classify(quality, { ...request, regretDelta: 0.1 })).toBe('good');
    expect(classify(quality, { ...request, regretDelta: 0.2 })).toBe('bad');
    expect(classify(cost, request)).toBeUndefined();
    expect(classify(cost, { ...request, savingsPct: 25 })).toBe('good');
    expect(classify(cost, { ...request, savingsPct: 5 })).toBe('bad');
  });
});

describe('sloDefinitionSchema', () => {
  it('refuses objectives that leave no budget, windows out of range and missing thresholds', () => {
    expect(sloDefinitionSchema.safeParse({ ...base, kind: 'availability', objective: 1 }).success).toBe(false);
    expect(sloDefinitionSchema.safeParse({ ...base, kind: 'availability', windowDays: 0 }).success).toBe(false);
    expect(sloDefinitionSchema.safeParse({ ...base, kind: 'latency' }).success).toBe(false);
    expect(sloDefinitionSchema.safeParse({ ...base, kind: 'latency', thresholdMs: 800 }).success).toBe(true);
  });

  it('states a latency objective as its percentile', () => {
    expect(latencyPercentile({ objective: 0.95 })).toBe(95);
    expect(latencyPercentile({ objective: 0.999 })).toBe(99.9);
  });
});
