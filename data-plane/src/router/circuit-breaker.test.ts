import { describe, expect, it } from 'vitest';
import { createCircuitBreaker, type BreakerState } from './circuit-breaker';

const options = { windowSize: 10, minimumCalls: 4, failureRateThreshold: 0.5, cooldownMs: 1_000 };

describe('circuit breaker', () => {
  it('stays closed below the minimum number of calls, opens at the failure rate', () => {
    const transitions: BreakerState[] = [];
    const breaker = createCircuitBreaker(options, (s) => transitions.push(s));
    breaker.onFailure(0);
    breaker.onFailure(0);
    breaker.onFailure(0);
    expect(breaker.state(0)).toBe('closed'); // 3 calls < minimum 4
    breaker.onSuccess(0);
    expect(breaker.state(0)).toBe('open'); // 3 of 4 failed
    expect(transitions).toEqual(['open']);
    expect(breaker.tryAcquire(500)).toBe(false);
  });

  it('a failure rate under the threshold keeps it closed', () => {
    const breaker = createCircuitBreaker(options);
    for (let i = 0; i < 30; i++) {
      if (i % 4 === 3) breaker.onFailure(0);
      else breaker.onSuccess(0);
    }
    expect(breaker.state(0)).toBe('closed');
  });

  it('judges only the last windowSize calls', () => {
    const breaker = createCircuitBreaker(options);
    for (let i = 0; i < 6; i++) breaker.onSuccess(0);
    for (let i = 0; i < 4; i++) breaker.onFailure(0);
    expect(breaker.state(0)).toBe('closed'); // 4 of 10
    breaker.onSuccess(0); // a success leaves, a success enters: still 4 of 10
    expect(breaker.state(0)).toBe('closed');
    breaker.onFailure(0); // a success leaves, a failure enters: 5 of 10
    expect(breaker.state(0)).toBe('open');
  });

  it('after the cooldown it half-opens and lets exactly one probe through; success closes it', () => {
    const transitions: BreakerState[] = [];
    const breaker = createCircuitBreaker(options, (s) => transitions.push(s));
    for (let i = 0; i < 4; i++) breaker.onFailure(100);
    expect(breaker.tryAcquire(1_099)).toBe(false);
    expect(breaker.state(1_100)).toBe('half-open');
    expect(breaker.tryAcquire(1_100)).toBe(true);
    expect(breaker.tryAcquire(1_100)).toBe(false); // one probe at a time
    breaker.onSuccess(1_200);
    expect(breaker.state(1_200)).toBe('closed');
    expect(breaker.tryAcquire(1_200)).toBe(true);
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe reopens it for another cooldown', () => {
    const breaker = createCircuitBreaker(options);
    for (let i = 0; i < 4; i++) breaker.onFailure(0);
    expect(breaker.tryAcquire(1_000)).toBe(true);
    breaker.onFailure(1_050);
    expect(breaker.state(1_500)).toBe('open');
    expect(breaker.state(2_050)).toBe('half-open');
  });

  it('a cancelled probe frees the slot without a verdict', () => {
    const breaker = createCircuitBreaker(options);
    for (let i = 0; i < 4; i++) breaker.onFailure(0);
    expect(breaker.tryAcquire(1_000)).toBe(true);
    breaker.onCancel();
    expect(breaker.state(1_000)).toBe('half-open');
    expect(breaker.tryAcquire(1_000)).toBe(true);
  });
});
