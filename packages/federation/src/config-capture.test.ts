import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { orderOps } from './config-capture';
import type { ConfigOp } from './config-delta';

describe('op order', () => {
  it('puts tenants before their rows and tenant deletions last, keeping change order otherwise', () => {
    const t = randomUUID();
    const NOW = new Date(0).toISOString();
    const ops: ConfigOp[] = [
      { op: 'tenant.delete', tenantId: randomUUID() },
      { op: 'route.delete', tenantId: t, id: 'a' },
      { op: 'tenant.upsert', tenant: { id: t, slug: 's', name: 'n', allowedRegions: [], defaultDataClassification: 'internal', requestsPerMinute: null, tokensPerMinute: null, tokensPerDay: null, homeRegion: 'region-a', regionPinned: false, createdAt: NOW } },
      { op: 'api_key.delete', tenantId: t, id: 'b' },
    ];
    expect(orderOps(ops).map((op) => op.op)).toEqual(['tenant.upsert', 'route.delete', 'api_key.delete', 'tenant.delete']);
  });
});
