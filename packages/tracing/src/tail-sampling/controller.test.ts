import { describe, expect, it } from 'vitest';
import { TailSamplingController, type TraceSummary } from './controller';

const ordinary = (spanCount = 5): TraceSummary => ({ spanCount, rootDurationMs: 10, route: 'r', errored: false, denied: false, fallback: false });

/** A fake clock and a seeded generator (mulberry32), so the decisions are reproducible. */
function fakeWorld() {
  let now = 0;
  let seed = 42;
  return {
    clock: () => now,
    advance: (ms: number) => void (now += ms),
    random: () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Offers `tracesPerSecond` traces for `seconds`, evenly spread; returns exported spans per second. */
function run(controller: Pick<TailSamplingController, 'decide'>, world: ReturnType<typeof fakeWorld>, tracesPerSecond: number, seconds: number, trace: (i: number) => TraceSummary = () => ordinary()) {
  const perSecond: number[] = [];
  for (let s = 0; s < seconds; s++) {
    let exported = 0;
    for (let i = 0; i < tracesPerSecond; i++) {
      const t = trace(i);
      const decision = controller.decide(t);
      if (decision.keep) exported += t.spanCount;
      world.advance(1000 / tracesPerSecond);
    }
    perSecond.push(exported);
  }
  return perSecond;
}

describe('TailSamplingController', () => {
  it('keeps everything while the load is under the budget', () => {
    const world = fakeWorld();
    const controller = new TailSamplingController({ spansPerSecond: 1000 }, world.clock, world.random);
    const exported = run(controller, world, 100, 5);
    expect(exported).toEqual([500, 500, 500, 500, 500]);
    expect(controller.probability).toBe(1);
  });

  it('lowers the probability to hold the budget at 10× the load, and raises it again when the load drops', () => {
    const world = fakeWorld();
    const controller = new TailSamplingController({ spansPerSecond: 500 }, world.clock, world.random);
    run(controller, world, 100, 3); // 500 spans/s: exactly the budget
    const flooded = run(controller, world, 1000, 10); // 5,000 spans/s offered
    for (const rate of flooded) expect(rate).toBeLessThanOrEqual(500);
    // Once the controller has adapted, the budget is used rather than starved by the in-window cap.
    expect(flooded.slice(3).every((rate) => rate >= 350)).toBe(true);
    expect(controller.probability).toBeLessThan(0.2);
    run(controller, world, 50, 5);
    expect(controller.probability).toBe(1);
  });

  it('at a step to 10× the load with 5 % errored traces, no second exports more than the budget and every errored trace is kept', () => {
    const world = fakeWorld();
    const controller = new TailSamplingController({ spansPerSecond: 600 }, world.clock, world.random);
    const mixed = (i: number): TraceSummary => ({ ...ordinary(6), errored: i % 20 === 0 });
    let errors = 0;
    let kept = 0;
    const counted = (i: number) => {
      const trace = mixed(i);
      if (trace.errored) errors += 1;
      return trace;
    };
    const wrap = {
      decide(trace: TraceSummary) {
        const decision = controller.decide(trace);
        if (trace.errored && decision.keep) kept += 1;
        return decision;
      },
    };
    const before = run(wrap, world, 100, 5, counted);
    const flooded = run(wrap, world, 1000, 10, counted);
    for (const rate of [...before, ...flooded]) expect(rate).toBeLessThanOrEqual(600);
    expect(flooded.slice(2).every((rate) => rate >= 450)).toBe(true);
    expect(kept).toBe(errors);
    expect(errors).toBeGreaterThan(500);
  });

  it('keeps every errored, denied and fallback trace whatever the load, on top of the budget', () => {
    const world = fakeWorld();
    const controller = new TailSamplingController({ spansPerSecond: 100 }, world.clock, world.random);
    let errors = 0;
    let keptErrors = 0;
    for (let s = 0; s < 10; s++) {
      for (let i = 0; i < 1000; i++) {
        const kind = i % 10;
        const trace = { ...ordinary(), errored: kind === 0, denied: kind === 1, fallback: kind === 2 };
        const decision = controller.decide(trace);
        if (trace.errored || trace.denied || trace.fallback) {
          errors += 1;
          if (decision.keep) keptErrors += 1;
          expect(decision).toEqual({ keep: true, reason: trace.errored ? 'error' : trace.denied ? 'denied' : 'fallback' });
        }
        world.advance(1);
      }
    }
    expect(errors).toBe(3000);
    expect(keptErrors).toBe(errors);
    // The mandatory traces alone exceed the budget: no ordinary trace is sampled.
    expect(controller.probability).toBe(0.001);
  });

  it('keeps a trace that was slow for its route, judged against that route only', () => {
    const world = fakeWorld();
    const controller = new TailSamplingController({ spansPerSecond: 1, slow: { minObservations: 32, recomputeEvery: 8 } }, world.clock, world.random);
    for (let i = 0; i < 64; i++) {
      controller.decide({ ...ordinary(1), route: 'fast', rootDurationMs: 10 + (i % 5) });
      controller.decide({ ...ordinary(1), route: 'slow', rootDurationMs: 900 + (i % 5) });
    }
    expect(controller.decide({ ...ordinary(1), route: 'fast', rootDurationMs: 200 })).toEqual({ keep: true, reason: 'slow' });
    // 200 ms is normal for nothing, but fast for the slow route: not kept for slowness.
    expect(controller.decide({ ...ordinary(1), route: 'slow', rootDurationMs: 200 })).not.toEqual({ keep: true, reason: 'slow' });
  });
});
