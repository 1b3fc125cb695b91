import OpenAI from 'openai';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createProviderRegistry, type ProviderConfig } from '../adapters/provider-registry';
import { createMetrics } from '../telemetry/metrics';
import { MOCK_PROVIDER, startHarness, type Harness } from '../test-support/data-plane-harness';
import { parseRoutes, type RouteConfig } from './route';
import { createRouter } from './router';
import { createInMemoryRouteTable } from './route-table';
import { EXPERIMENT_FEEDBACK_STREAM, experimentFeedbackEventSchema } from '@switchyard/events/usage';

/**
 * Experiments on a route through the HTTP app with the official openai client: shadow copies off
 * the client's path (a challenger that fails or hangs never hurts the client), sticky splits, and
 * the arm on every usage event.
 */
const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

const experimentId = '0a5c8f9e-1b2d-4c3e-8f70-6a5b4c3d2e10';
const providers: ProviderConfig[] = [
  MOCK_PROVIDER,
  { name: 'broken', kind: 'mock', models: ['mock-broken'], mock: { directives: 'status=500' } },
  { name: 'stuck', kind: 'mock', models: ['mock-stuck'], mock: { directives: 'hang' } },
];

function routeWith(experiment: Record<string, unknown>): RouteConfig {
  return { name: 'smart', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' }, experiment: { id: experimentId, ...experiment } as RouteConfig['experiment'] };
}

async function start(route: RouteConfig): Promise<{ h: Harness; client: OpenAI }> {
  const table = createInMemoryRouteTable([]);
  const h = await startHarness({ routes: table, providers });
  harnesses.push(h);
  table.setTenantRoutes(h.record.tenantId, parseRoutes([route]));
  return { h, client: new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 }) };
}

const ask = (client: OpenAI, user?: string) =>
  client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'Hello there' }], ...(user ? { user } : {}) });

describe('shadow mode', () => {
  it('the champion answers; the challenger gets a copy whose tokens are billed apart as shadow cost', async () => {
    const { h, client } = await start(routeWith({ mode: 'shadow', challenger: { model: 'mock-mini' } }));
    const answer = await ask(client);
    expect(answer.model).toBe('mock-gpt');
    harnesses.splice(harnesses.indexOf(h), 1);
    const events = await h.finish();
    expect(events).toHaveLength(2);
    const main = events.find((e) => !e.requestId.endsWith(':shadow'))!;
    const shadow = events.find((e) => e.requestId === `${main.requestId}:shadow`)!;
    expect(main).toMatchObject({ model: 'mock-gpt', status: 'ok', experiment: { experimentId, arm: 'champion', shadow: false } });
    expect(shadow).toMatchObject({ model: 'mock-mini', status: 'ok', experiment: { experimentId, arm: 'challenger', shadow: true } });
    expect(shadow.completionTokens).toBeGreaterThan(0);
    expect(BigInt(shadow.costMicros)).toBeGreaterThan(0n);
  });

  it.each([
    ['errors', 'mock-broken', {}],
    ['hangs past its timeout', 'mock-stuck', { shadowTimeoutMs: 300 }],
  ])('a challenger that %s never hurts the client; the failed shadow leg is recorded', async (_, model, extra) => {
    const { h, client } = await start(routeWith({ mode: 'shadow', challenger: { model }, ...extra }));
    for (let i = 0; i < 3; i++) {
      const answer = await ask(client);
      expect(answer.model).toBe('mock-gpt');
      expect(answer.choices[0]?.message.content).toBeTruthy();
    }
    harnesses.splice(harnesses.indexOf(h), 1);
    const events = await h.finish();
    const shadows = events.filter((e) => e.experiment?.shadow);
    expect(shadows).toHaveLength(3);
    for (const shadow of shadows) expect(shadow).toMatchObject({ model, status: 'error', experiment: { arm: 'challenger' } });
    expect(events.filter((e) => !e.experiment?.shadow).every((e) => e.status === 'ok' && e.model === 'mock-gpt')).toBe(true);
  });
});

describe('split mode', () => {
  it('sends p % of users to the challenger, sticky per user, and marks each event with its arm', async () => {
    const { h, client } = await start(routeWith({ mode: 'split', percent: 50, unit: 'user', challenger: { model: 'mock-mini' } }));
    const firstModel = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const user = `user-${i % 20}`;
      const answer = await ask(client, user);
      if (firstModel.has(user)) expect(answer.model).toBe(firstModel.get(user));
      else firstModel.set(user, answer.model);
    }
    const challengerUsers = [...firstModel.values()].filter((m) => m === 'mock-mini').length;
    expect(challengerUsers).toBeGreaterThan(2);
    expect(challengerUsers).toBeLessThan(18);
    harnesses.splice(harnesses.indexOf(h), 1);
    const events = await h.finish();
    for (const event of events) {
      expect(event.experiment).toMatchObject({ experimentId, shadow: false, arm: event.model === 'mock-mini' ? 'challenger' : 'champion' });
    }
  });

  it('0 % keeps everyone on the champion', async () => {
    const { client } = await start(routeWith({ mode: 'split', percent: 0, challenger: { model: 'mock-mini' } }));
    for (let i = 0; i < 5; i++) expect((await ask(client, `u${i}`)).model).toBe('mock-gpt');
  });
});

describe('feedback', () => {
  it('a score for a request of an experiment becomes a quality observation of its arm, once', async () => {
    const { h, client } = await start(routeWith({ mode: 'split', percent: 100, challenger: { model: 'mock-mini' } }));
    const answer = await ask(client, 'rater');
    expect(answer.model).toBe('mock-mini');
    const rate = () =>
      fetch(`${h.baseUrl}/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ request_id: answer.id, score: 0.8 }),
      });
    expect((await rate()).status).toBe(202);
    expect((await rate()).status).toBe(404);
    await h.bus.ensureGroup(EXPERIMENT_FEEDBACK_STREAM, 'check');
    const entries = await h.bus.readGroup(EXPERIMENT_FEEDBACK_STREAM, 'check', 'reader', { count: 100, blockMs: 0 });
    expect(entries.map((entry) => experimentFeedbackEventSchema.parse(JSON.parse(entry.payload)))).toEqual([
      expect.objectContaining({ tenantId: h.record.tenantId, experimentId, arm: 'challenger', score: 0.8 }),
    ]);
  });
});

describe('policy', () => {
  it('a challenger the tenant may not use gets no traffic, neither split nor shadow', async () => {
    for (const mode of ['split', 'shadow'] as const) {
      const router = createRouter({
        routes: createInMemoryRouteTable([]),
        providers: createProviderRegistry(providers),
        priceBook: { current: async () => null },
        metrics: createMetrics(),
        logger: pino({ level: 'silent' }),
      });
      const [route] = parseRoutes([routeWith({ mode, percent: 100, challenger: { model: 'mock-mini' } })]);
      const target = { route: route!, tenantId: 't', configured: true, strategy: router.resolve('mock-gpt', 't')!.strategy };
      const units = { caller: 'k' };
      const allowed = await router.decide(target, { units });
      expect(allowed.experiment).toBeDefined();
      const refused = await router.decide(target, { units, allowUpstream: (upstream) => upstream.model !== 'mock-mini' });
      expect(refused.experiment).toBeUndefined();
      expect(refused.plan.upstreams.map((u) => u.model)).toEqual(['mock-gpt']);
    }
  });
});
