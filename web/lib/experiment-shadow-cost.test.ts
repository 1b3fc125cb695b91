import { describe, expect, it } from 'vitest';
import { shadowCostByExperiment } from './experiment-shadow-cost';

describe('shadowCostByExperiment', () => {
  it('sums each experiment over its models and keeps experiments apart', () => {
    const byExperiment = shadowCostByExperiment([
      { experimentId: 'a', model: 'mock-mini', costUsd: 0.25, requests: 2 },
      { experimentId: 'b', model: 'mock-mini', costUsd: 1, requests: 1 },
      { experimentId: 'a', model: 'mock-large', costUsd: 0.5, requests: 1 },
    ]);
    expect(byExperiment.get('a')).toEqual({ costUsd: 0.75, requests: 3 });
    expect(byExperiment.get('b')).toEqual({ costUsd: 1, requests: 1 });
    expect(byExperiment.has('c')).toBe(false);
  });

  it('is empty for no rows', () => {
    expect(shadowCostByExperiment([]).size).toBe(0);
  });
});
