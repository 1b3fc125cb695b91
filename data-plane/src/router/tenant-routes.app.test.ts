import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/data-plane-harness';
import { parseRoutes, type RouteConfig } from './route';
import { createInMemoryRouteTable } from './route-table';

/** Routes per tenant through the HTTP app: shadowing, isolation, changes without a restart. */
const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

const route = (name: string, model: string): RouteConfig => ({ name, candidates: [{ model }], strategy: { kind: 'priority' } });
const messages = [{ role: 'user' as const, content: 'Which model am I?' }];

async function chat(h: Harness, secret: string, model: string): Promise<{ status: number; model?: string; code?: string; message?: string; retryAfter?: string | null }> {
  const response = await fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages }),
  });
  const body = (await response.json()) as { model?: string; error?: { code: string; message: string } };
  return { status: response.status, model: body.model, code: body.error?.code, message: body.error?.message, retryAfter: response.headers.get('retry-after') };
}

async function modelIds(h: Harness, secret: string): Promise<string[]> {
  const response = await fetch(`${h.baseUrl}/models`, { headers: { authorization: `Bearer ${secret}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { id: string }[] }).data.map((m) => m.id);
}

describe('tenant routes', () => {
  it('a tenant’s route shadows the platform default for it alone; other tenants never see it', async () => {
    const table = createInMemoryRouteTable(parseRoutes([route('auto', 'mock-gpt')]));
    const h = await startHarness({ routes: table });
    harnesses.push(h);
    const a = { secret: h.secret, tenantId: h.record.tenantId };
    const b = h.keys.add();
    table.setTenantRoutes(a.tenantId, parseRoutes([route('auto', 'mock-mini'), route('a-only', 'mock-large')]));

    expect(await modelIds(h, a.secret)).toEqual(['auto', 'a-only', 'mock-gpt', 'mock-large', 'mock-mini']);
    expect(await chat(h, a.secret, 'auto')).toMatchObject({ status: 200, model: 'mock-mini' });
    expect(await chat(h, a.secret, 'a-only')).toMatchObject({ status: 200, model: 'mock-large' });

    expect(await modelIds(h, b.secret)).toEqual(['auto', 'mock-gpt', 'mock-large', 'mock-mini']);
    expect(await chat(h, b.secret, 'auto')).toMatchObject({ status: 200, model: 'mock-gpt' });
    expect(await chat(h, b.secret, 'a-only')).toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('serves a changed route on the next request, and the default again once the tenant’s route is gone', async () => {
    const table = createInMemoryRouteTable(parseRoutes([route('auto', 'mock-gpt')]));
    const h = await startHarness({ routes: table });
    harnesses.push(h);
    const tenantId = h.record.tenantId;
    table.setTenantRoutes(tenantId, parseRoutes([route('auto', 'mock-mini')]));
    expect(await chat(h, h.secret, 'auto')).toMatchObject({ model: 'mock-mini' });
    table.setTenantRoutes(tenantId, parseRoutes([route('auto', 'mock-large')]));
    expect(await chat(h, h.secret, 'auto')).toMatchObject({ model: 'mock-large' });
    table.setTenantRoutes(tenantId, []);
    expect(await chat(h, h.secret, 'auto')).toMatchObject({ model: 'mock-gpt' });
  });

  it('a tenant route whose models no provider here serves answers 503 route_not_served, naming the models, and nothing crashes', async () => {
    const table = createInMemoryRouteTable([]);
    const h = await startHarness({ routes: table });
    harnesses.push(h);
    table.setTenantRoutes(h.record.tenantId, parseRoutes([{ ...route('ghost', 'not-served-here'), fallbacks: ['also-not-served'] }]));
    const refused = await chat(h, h.secret, 'ghost');
    expect(refused).toMatchObject({ status: 503, code: 'route_not_served', retryAfter: null });
    expect(refused.message).toContain("route 'ghost' (not-served-here)");
    expect(refused.message).not.toContain('constraints');
    expect(await chat(h, h.secret, 'mock-gpt')).toMatchObject({ status: 200 });
  });

  it('a route whose served models its constraints all exclude still answers upstream_unavailable, blaming the constraints', async () => {
    const table = createInMemoryRouteTable([]);
    const h = await startHarness({ routes: table });
    harnesses.push(h);
    table.setTenantRoutes(h.record.tenantId, parseRoutes([{ ...route('too-cheap', 'mock-gpt'), constraints: { maxCostPer1kMicros: 1 } }]));
    const refused = await chat(h, h.secret, 'too-cheap');
    expect(refused).toMatchObject({ status: 503, code: 'upstream_unavailable' });
    expect(refused.message).toContain('constraints');
  });
});
