import { describe, expect, it } from 'vitest';
import { DEFAULT_SHEDDING_THRESHOLDS, shouldShed } from './load-shedding';
import { monitorEventLoopLag } from './event-loop-lag';
import { FORCE_BATCH_SCOPE, qosClassOf } from './qos-class';

const thresholds = { batch: { inFlight: 10, eventLoopLagMs: 100 }, interactive: { inFlight: 50, eventLoopLagMs: 400 } };

describe('shouldShed', () => {
  it('sheds batch first, interactive only past its higher thresholds', () => {
    expect(shouldShed('batch', { inFlight: 9, eventLoopLagMs: 99 }, thresholds)).toBe(false);
    expect(shouldShed('batch', { inFlight: 10, eventLoopLagMs: 0 }, thresholds)).toBe(true);
    expect(shouldShed('batch', { inFlight: 0, eventLoopLagMs: 100 }, thresholds)).toBe(true);
    expect(shouldShed('interactive', { inFlight: 49, eventLoopLagMs: 399 }, thresholds)).toBe(false);
    expect(shouldShed('interactive', { inFlight: 50, eventLoopLagMs: 0 }, thresholds)).toBe(true);
    expect(shouldShed('interactive', { inFlight: 0, eventLoopLagMs: 400 }, thresholds)).toBe(true);
  });

  it('defaults keep interactive above batch on both signals', () => {
    const { batch, interactive } = DEFAULT_SHEDDING_THRESHOLDS;
    expect(interactive.inFlight).toBeGreaterThan(batch.inFlight);
    expect(interactive.eventLoopLagMs).toBeGreaterThan(batch.eventLoopLagMs);
  });
});

describe('qosClassOf', () => {
  it('defaults to interactive, accepts batch, and a key scope forces batch', () => {
    expect(qosClassOf(undefined, [])).toBe('interactive');
    expect(qosClassOf(' Batch ', [])).toBe('batch');
    expect(qosClassOf('interactive', [FORCE_BATCH_SCOPE])).toBe('batch');
    expect(qosClassOf(['batch', 'interactive'], [])).toBe('batch');
  });

  it('refuses an unknown class with a 400 naming the header', () => {
    expect(() => qosClassOf('urgent', [])).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'x-switchyard-qos' }) as Error);
  });
});

describe('monitorEventLoopLag', () => {
  it('starts at zero and stops cleanly', () => {
    const signal = monitorEventLoopLag(10_000);
    expect(signal.lagMs()).toBe(0);
    signal.stop();
  });
});
