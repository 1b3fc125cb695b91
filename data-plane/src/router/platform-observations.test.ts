import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { RoutingObservation } from '@switchyard/events/routing';
import { createProviderRegistry } from '../adapters/provider-registry';
import { createMetrics } from '../telemetry/metrics';
import { seededRandom } from './random';
import { parseRoutes } from './route';
import { createInMemoryRouteTable } from './route-table';
import { createRouter } from './router';

/**
 * What may leave the region: a data plane marks an observation `platform` only when the route that
 * served it is the platform's configured route, never a tenant's own route of the same name (which
 * the federation coordinator then keeps home).
 */
describe('platform marks on routing observations', () => {
  it("marks the platform's route, not a tenant's own route that shadows its name", async () => {
    const smart = (models: string[]) => ({ name: 'smart', strategy: { kind: 'bandit', reward: { success: 1 } }, candidates: models.map((model) => ({ model })) });
    const routes = createInMemoryRouteTable(parseRoutes([smart(['mock-gpt', 'mock-mini'])]));
    routes.setTenantRoutes('tenant-own', parseRoutes([smart(['mock-large'])]));
    const published: RoutingObservation[] = [];
    const router = createRouter({
      routes,
      providers: createProviderRegistry([{ name: 'mock', kind: 'mock', models: ['mock-gpt', 'mock-mini', 'mock-large'] }]),
      priceBook: { current: async () => null },
      metrics: createMetrics(),
      logger: pino({ level: 'silent' }),
      random: seededRandom(1),
      observations: { publish: (observation) => published.push(observation) },
    });
    for (const tenantId of ['tenant-platform', 'tenant-own']) {
      const decision = await router.decide(router.resolve('smart', tenantId)!);
      router.completed(decision, { requestId: `r-${tenantId}`, tenantId, legs: [], winner: { upstream: decision.plan.upstreams[0]!, success: true, latencyMs: 50 } });
    }
    expect(published.map((o) => [o.tenantId, o.upstream, o.platform])).toEqual([
      ['tenant-platform', expect.stringMatching(/^mock\/mock-(gpt|mini)$/), true],
      ['tenant-own', 'mock/mock-large', undefined],
    ]);
  });
});
