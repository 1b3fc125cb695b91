import OpenAI from 'openai';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPERIMENT_FEEDBACK_STREAM, experimentFeedbackEventSchema, type ExperimentFeedbackEvent } from '@switchyard/events/usage';
import type { ProviderConfig } from '../adapters/provider-registry';
import { mockCompletion } from '../adapters/mock/mock-model';
import { MOCK_PROVIDER, startHarness, TEST_PRICE_BOOK, type Harness, type HarnessOptions } from '../test-support/data-plane-harness';
import { createStaticPriceBookSource } from '../accounting/price-book';
import { judgeRequest } from '../router/judge';
import { parseRoutes, type RouteConfig } from '../router/route';
import { createInMemoryRouteTable } from '../router/route-table';

/**
 * An experiment's automatic judge through the HTTP app with the official openai client: the mock
 * judge scores each arm's answer off the client's path; the scores go on the experiment feedback
 * stream (what the experiments subgraph counts as the arm's quality), the judge's tokens are billed
 * as shadow cost; a failing judge never touches the client's answer; a judge the tenant's regions
 * forbid is never called.
 */
const harnesses: Harness[] = [];
const buses: Bus[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

const experimentId = '5e1b2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const QUESTION = 'What does a gateway do?';
const providers: ProviderConfig[] = [
  { ...MOCK_PROVIDER, models: [...MOCK_PROVIDER.models, 'mock-judge'] },
  { name: 'broken-judge', kind: 'mock', models: ['mock-judge-broken'], mock: { directives: 'status=500' } },
  { name: 'stuck-judge', kind: 'mock', models: ['mock-judge-stuck'], mock: { directives: 'hang' } },
  { name: 'fixed-judge', kind: 'mock', models: ['mock-judge'], mock: { directives: 'score=0.25' } },
];
const priceBook = createStaticPriceBookSource({ ...TEST_PRICE_BOOK, prices: [...TEST_PRICE_BOOK.prices, { model: 'mock-judge', inputPer1kMicros: 100n, outputPer1kMicros: 100n }] });

function routeWith(experiment: Record<string, unknown>): RouteConfig {
  return { name: 'smart', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' }, experiment: { id: experimentId, ...experiment } as RouteConfig['experiment'] };
}

async function start(route: RouteConfig, options: HarnessOptions = {}): Promise<{ h: Harness; client: OpenAI }> {
  const table = createInMemoryRouteTable([]);
  // The test's own bus: it outlives the data plane, so the feedback stream can be read after the close.
  const bus = createInProcessBus();
  buses.push(bus);
  const h = await startHarness({ routes: table, providers, priceBook, bus, ...options });
  harnesses.push(h);
  table.setTenantRoutes(h.record.tenantId, parseRoutes([route]));
  return { h, client: new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 }) };
}

const ask = (client: OpenAI, user?: string) => client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: QUESTION }], ...(user ? { user } : {}) });

/** Closes the data plane (waiting for every judge and shadow leg) and returns its usage events and judge scores. */
async function finish(h: Harness) {
  harnesses.splice(harnesses.indexOf(h), 1);
  const events = await h.finish();
  await h.bus.ensureGroup(EXPERIMENT_FEEDBACK_STREAM, 'check');
  const entries = await h.bus.readGroup(EXPERIMENT_FEEDBACK_STREAM, 'check', 'reader', { count: 100, blockMs: 0 });
  const scores = entries.map((entry) => experimentFeedbackEventSchema.parse(JSON.parse(entry.payload)));
  return { events, scores };
}

/** What the mock judge answers for this answer to QUESTION (a hash of both, two decimals). */
function mockJudgeScore(answer: string): number {
  return Number(mockCompletion(judgeRequest('mock-judge', { messages: [{ role: 'user', content: QUESTION }] }, answer)).chunks.join(''));
}

