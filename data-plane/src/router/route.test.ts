import { describe, expect, it } from 'vitest';
import { applyConstraints } from './constraints';
import { parseRoutes } from './route';
import { createInMemoryRouteTable } from './route-table';

describe('route configuration', () => {
  it('parses a full route with defaults', () => {
    const [route] = parseRoutes([
      {
        name: 'smart',
        candidates: [{ model: 'mock-gpt', weight: 2 }, { model: 'mock-mini', provider: 'mock' }],
        strategy: { kind: 'bandit', reward: { success: 1, quality: 1 } },
        constraints: { maxCostPer1kMicros: 5_000 },
        speculative: { mode: 'hedge' },
        retries: { max: 2 },
      },
    ]);
    expect(route?.strategy).toMatchObject({ kind: 'bandit', reward: { success: 1, latency: 0, cost: 0, quality: 1 }, latencyTargetMs: 5_000 });
    expect(route?.speculative).toEqual({ mode: 'hedge', afterPercentile: 95, minDelayMs: 500 });
    expect(route?.retries).toEqual({ max: 2, baseMs: 100 });
  });

  it.each([
    ['no candidates', { name: 'r', candidates: [], strategy: { kind: 'priority' } }],
    ['unknown strategy', { name: 'r', candidates: [{ model: 'm' }], strategy: { kind: 'random' } }],
    ['duplicate candidates', { name: 'r', candidates: [{ model: 'm' }, { model: 'm' }], strategy: { kind: 'priority' } }],
    ['negative weight', { name: 'r', candidates: [{ model: 'm', weight: -1 }], strategy: { kind: 'weighted' } }],
    ['k of 1', { name: 'r', candidates: [{ model: 'm' }], strategy: { kind: 'priority' }, speculative: { mode: 'parallel', k: 1 } }],
    ['all-zero reward', { name: 'r', candidates: [{ model: 'm' }], strategy: { kind: 'bandit', reward: { success: 0 } } }],
    ['self fallback', { name: 'r', candidates: [{ model: 'm' }], strategy: { kind: 'priority' }, fallbacks: ['r'] }],
    ['bad name', { name: ' spaces ', candidates: [{ model: 'm' }], strategy: { kind: 'priority' } }],
    ['too many retries', { name: 'r', candidates: [{ model: 'm' }], strategy: { kind: 'priority' }, retries: { max: 50 } }],
  ])('refuses %s', (_, route) => {
    expect(() => parseRoutes([route])).toThrow(/Invalid routes/);
  });

  it('refuses duplicate route names in a table', () => {
    const routes = parseRoutes([
      { name: 'r', candidates: [{ model: 'a' }], strategy: { kind: 'priority' } },
      { name: 'r', candidates: [{ model: 'b' }], strategy: { kind: 'priority' } },
    ]);
    expect(() => createInMemoryRouteTable(routes)).toThrow(/duplicate route name/);
  });
});

describe('constraints', () => {
  const c = (key: string, pricePer1kMicros?: number) => ({ key, model: key, weight: 1, priority: 0, pricePer1kMicros });

  it('the price ceiling is hard: over budget and unpriced candidates are dropped', () => {
    const kept = applyConstraints([c('cheap', 100), c('pricey', 900), c('unknown')], { maxCostPer1kMicros: 500 }, () => undefined);
    expect(kept.map((k) => k.key)).toEqual(['cheap']);
    expect(applyConstraints([c('pricey', 900)], { maxCostPer1kMicros: 500 }, () => undefined)).toEqual([]);
  });

  it('the p99 ceiling is soft: slow candidates are dropped unless all are slow', () => {
    const p99: Record<string, number> = { fast: 100, slow: 5_000 };
    expect(applyConstraints([c('fast'), c('slow'), c('new')], { maxP99Ms: 1_000 }, (k) => p99[k]).map((k) => k.key)).toEqual(['fast', 'new']);
    expect(applyConstraints([c('slow')], { maxP99Ms: 1_000 }, (k) => p99[k]).map((k) => k.key)).toEqual(['slow']);
  });
});
