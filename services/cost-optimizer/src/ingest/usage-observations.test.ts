import type { UsageEvent } from '@switchyard/events/usage';
import { describe, expect, it } from 'vitest';
import { observationOf } from './usage-observations';

const served: UsageEvent = {
  requestId: 'req-1',
  tenantId: '3f2b8c1e-0d4a-4e55-9a61-0c2b7f6d9e10',
  apiKeyId: null,
  model: 'mock-gpt',
  provider: 'mock',
  promptTokens: 10,
  completionTokens: 20,
  priceBookVersion: 1,
  costMicros: '120',
  latencyMs: 40,
  status: 'ok',
  createdAt: '2026-12-07T18:00:00.000Z',
  route: {
    name: 'smart',
    configured: true,
    strategy: 'bandit',
    candidate: 'mock/mock-gpt',
    legs: [{ upstream: 'mock/mock-gpt', model: 'mock-gpt', outcome: 'won', promptTokens: 10, completionTokens: 20 }],
  },
};

describe('observationOf', () => {
  it("attributes a configured route's request to the upstream that served it", () => {
    expect(observationOf(served)).toMatchObject({ requestId: 'req-1', route: 'smart', upstream: 'mock/mock-gpt', success: true, costMicros: 120n });
  });

  it('leaves out plain models and shadow copies (no client got them: not the route traffic savings are about)', () => {
    expect(observationOf({ ...served, route: { ...served.route!, configured: false } })).toBeUndefined();
    const shadow: UsageEvent = { ...served, requestId: 'req-1:shadow', experiment: { experimentId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', arm: 'challenger', shadow: true } };
    expect(observationOf(shadow)).toBeUndefined();
    // A split challenger answered the client: it is route traffic.
    expect(observationOf({ ...served, experiment: { experimentId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', arm: 'challenger', shadow: false } })).toBeDefined();
  });
});
