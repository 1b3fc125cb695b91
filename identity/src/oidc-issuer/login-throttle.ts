/**
 * Slows password guessing at the bundled issuer: after `maxFailures` wrong passwords for one
 * login within `windowMs`, that login is refused until the oldest failure leaves the window.
 * Keyed by login, not address: behind a proxy or on loopback every caller shares one address.
 */
export interface LoginThrottle {
  /** Milliseconds to wait before this login may try again; 0 when it may try now. */
  retryAfterMs(login: string): number;
  recordFailure(login: string): void;
  recordSuccess(login: string): void;
}

export interface LoginThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  /** Distinct logins tracked at most (oldest forgotten first), so a flood of names cannot exhaust memory. */
  maxTrackedLogins?: number;
  now?: () => number;
}

export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 15 * 60_000;
  const maxTracked = options.maxTrackedLogins ?? 10_000;
  const now = options.now ?? Date.now;
  const failures = new Map<string, number[]>();
  const keyOf = (login: string) => login.trim().toLowerCase();

  const recent = (key: string): number[] => {
    const cutoff = now() - windowMs;
    const times = (failures.get(key) ?? []).filter((time) => time > cutoff);
    if (times.length === 0) failures.delete(key);
    else failures.set(key, times);
    return times;
  };

  return {
    retryAfterMs(login) {
      const times = recent(keyOf(login));
      if (times.length < maxFailures) return 0;
      const oldest = times[times.length - maxFailures] ?? now();
      return Math.max(oldest + windowMs - now(), 1);
    },
    recordFailure(login) {
      const key = keyOf(login);
      const times = recent(key);
      failures.delete(key);
      if (failures.size >= maxTracked) {
        const oldest = failures.keys().next();
        if (!oldest.done) failures.delete(oldest.value);
      }
      failures.set(key, [...times, now()]);
    },
    recordSuccess(login) {
      failures.delete(keyOf(login));
    },
  };
}