describe('an experiment with a judge', () => {
  it('shadow: both arms are judged on the same question; the scores go on the feedback stream, the judge is billed as shadow cost', async () => {
    const { h, client } = await start(routeWith({ mode: 'shadow', challenger: { model: 'mock-mini' }, judge: { model: 'mock-judge', provider: 'mock' } }));
    const answer = await ask(client);
    expect(answer.model).toBe('mock-gpt');
    const championText = answer.choices[0]!.message.content!;
    const challengerText = mockCompletion({ model: 'mock-mini', messages: [{ role: 'user', content: QUESTION }] }).chunks.join('');
    const { events, scores } = await finish(h);

    const main = events.find((e) => !e.experiment?.shadow)!;
    expect(scores).toHaveLength(2);
    expect(new Map(scores.map((s) => [s.arm, s]))).toEqual(
      new Map<string, ExperimentFeedbackEvent>([
        ['champion', expect.objectContaining({ requestId: `${main.requestId}:judge:champion`, tenantId: h.record.tenantId, experimentId, source: 'judge', score: mockJudgeScore(championText) })],
        ['challenger', expect.objectContaining({ requestId: `${main.requestId}:judge:challenger`, experimentId, source: 'judge', score: mockJudgeScore(challengerText) })],
      ]),
    );
    // The mock judge tells the two answers apart (a hash of each), so the arms' quality can differ.
    expect(mockJudgeScore(championText)).not.toBe(mockJudgeScore(challengerText));

    const judged = events.filter((e) => e.experiment?.judge);
    expect(judged.map((e) => e.experiment!.arm).sort()).toEqual(['challenger', 'champion']);
    for (const event of judged) {
      expect(event).toMatchObject({ model: 'mock-judge', status: 'ok', completionTokens: 1, experiment: { experimentId, shadow: true, judge: true } });
      expect(event.promptTokens).toBeGreaterThan(0);
      expect(BigInt(event.costMicros)).toBeGreaterThan(0n);
    }
    // Client traffic, the challenger's shadow copy and the two judge calls: four events, one client request.
    expect(events).toHaveLength(4);
    expect(events.filter((e) => !e.experiment?.shadow)).toHaveLength(1);
  });

  it('split: the arm that answered is judged, once per request', async () => {
    const { h, client } = await start(routeWith({ mode: 'split', percent: 100, unit: 'user', challenger: { model: 'mock-mini' }, judge: { model: 'mock-judge', provider: 'fixed-judge' } }));
    const first = await ask(client, 'u1');
    const second = await ask(client, 'u2');
    expect([first.model, second.model]).toEqual(['mock-mini', 'mock-mini']);
    const { events, scores } = await finish(h);
    expect(scores).toHaveLength(2);
    for (const score of scores) expect(score).toMatchObject({ arm: 'challenger', score: 0.25, source: 'judge' });
    expect(new Set(scores.map((s) => s.requestId)).size).toBe(2);
    expect(events.filter((e) => e.experiment?.judge)).toHaveLength(2);
  });

  it.each([
    ['errors', 'mock-judge-broken', {}],
    ['hangs past its timeout', 'mock-judge-stuck', { timeoutMs: 200 }],
  ])('a judge that %s never affects the client; no score, its failed call is billed', async (_, model, extra) => {
    const { h, client } = await start(routeWith({ mode: 'shadow', challenger: { model: 'mock-mini' }, judge: { model, ...extra } }));
    for (let i = 0; i < 3; i++) {
      const answer = await ask(client);
      expect(answer.model).toBe('mock-gpt');
      expect(answer.choices[0]?.message.content).toBeTruthy();
    }
    const { events, scores } = await finish(h);
    expect(scores).toEqual([]);
    const judged = events.filter((e) => e.experiment?.judge);
    expect(judged).toHaveLength(6);
    for (const event of judged) expect(event).toMatchObject({ model, status: 'error' });
    expect(events.filter((e) => !e.experiment?.shadow).every((e) => e.status === 'ok' && e.model === 'mock-gpt')).toBe(true);
    expect(await h.metricsText()).toMatch(/switchyard_experiment_judge_total\{outcome="error"\} 6/);
  });

  it("a judge outside the tenant's allowed regions is never called; the experiment runs without it", async () => {
    const regional: ProviderConfig[] = [
      { name: 'mock-eu', kind: 'mock', models: ['mock-gpt', 'mock-mini'], region: 'eu-west' },
      { name: 'judge-us', kind: 'mock', models: ['mock-judge'], region: 'us-east' },
    ];
    const { h, client } = await start(routeWith({ mode: 'shadow', challenger: { model: 'mock-mini' }, judge: { model: 'mock-judge' } }), {
      providers: regional,
      tenantSettings: { allowedRegions: ['eu-west'] },
    });
    const answer = await ask(client);
    expect(answer.model).toBe('mock-gpt');
    const { events, scores } = await finish(h);
    expect(scores).toEqual([]);
    expect(events.filter((e) => e.experiment?.judge)).toEqual([]);
    expect(events.filter((e) => e.model === 'mock-judge')).toEqual([]);
    // The challenger (allowed) still got its shadow copy.
    expect(events.filter((e) => e.experiment?.shadow && !e.experiment.judge)).toHaveLength(1);
    expect(await h.metricsText()).not.toMatch(/switchyard_experiment_judge_total\{/);
  });
});
