import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRoutes, type RouteConfig } from '../router/route';
import { createInMemoryRouteTable } from '../router/route-table';
import { MOCK_PROVIDER, startHarness, type Harness } from '../test-support/data-plane-harness';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';

/** SECURITY.md "Metrics exposure": no /metrics on the public port; the operator listener; no tenant-chosen label values. */
const harnesses: Harness[] = [];
const listeners: Server[] = [];
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))));
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

const TOKEN = 'operator-metrics-token-0123456789';
const route = (name: string, model: string): RouteConfig => ({ name, candidates: [{ model }], strategy: { kind: 'priority' } });

async function operatorListener(h: Harness, token?: string): Promise<string> {
  const listener = createMetricsListener({ sources: () => [h.dataPlane.metrics], token });
  listeners.push(listener);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
}

async function chat(h: Harness, model: string): Promise<number> {
  const response = await fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** A tenant route named `secret-route-name`, one request through it and one naming a model nobody serves. */
async function harnessWithTenantTraffic(metricsTenantLabels = false): Promise<Harness> {
  const table = createInMemoryRouteTable(parseRoutes([route('auto', 'mock-gpt')]));
  // An upstream that refuses connections (loopback port 1): a request routed only there is served by no model.
  const broken = { name: 'broken', kind: 'openai-compatible' as const, baseUrl: 'http://127.0.0.1:1', apiKey: 'test', models: ['broken-model'] };
  const h = await startHarness({ routes: table, metricsTenantLabels, providers: [MOCK_PROVIDER, broken] });
  harnesses.push(h);
  table.setTenantRoutes(h.record.tenantId, parseRoutes([route('secret-route-name', 'mock-mini'), route('secret-unserved-route', 'no-such-model'), route('secret-failing-route', 'broken-model')]));
  expect(await chat(h, 'secret-route-name')).toBe(200);
  // Recorded as a failed request with the client's `model` text (no model served it).
  expect(await chat(h, 'secret-unserved-route')).toBe(503);
  expect(await chat(h, 'secret-failing-route')).toBeGreaterThanOrEqual(500);
  expect(await chat(h, 'auto')).toBe(200);
  expect(await chat(h, 'secret-model-text')).toBe(404);
  return h;
}

/** Every label value of a Prometheus text exposition. */
function labelValues(text: string): string[] {
  return [...text.matchAll(/[{,][a-zA-Z_]+="((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] ?? '');
}

describe('metrics exposure', () => {
  it('the public port answers /metrics with 404 in the OpenAI error shape', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const response = await fetch(`${h.url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found', type: 'invalid_request_error', param: null } });
  });

  it('the operator listener serves the metrics, and only GET /metrics', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const url = await operatorListener(h);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('switchyard_http_requests_total');
    expect((await fetch(`${url}/v1/models`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('with METRICS_TOKEN, a scrape without the bearer token (or with another) gets 401', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const url = await operatorListener(h, TOKEN);
    const missing = await fetch(`${url}/metrics`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.text()).not.toContain('switchyard_');
    expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    const allowed = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('switchyard_route_decisions_total');
  });

  it('no tenant-chosen string (route name, client model text, tenant id) is a label value by default', async () => {
    const h = await harnessWithTenantTraffic();
    const url = await operatorListener(h);
    // Usage (tokens, cost) is recorded off the request path: wait until all four requests are counted.
    let text = '';
    for (let i = 0; i < 100; i += 1) {
      text = await (await fetch(`${url}/metrics`)).text();
      if (text.includes('switchyard_tokens_total{model="(unserved)"')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const values = labelValues(text);
    expect(values.length).toBeGreaterThan(10);
    for (const secret of ['secret-route-name', 'secret-unserved-route', 'secret-failing-route', 'secret-model-text', h.record.tenantId]) expect(text).not.toContain(secret);
    expect(text).toContain('switchyard_tokens_total{model="(unserved)",kind="prompt"} 0');
    // The tenant route still counts, as one bounded value; the platform route keeps the operator's name.
    expect(text).toContain('switchyard_route_decisions_total{route="(tenant)",model="mock-mini"} 1');
    expect(text).toContain('switchyard_route_decisions_total{route="auto",model="mock-gpt"} 1');
  });

  it('names tenant routes only when the operator opts in (METRICS_TENANT_LABELS=on)', async () => {
    const h = await harnessWithTenantTraffic(true);
    const text = await h.metricsText();
    expect(text).toContain('switchyard_route_decisions_total{route="secret-route-name",model="mock-mini"} 1');
  });
});
