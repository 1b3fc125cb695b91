import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { enforceLimits } from '../limits/enforce-limits';
import { parseLimitsConfig } from '../limits/limits-config';
import { createFailSafeRateLimiter, RateLimiterUnavailableError } from './fail-safe-rate-limiter';
import { createInProcessRateLimiter } from './in-process-rate-limiter';
import type { BackendDownMode, RateLimiter } from './rate-limiter';

/** A backend that behaves like the real limiter until `down` is set, then fails every call. */
function switchableBackend(clock: () => number) {
  const real = createInProcessRateLimiter(clock);
  const state = { down: false, calls: 0 };
  const backend: RateLimiter = {
    async consume(key, limit, cost) {
      state.calls += 1;
      if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return real.consume(key, limit, cost);
    },
    async consumeAll(checks) {
      state.calls += 1;
      if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return real.consumeAll(checks);
    },
    async settle(settlements) {
      state.calls += 1;
      if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return real.settle(settlements);
    },
    close: () => real.close(),
  };
  return { backend, state };
}

const limit = (onBackendDown?: BackendDownMode) => ({ limit: 10, periodMs: 60_000, ...(onBackendDown ? { onBackendDown } : {}) });

describe('fail-safe rate limiter (Redis down)', () => {
  it('local: continues from the allowance Redis last reported, so an exhausted key stays exhausted', async () => {
    const now = 1_000_000;
    const { backend, state } = switchableBackend(() => now);
    const transitions: boolean[] = [];
    const limiter = createFailSafeRateLimiter(backend, { clock: () => now, onBackendState: (down) => transitions.push(down) });
    expect(await limiter.consume('k', limit('local'), 8)).toMatchObject({ allowed: true, remaining: 2 });
    state.down = true;
    expect(await limiter.consume('k', limit('local'), 2)).toMatchObject({ allowed: true, remaining: 0, degraded: true });
    expect(await limiter.consume('k', limit('local'), 1)).toMatchObject({ allowed: false, degraded: true });
    // A key Redis never reported on starts with its whole allowance on this replica.
    expect(await limiter.consume('fresh', limit('local'), 10)).toMatchObject({ allowed: true, degraded: true });
    expect(limiter.degraded()).toBe(true);
    expect(transitions).toEqual([true]);
  });

  it('open admits without counting; closed refuses with 503 rate_limiter_unavailable and Retry-After', async () => {
    const { backend, state } = switchableBackend(() => 0);
    state.down = true;
    const limiter = createFailSafeRateLimiter(backend, { clock: () => 0, retryBackendAfterMs: 2_000 });
    for (let i = 0; i < 20; i += 1) expect(await limiter.consume('k', limit('open'), 5)).toMatchObject({ allowed: true, degraded: true });
    const refusal = await limiter.consume('k', limit('closed')).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimiterUnavailableError);
    expect(refusal).toMatchObject({ status: 503, code: 'rate_limiter_unavailable', retryAfterSeconds: 2 });
  });

  it('skips the backend while it is down and probes it again after retryBackendAfterMs', async () => {
    let now = 0;
    const { backend, state } = switchableBackend(() => now);
    const transitions: boolean[] = [];
    const limiter = createFailSafeRateLimiter(backend, { clock: () => now, retryBackendAfterMs: 1_000, onBackendState: (down) => transitions.push(down) });
    state.down = true;
    await limiter.consume('k', limit());
    const callsWhenDown = state.calls;
    for (let i = 0; i < 5; i += 1) await limiter.consume('k', limit());
    expect(state.calls).toBe(callsWhenDown);
    state.down = false;
    now = 1_000;
    expect(await limiter.consume('k', limit())).not.toHaveProperty('degraded');
    expect(state.calls).toBe(callsWhenDown + 1);
    expect(limiter.degraded()).toBe(false);
    expect(transitions).toEqual([true, false]);
  });

  it('does not mistake an invalid limit for an outage', async () => {
    const { backend } = switchableBackend(() => 0);
    const limiter = createFailSafeRateLimiter(backend);
    await expect(limiter.consume('k', { limit: 0, periodMs: 1 })).rejects.toThrow(/limit must be > 0/);
    expect(limiter.degraded()).toBe(false);
  });

  it('enforceLimits sends no soft-limit warning from a degraded decision, and applies the mode per limit type', async () => {
    const { backend, state } = switchableBackend(() => 0);
    const limiter = createFailSafeRateLimiter(backend, { clock: () => 0 });
    const who = { tenantId: 't', apiKeyId: 'k' };
    const config = parseLimitsConfig({ tokensPerDayPerKey: 1_000, onRedisDown: { tokensPerDay: 'closed' } });
    state.down = true;
    await expect(enforceLimits(limiter, config, who, 10)).rejects.toBeInstanceOf(RateLimiterUnavailableError);
    const open = parseLimitsConfig({ tokensPerDayPerKey: 1_000, onRedisDown: { tokensPerDay: 'local' } });
    expect(await enforceLimits(limiter, open, who, 900)).toEqual([]);
  });

  it('consumeAll while down: local checks stay all or nothing and continue from the last allowance; open checks pass uncounted', async () => {
    const now = 5_000;
    const { backend, state } = switchableBackend(() => now);
    const limiter = createFailSafeRateLimiter(backend, { clock: () => now });
    const key = limit('local');
    const tenant = { limit: 100, periodMs: 60_000, onBackendDown: 'local' as const };
    expect((await limiter.consumeAll([{ key: 'key', limit: key, cost: 7 }, { key: 'tenant', limit: tenant, cost: 7 }])).every((d) => d.allowed)).toBe(true);
    state.down = true;
    const refused = await limiter.consumeAll([
      { key: 'tenant', limit: tenant, cost: 5 },
      { key: 'key', limit: key, cost: 5 },
      { key: 'anything', limit: limit('open'), cost: 1_000 },
    ]);
    expect(refused.map((d) => d.allowed)).toEqual([true, false, true]);
    expect(refused.every((d) => d.degraded)).toBe(true);
    // The refusal charged nothing locally: the tenant still has 93 and the key 3.
    const admitted = await limiter.consumeAll([
      { key: 'tenant', limit: tenant, cost: 3 },
      { key: 'key', limit: key, cost: 3 },
    ]);
    expect(admitted).toMatchObject([
      { allowed: true, remaining: 90, degraded: true },
      { allowed: true, remaining: 0, degraded: true },
    ]);
  });
  it('a reply that arrived while the event loop was blocked is not a timeout (a loaded replica must not go local and over-admit)', async () => {
    let serverSide: Socket | undefined;
    const echo = createServer((socket) => {
      serverSide = socket;
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const socket = connect((echo.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    while (!serverSide) await new Promise((resolve) => setImmediate(resolve));
    // A backend whose answer comes over a socket, like Redis.
    const backend: RateLimiter = {
      consume: () => new Promise((resolve) => socket.once('data', () => resolve({ allowed: true, remaining: 1, retryAfterMs: 0 }))),
      consumeAll: () => Promise.reject(new Error('not used')),
      settle: () => Promise.reject(new Error('not used')),
      close: async () => undefined,
    };
    const limiter = createFailSafeRateLimiter(backend, { backendTimeoutMs: 20 });
    const decision = limiter.consume('k', limit());
    // The reply is in the kernel buffer at once; then the loop is blocked past the timeout, so
    // the timer and the readable socket are both due when it frees up.
    serverSide.write('x');
    const until = Date.now() + 100;
    while (Date.now() < until) {
      /* busy */
    }
    expect(await decision).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
    expect(limiter.degraded()).toBe(false);
    socket.destroy();
    serverSide.destroy();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('settles a reservation where it was charged: on the backend when it decided, locally when it was down', async () => {
    let now = 1_000_000;
    const { backend, state } = switchableBackend(() => now);
    const limiter = createFailSafeRateLimiter(backend, { clock: () => now, retryBackendAfterMs: 1_000 });
    const day = { limit: 100, periodMs: 86_400_000 };
    // Reserved on the backend, settled on the backend.
    const [shared] = await limiter.consumeAll([{ key: 'k', limit: day, cost: 40 }]);
    expect(shared).toMatchObject({ allowed: true, remaining: 60 });
    await limiter.settle([{ key: 'k', limit: day, reserved: 40, used: 5 }]);
    expect(await backend.consume('k', day, 0)).toMatchObject({ remaining: 95 });
    // Reserved while down (locally), settled locally: the backend is not refunded for units it never charged.
    state.down = true;
    const [local] = await limiter.consumeAll([{ key: 'k', limit: day, cost: 30 }]);
    expect(local).toMatchObject({ allowed: true, degraded: true, remaining: 65 });
    await limiter.settle([{ key: 'k', limit: day, reserved: 30, used: 10, degraded: true }]);
    expect(await limiter.consume('k', day, 0)).toMatchObject({ remaining: 85, degraded: true });
    state.down = false;
    now += 1_001;
    expect(await backend.consume('k', day, 0)).toMatchObject({ remaining: 95 });
    // A settlement the backend cannot take keeps the estimate charged (never refunds what it cannot verify) and does not throw.
    await limiter.consumeAll([{ key: 'k', limit: day, cost: 20 }]);
    state.down = true;
    await expect(limiter.settle([{ key: 'k', limit: day, reserved: 20, used: 0 }])).resolves.toBeUndefined();
    expect(limiter.degraded()).toBe(true);
  });

  it('a backend that never answers is an outage after backendTimeoutMs', async () => {
    const backend: RateLimiter = { consume: () => new Promise(() => undefined), consumeAll: () => new Promise(() => undefined), settle: () => new Promise(() => undefined), close: async () => undefined };
    const limiter = createFailSafeRateLimiter(backend, { backendTimeoutMs: 20 });
    expect(await limiter.consume('k', limit('local'))).toMatchObject({ allowed: true, degraded: true });
    expect(limiter.degraded()).toBe(true);
  });
});
