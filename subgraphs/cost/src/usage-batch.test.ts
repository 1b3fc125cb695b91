import { describe, expect, it } from 'vitest';
import { splitUsageBatch } from './usage-batch';

const TENANT_A = '00000000-0000-4000-8000-00000000000a';
const TENANT_B = '00000000-0000-4000-8000-00000000000b';

function event(tenantId: string, requestId: string): string {
  return JSON.stringify({
    requestId,
    tenantId,
    apiKeyId: null,
    model: 'mock-gpt',
    provider: 'mock',
    promptTokens: 1,
    completionTokens: 2,
    priceBookVersion: 1,
    costMicros: '3',
    latencyMs: 4,
    status: 'ok',
    createdAt: '2026-03-01T12:00:00.000Z',
  });
}

describe('splitUsageBatch', () => {
  it('groups valid events by tenant in stream order', () => {
    const batch = splitUsageBatch([
      { id: '1-0', payload: event(TENANT_A, 'r1') },
      { id: '2-0', payload: event(TENANT_B, 'r2') },
      { id: '3-0', payload: event(TENANT_A, 'r3') },
    ]);
    expect(batch.rejected).toEqual([]);
    expect(batch.byTenant.map((usage) => [usage.tenantId, usage.entryIds, usage.events.map((e) => e.requestId)])).toEqual([
      [TENANT_A, ['1-0', '3-0'], ['r1', 'r3']],
      [TENANT_B, ['2-0'], ['r2']],
    ]);
  });

  it('rejects malformed, incomplete, hostile and oversized entries with a reason', () => {
    const valid = JSON.parse(event(TENANT_A, 'r1')) as Record<string, unknown>;
    const batch = splitUsageBatch([
      { id: '1-0', payload: '{"requestId":' },
      { id: '2-0', payload: 'null' },
      { id: '3-0', payload: JSON.stringify({ ...valid, tenantId: 'tenant-a' }) },
      { id: '4-0', payload: JSON.stringify({ ...valid, costMicros: 1.5 }) },
      { id: '5-0', payload: JSON.stringify({ ...valid, requestId: 'x'.repeat(10_000) }) },
      { id: '6-0', payload: JSON.stringify({ ...valid, promptTokens: -1 }) },
      { id: '7-0', payload: JSON.stringify({ ...valid, createdAt: 'yesterday' }) },
      { id: '8-0', payload: event(TENANT_A, 'ok') },
    ]);
    expect(batch.rejected.map((entry) => entry.entryId)).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0', '6-0', '7-0']);
    expect(batch.rejected[0]?.reason).toBe('payload is not JSON');
    expect(batch.rejected[2]?.reason).toMatch(/tenantId/);
    expect(batch.byTenant).toHaveLength(1);
    expect(batch.byTenant[0]?.entryIds).toEqual(['8-0']);
  });
});
