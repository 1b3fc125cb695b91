import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './login-throttle';

describe('login throttle', () => {
  it('refuses a login after too many failures until the oldest one leaves the window', () => {
    let time = 0;
    const throttle = createLoginThrottle({ maxFailures: 3, windowMs: 1000, now: () => time });
    for (const at of [0, 100, 200]) {
      time = at;
      expect(throttle.retryAfterMs('Admin')).toBe(0);
      throttle.recordFailure('Admin');
    }
    time = 300;
    expect(throttle.retryAfterMs('admin')).toBe(700);
    expect(throttle.retryAfterMs('someone-else')).toBe(0);
    time = 1000;
    expect(throttle.retryAfterMs('admin')).toBe(0);
  });

  it('forgets failures after a success and bounds the logins it tracks', () => {
    const throttle = createLoginThrottle({ maxFailures: 2, maxTrackedLogins: 2 });
    throttle.recordFailure('a');
    throttle.recordFailure('a');
    expect(throttle.retryAfterMs('a')).toBeGreaterThan(0);
    throttle.recordSuccess('a');
    expect(throttle.retryAfterMs('a')).toBe(0);

    throttle.recordFailure('x');
    throttle.recordFailure('x');
    throttle.recordFailure('y');
    throttle.recordFailure('z');
    expect(throttle.retryAfterMs('x')).toBe(0);
  });
});
