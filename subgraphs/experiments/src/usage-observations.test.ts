import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { feedbackObservationsOf, observationsOf } from './usage-observations';

const tenantId = randomUUID();
const experimentId = randomUUID();
const event = (requestId: string, extra: Record<string, unknown>) => ({
  id: requestId,
  payload: JSON.stringify({
    requestId,
    tenantId,
    apiKeyId: null,
    model: 'mock-mini',
    provider: 'mock',
    promptTokens: 3,
    completionTokens: 5,
    priceBookVersion: 1,
    costMicros: '42',
    latencyMs: 120,
    status: 'ok',
    createdAt: new Date().toISOString(),
    ...extra,
  }),
});

describe('observationsOf', () => {
  it('keeps events of experiments, by tenant, with cost and (answered only) latency', () => {
    const observed = observationsOf([
      event('a', { experiment: { experimentId, arm: 'challenger', shadow: true } }),
      event('b', { experiment: { experimentId, arm: 'champion', shadow: false }, status: 'error' }),
      event('c', {}),
      { id: 'd', payload: 'not json' },
      event('e', { experiment: { experimentId: 'not-a-uuid', arm: 'champion', shadow: false } }),
      // An experiment judge's call: billed as shadow cost, never the arm's own cost or latency.
      event('f:judge:champion', { model: 'mock-judge', experiment: { experimentId, arm: 'champion', shadow: true, judge: true } }),
    ]);
    expect([...observed.keys()]).toEqual([tenantId]);
    expect(observed.get(tenantId)).toEqual([
      { requestId: 'a', experimentId, arm: 'challenger', values: { cost: 42, latency: 120 } },
      { requestId: 'b', experimentId, arm: 'champion', values: { cost: 42 } },
    ]);
  });
});

describe('feedbackObservationsOf', () => {
  it('turns experiment feedback into quality observations keyed apart from usage', () => {
    const entry = (id: string, payload: unknown) => ({ id, payload: JSON.stringify(payload) });
    const observed = feedbackObservationsOf([
      entry('1', { requestId: 'r1', tenantId, experimentId, arm: 'challenger', score: 0.75, createdAt: new Date().toISOString() }),
      entry('2', { requestId: 'r2', tenantId, experimentId, arm: 'challenger', score: 7, createdAt: new Date().toISOString() }),
    ]);
    expect(observed.get(tenantId)).toEqual([{ requestId: 'feedback:r1', experimentId, arm: 'challenger', values: { quality: 0.75 } }]);
  });

  it("an automatic judge's score is the arm's quality like a client's, counted apart from the client's score on the same request", () => {
    const entry = (id: string, payload: unknown) => ({ id, payload: JSON.stringify(payload) });
    const createdAt = new Date().toISOString();
    const observed = feedbackObservationsOf([
      entry('1', { requestId: 'r1', tenantId, experimentId, arm: 'champion', score: 0.5, createdAt }),
      entry('2', { requestId: 'r1:judge:champion', tenantId, experimentId, arm: 'champion', score: 0.9, source: 'judge', createdAt }),
      entry('3', { requestId: 'r1:judge:challenger', tenantId, experimentId, arm: 'challenger', score: 0.4, source: 'judge', createdAt }),
    ]);
    expect(observed.get(tenantId)).toEqual([
      { requestId: 'feedback:r1', experimentId, arm: 'champion', values: { quality: 0.5 } },
      { requestId: 'feedback:r1:judge:champion', experimentId, arm: 'champion', values: { quality: 0.9 } },
      { requestId: 'feedback:r1:judge:challenger', experimentId, arm: 'challenger', values: { quality: 0.4 } },
    ]);
  });
});
