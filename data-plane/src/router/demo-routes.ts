import type { ProviderConfig } from '../adapters/provider-registry';
import type { RouteConfig } from './route';

/**
 * Routes every data plane serves (standalone or under `npm start`) when DATA_PLANE_ROUTES is not
 * set, so a newcomer can try routing against the mock models at once: send one of these names as `model`.
 */
export const DEMO_ROUTES: RouteConfig[] = [
  {
    name: 'auto',
    candidates: [{ model: 'mock-mini' }, { model: 'mock-gpt' }, { model: 'mock-large' }],
    strategy: { kind: 'bandit', reward: { success: 1, latency: 0.2, cost: 0.3, quality: 1 }, latencyTargetMs: 5_000, costTargetPer1kMicros: 20_000 },
    retries: { max: 1, baseMs: 100 },
  },
  {
    name: 'cheapest',
    candidates: [{ model: 'mock-mini' }, { model: 'mock-gpt' }, { model: 'mock-large' }],
    strategy: { kind: 'cheapest' },
    fallbacks: ['mock-gpt'],
  },
  {
    name: 'fastest',
    candidates: [{ model: 'mock-gpt' }, { model: 'mock-large' }],
    strategy: { kind: 'least-latency' },
    speculative: { mode: 'hedge', afterPercentile: 95, minDelayMs: 250 },
  },
];

/**
 * The demo routes whose models the configured providers serve: with real providers and no
 * mock, a data plane serves no demo route rather than refusing to start over a missing model.
 */
export function demoRoutesFor(providers: readonly ProviderConfig[]): RouteConfig[] {
  const served = new Set(providers.flatMap((provider) => provider.models));
  return DEMO_ROUTES.filter((route) =>
    [...route.candidates.map((candidate) => candidate.model), ...(route.fallbacks ?? [])].every((model) => served.has(model)),
  );
}
