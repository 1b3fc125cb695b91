import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SLO_THROTTLE_CHANNEL } from '@switchyard/events/slo';
import { startHarness, type Harness } from '../../test-support/data-plane-harness';
import { QOS_HEADER } from '../qos/qos-class';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

function post(h: Harness, model: string, qos: 'batch' | 'interactive'): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', [QOS_HEADER]: qos },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

describe('SLO auto-throttle', () => {
  it("refuses a paging route's batch requests for its tenant only, and serves them again once released", async () => {
    const h = await startHarness({ metricsTenantLabels: true });
    harnesses.push(h);
    const sloId = randomUUID();
    const message = (action: 'engage' | 'release') => JSON.stringify({ tenantId: h.record.tenantId, route: 'mock-gpt', sloId, action, shedClass: 'batch', at: new Date().toISOString() });

    expect((await post(h, 'mock-gpt', 'batch')).status).toBe(200);
    await h.bus.publish(SLO_THROTTLE_CHANNEL, message('engage'));
    // Garbage on the channel changes nothing.
    await h.bus.publish(SLO_THROTTLE_CHANNEL, '{"tenantId":"x","action":"release"}');
    const refused = await post(h, 'mock-gpt', 'batch');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('slo_throttled');
    expect((await post(h, 'mock-gpt', 'interactive')).status).toBe(200);
    expect((await post(h, 'mock-mini', 'batch')).status).toBe(200);
    const other = h.keys.add({ scopes: ['inference'] });
    const otherTenant = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.secret}`, 'content-type': 'application/json', [QOS_HEADER]: 'batch' },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(otherTenant.status).toBe(200);

    await h.bus.publish(SLO_THROTTLE_CHANNEL, message('release'));
    expect((await post(h, 'mock-gpt', 'batch')).status).toBe(200);

    const metrics = await h.metricsText();
    expect(metrics).toContain('switchyard_shed_requests_total{reason="slo_throttled",qos="batch"} 1');
    // The SLI metrics the Prometheus rules read: the tenant's served requests on the route.
    expect(metrics).toContain(`switchyard_route_requests_total{tenant="${h.record.tenantId}",route="mock-gpt",status="ok"} 3`);
  });
});
