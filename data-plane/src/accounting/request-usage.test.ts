import { describe, expect, it } from 'vitest';
import type { LegRecord } from '../domain/upstream-leg';
import { costMicros, type PriceBook } from './price-book';
import { usageRecordOf, type RequestOutcome } from './request-usage';
import { MAX_ROUTE_LEGS, usageEventSchema } from '@switchyard/events/usage';
import { usageEventOf } from './usage-recorder';

const TENANT = '00000000-0000-4000-8000-000000000001';
const KEY = '00000000-0000-4000-8000-000000000002';
const BOOK: PriceBook = { version: 4, prices: [{ model: 'gpt-b', inputPer1kMicros: 1_000n, outputPer1kMicros: 3_000n }] };
const STARTED = Date.parse('2026-11-26T08:00:00.000Z');

const leg = (upstream: string, outcome: LegRecord['outcome'], promptTokens = 0, completionTokens = 0): LegRecord => ({
  upstream,
  model: upstream.split('/')[1]!,
  outcome,
  attempts: 1,
  promptTokens,
  completionTokens,
});

function outcome(overrides: Partial<RequestOutcome> = {}): RequestOutcome {
  return {
    requestId: 'req-1',
    tenantId: TENANT,
    apiKeyId: KEY,
    requestedModel: 'smart',
    route: { name: 'smart', configured: true, strategy: 'priority' },
    plannedProvider: 'a',
    served: { provider: 'b', model: 'gpt-b', promptTokens: 10, completionTokens: 20 },
    status: 'ok',
    legs: [leg('b/gpt-b', 'won')],
    piiRedactions: {},
    startedAt: STARTED,
    endedAt: STARTED + 42,
    ...overrides,
  };
}

describe('usageRecordOf: the usage of one request, from how it ended', () => {
  it('a served request: the serving model and provider, its tokens, the time it took, the route and its legs', () => {
    expect(usageRecordOf(outcome())).toEqual({
      requestId: 'req-1',
      tenantId: TENANT,
      apiKeyId: KEY,
      model: 'gpt-b',
      provider: 'b',
      promptTokens: 10,
      completionTokens: 20,
      latencyMs: 42,
      status: 'ok',
      completedAt: new Date(STARTED + 42),
      piiRedactions: {},
      route: {
        name: 'smart',
        configured: true,
        strategy: 'priority',
        candidate: 'b/gpt-b',
        legs: [{ upstream: 'b/gpt-b', model: 'gpt-b', outcome: 'won', promptTokens: 10, completionTokens: 20 }],
      },
    });
  });

  it('what lost and failed legs generated is billed on top of the answer', () => {
    const record = usageRecordOf(outcome({ legs: [leg('a/gpt-a', 'failed', 10, 4), leg('c/gpt-c', 'lost', 10, 1), leg('b/gpt-b', 'won')] }));
    expect(record).toMatchObject({ model: 'gpt-b', provider: 'b', promptTokens: 30, completionTokens: 25 });
    expect(record.route?.legs.map((l) => `${l.upstream}:${l.outcome}`)).toEqual(['a/gpt-a:failed', 'c/gpt-c:lost', 'b/gpt-b:won']);
  });

  it('no upstream served: the name the client sent, the planned provider, only what failed legs generated, no candidate', () => {
    const record = usageRecordOf(outcome({ served: undefined, status: 'error', legs: [leg('a/gpt-a', 'failed'), leg('b/gpt-b', 'failed', 10, 2)] }));
    expect(record).toMatchObject({ model: 'smart', provider: 'a', promptTokens: 10, completionTokens: 2, status: 'error' });
    expect(record.route).toMatchObject({ candidate: null, legs: [{ outcome: 'failed' }, { outcome: 'failed' }] });
    expect(usageRecordOf(outcome({ served: undefined, plannedProvider: undefined, status: 'error', legs: [] })).provider).toBe('none');
  });

  it('a serving leg the router did not record as won is listed: won when the answer completed, failed when it broke off', () => {
    const completed = usageRecordOf(outcome({ legs: [leg('a/gpt-a', 'failed')] }));
    expect(completed.route?.legs.at(-1)).toEqual({ upstream: 'b/gpt-b', model: 'gpt-b', outcome: 'won', promptTokens: 10, completionTokens: 20 });
    const brokeOff = usageRecordOf(outcome({ status: 'error', legs: [] }));
    expect(brokeOff.route?.legs).toEqual([{ upstream: 'b/gpt-b', model: 'gpt-b', outcome: 'failed', promptTokens: 10, completionTokens: 20 }]);
    expect(brokeOff).toMatchObject({ promptTokens: 10, completionTokens: 20, status: 'error' });
  });

  it('keeps at most MAX_ROUTE_LEGS legs, but bills every one', () => {
    const legs = Array.from({ length: MAX_ROUTE_LEGS + 3 }, (_, i) => leg(`p${i}/m`, 'lost', 1, 1));
    const record = usageRecordOf(outcome({ legs }));
    expect(record.route?.legs).toHaveLength(MAX_ROUTE_LEGS);
    expect(record.promptTokens).toBe(10 + MAX_ROUTE_LEGS + 3);
  });

  it('carries the PII redaction counts', () => {
    expect(usageRecordOf(outcome({ piiRedactions: { email: 2 } })).piiRedactions).toEqual({ email: 2 });
  });

  it('priced with the price book, it is a valid usage event', () => {
    const record = usageRecordOf(outcome({ legs: [leg('a/gpt-a', 'failed', 5, 5), leg('b/gpt-b', 'won')], piiRedactions: { email: 1 } }));
    const event = usageEventOf(record, BOOK, costMicros(BOOK, record.model, record.promptTokens, record.completionTokens));
    expect(usageEventSchema.parse(event)).toEqual(event);
    // (15 × 1,000 + 25 × 3,000) / 1,000 micro-USD.
    expect(event).toMatchObject({ model: 'gpt-b', promptTokens: 15, completionTokens: 25, costMicros: '90', priceBookVersion: 4, latencyMs: 42, piiRedactions: { email: 1 } });
  });
});
