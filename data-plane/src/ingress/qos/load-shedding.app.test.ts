import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/data-plane-harness';
import { FORCE_BATCH_SCOPE, QOS_HEADER } from './qos-class';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

function post(h: Harness, secret: string, qos?: string): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...(qos ? { [QOS_HEADER]: qos } : {}) },
    body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('QoS load shedding', () => {
  it('sheds batch first, interactive only past the higher threshold; counts sheds by class', async () => {
    let lagMs = 0;
    const h = await startHarness({
      qos: {
        thresholds: { batch: { inFlight: 1_000, eventLoopLagMs: 100 }, interactive: { inFlight: 1_000, eventLoopLagMs: 400 } },
        eventLoopLag: { lagMs: () => lagMs, stop: () => undefined },
      },
    });
    harnesses.push(h);
    const forcedBatch = h.keys.add({ scopes: ['inference', FORCE_BATCH_SCOPE] });

    expect((await post(h, h.secret, 'batch')).status).toBe(200);

    lagMs = 150;
    const shed = await post(h, h.secret, 'batch');
    expect(shed.status).toBe(503);
    expect(Number(shed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await shed.json()).toMatchObject({ error: { code: 'overloaded' } });
    expect((await post(h, h.secret)).status).toBe(200);
    expect((await post(h, h.secret, 'interactive')).status).toBe(200);
    // A key scoped to batch cannot claim interactive to dodge shedding.
    expect((await post(h, forcedBatch.secret, 'interactive')).status).toBe(503);

    lagMs = 500;
    expect((await post(h, h.secret, 'interactive')).status).toBe(503);

    const metrics = await h.metricsText();
    expect(metrics).toMatch(/switchyard_shed_requests_total\{reason="gateway_saturated",qos="batch"\} 2/);
    expect(metrics).toMatch(/switchyard_shed_requests_total\{reason="gateway_saturated",qos="interactive"\} 1/);
    expect(await h.finish()).toHaveLength(3);
  });

  it('an unknown class is a 400, not a silent default', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const response = await post(h, h.secret, 'urgent');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_request', param: QOS_HEADER } });
  });
});
