import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/data-plane-harness';

/**
 * Issue 15: with default settings, a burst of clients against a healthy upstream is not shed by
 * the router's adaptive concurrency gate (which starts at 20 for an unknown provider). The
 * upstream is the in-process mock holding every call 500 ms before its first token, so the 512
 * calls overlap at the gate. No timing is asserted: the 503s are counted.
 */
const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

const CLIENTS = 512;
const REQUESTS_PER_CLIENT = 1;

describe('a healthy burst with default routing settings', () => {
  it(`${CLIENTS} concurrent clients get no 503: the gate queues what it cannot admit yet and opens as the upstream answers`, async () => {
    const h = await startHarness({
      // Limits far above the burst: 512 reservations of ~520 tokens at once exceed the default 200,000 tokens a minute per key.
      requestsPerMinutePerKey: 1_000_000,
      limits: {
        requestsPerMinutePerTenant: 1_000_000,
        tokensPerMinutePerKey: 1_000_000_000,
        tokensPerMinutePerTenant: 1_000_000_000,
        tokensPerDayPerKey: 1_000_000_000,
        tokensPerDayPerTenant: 1_000_000_000,
      },
      // The replica-wide saturation signal is another test's subject; a loaded test machine's
      // event-loop lag must not shed here. Routing is left at its defaults.
      qos: { eventLoopLag: { lagMs: () => 0, stop: () => undefined } },
    });
    harnesses.push(h);
    const body = JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'burst [mock: first-token-ms=500]' }] });
    const statuses = new Map<number, number>();
    const client = async (): Promise<void> => {
      for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
        const response = await fetch(`${h.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
          body,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));

    expect(Object.fromEntries(statuses)).toEqual({ 200: CLIENTS * REQUESTS_PER_CLIENT });
    const metrics = await h.metricsText();
    expect(metrics).not.toMatch(/switchyard_shed_requests_total\{[^}]*reason="overloaded"\} [1-9]/);
    // The gate learnt the burst: its limit grew (slow start) from 20.
    const limit = Number(/switchyard_upstream_concurrency_limit\{upstream="mock\/mock-gpt"\} ([\d.]+)/.exec(metrics)?.[1]);
    expect(limit).toBeGreaterThan(40);
  });
});
