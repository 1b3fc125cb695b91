import type { ProviderConfig } from '../adapters/provider-registry';
import type { RouteConfig } from '../router/route';

/** Two mock providers serving the same model in different regions (`us-east`, `eu-west`). */
export const TWO_REGION_PROVIDERS: ProviderConfig[] = [
  { name: 'mock-us', kind: 'mock', models: ['mock-gpt', 'mock-mini'], region: 'us-east' },
  { name: 'mock-eu', kind: 'mock', models: ['mock-gpt'], region: 'eu-west' },
];

/** Route `pair`: both providers raced (speculative), then a fallback to the US-only model. */
export const TWO_REGION_ROUTES: RouteConfig[] = [
  {
    name: 'pair',
    candidates: [
      { model: 'mock-gpt', provider: 'mock-us' },
      { model: 'mock-gpt', provider: 'mock-eu' },
    ],
    strategy: { kind: 'priority' },
    speculative: { mode: 'parallel', k: 2 },
    fallbacks: ['mock-mini'],
  },
];

/** A Cedar policy that permits everything; tests append the forbid they are about. */
export const ALLOW_ALL_POLICY = '@id("allow-all") permit (principal, action, resource);\n';
