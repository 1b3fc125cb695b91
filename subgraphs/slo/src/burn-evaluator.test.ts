import { describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { ALERTS_STREAM } from '@switchyard/events/alerts';
import { AUDIT_STREAM } from '@switchyard/events/audit';
import type { SloDefinition } from '@switchyard/slo';
import { createInMemorySliCounters, sloSeries } from '@switchyard/slo/counters';
import { startBurnEvaluator } from './burn-evaluator';
import type { LatestState, NewTransition, SloStore } from './slo-store';

const slo: SloDefinition = { id: 's1', tenantId: 't1', route: 'chat', kind: 'availability', objective: 0.99, windowDays: 30 };

function fakeStore(options: { winsRace: boolean }) {
  const recorded: NewTransition[] = [];
  const latest = new Map<string, LatestState>();
  const store: Pick<SloStore, 'latestStates' | 'recordTransition'> = {
    latestStates: () => Promise.resolve(new Map(latest)),
    recordTransition: (t) => {
      if (!options.winsRace) return Promise.resolve(false);
      recorded.push(t);
      latest.set(t.sloId, { seq: t.seq, state: t.state });
      return Promise.resolve(true);
    },
  };
  return { store: store as SloStore, recorded };
}

async function setUp(winsRace: boolean) {
  const bus = createInProcessBus();
  const appended: string[] = [];
  const throttles: string[] = [];
  const wrapped = { ...bus, append: (stream: string, payload: string) => (appended.push(stream), bus.append(stream, payload)) };
  await bus.subscribe('switchyard:slo.throttle', (m) => throttles.push(m));
  const counters = createInMemorySliCounters();
  const now = new Date();
  await counters.record('e1', [{ series: sloSeries('t1', 's1'), at: now, counts: { good: 50, total: 100 } }]);
  const { store, recorded } = fakeStore({ winsRace });
  const evaluator = startBurnEvaluator({
    bus: wrapped,
    counters,
    store,
    directory: { all: () => Promise.resolve([slo]), ofTenant: () => Promise.resolve([slo]), invalidate: () => undefined },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    intervalMs: 3_600_000,
    now: () => now,
  });
  return { evaluator, appended, throttles, recorded };
}

describe('burn evaluator', () => {
  it('acts once per transition: a second round with the same burn does nothing', async () => {
    const { evaluator, appended, throttles, recorded } = await setUp(true);
    expect(await evaluator.evaluateOnce()).toBe(1);
    expect(await evaluator.evaluateOnce()).toBe(0);
    await evaluator.stop();
    expect(recorded.map((t) => [t.seq, t.previous, t.state, t.throttle])).toEqual([[1, 'ok', 'page', 'engage']]);
    expect(appended).toEqual([ALERTS_STREAM, AUDIT_STREAM, AUDIT_STREAM]);
    expect(throttles).toHaveLength(1);
  });

  it('sends nothing when another replica recorded the transition first', async () => {
    const { evaluator, appended, throttles } = await setUp(false);
    expect(await evaluator.evaluateOnce()).toBe(0);
    await evaluator.stop();
    expect(appended).toEqual([]);
    expect(throttles).toEqual([]);
  });
});
