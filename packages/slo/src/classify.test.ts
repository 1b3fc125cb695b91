import { describe, expect, it } from 'vitest';
import { classify, classifyRun, type RequestObservation, type RunObservation } from './classify';
import { latencyPercentile, sloDefinitionSchema, throttleRelieves, type SloDefinition } from './slo-definition';

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

  it('quality and cost count no single request', () => {
    expect(classify({ ...base, kind: 'quality', maxRegret: 0.1 }, request)).toBeUndefined();
    expect(classify({ ...base, kind: 'cost', minSavingsPct: 20 }, request)).toBeUndefined();
  });
});

describe('classifyRun', () => {
  const run: RunObservation = { tenantId: 't1', route: 'chat', regretDelta: 0.1, savingsPct: 25 };
  const quality: SloDefinition = { ...base, kind: 'quality', maxRegret: 0.1 };
  const cost: SloDefinition = { ...base, kind: 'cost', minSavingsPct: 20 };

  it('quality: regret at most the maximum is good', () => {
    expect(classifyRun(quality, run)).toBe('good');
    expect(classifyRun(quality, { ...run, regretDelta: 0.11 })).toBe('bad');
  });

  it('cost: savings at least the minimum are good, spending more than the baseline is bad', () => {
    expect(classifyRun(cost, { ...run, savingsPct: 20 })).toBe('good');
    expect(classifyRun(cost, { ...run, savingsPct: 19.9 })).toBe('bad');
    expect(classifyRun(cost, { ...run, savingsPct: -40 })).toBe('bad');
  });

  it('ignores other tenants, routes and the request classes', () => {
    expect(classifyRun(quality, { ...run, tenantId: 't2' })).toBeUndefined();
    expect(classifyRun(cost, { ...run, route: 'other' })).toBeUndefined();
    expect(classifyRun({ ...base, kind: 'availability' }, run)).toBeUndefined();
    expect(classifyRun({ ...base, kind: 'latency', thresholdMs: 1 }, run)).toBeUndefined();
  });
});

describe('sloDefinitionSchema', () => {
  it('refuses objectives that leave no budget, windows out of range and missing thresholds', () => {
    expect(sloDefinitionSchema.safeParse({ ...base, kind: 'availability', objective: 1 }).success).toBe(false);
    expect(sloDefinitionSchema.safeParse({ ...base, kind: 'availability', windowDays: 0 }).success).toBe(false);
    expect(sloDefinitionSchema.safeParse({ ...base, kind: 'latency' }).success).toBe(false);
    expect(sloDefinitionSchema.safeParse({ ...base, kind: 'latency', thresholdMs: 800 }).success).toBe(true);
  });

  it('throttles only for the classes shedding load can relieve', () => {
    expect(['latency', 'availability', 'quality', 'cost'].map((kind) => throttleRelieves(kind as SloDefinition['kind']))).toEqual([true, true, false, false]);
  });

  it('states a latency objective as its percentile', () => {
    expect(latencyPercentile({ objective: 0.95 })).toBe(95);
    expect(latencyPercentile({ objective: 0.999 })).toBe(99.9);
  });
});
