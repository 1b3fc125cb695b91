import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizeConfigOp, type KnownTenant } from './config-authority';
import type { ConfigOp, TenantState } from './config-delta';

const T = randomUUID();
const NOW = new Date(0).toISOString();
const tenant = (homeRegion: string, regionPinned = false): TenantState => ({ id: T, slug: 't', name: 't', allowedRegions: [], defaultDataClassification: 'internal', requestsPerMinute: null, tokensPerMinute: null, tokensPerDay: null, homeRegion, regionPinned, createdAt: NOW });
const key: ConfigOp = { op: 'api_key.upsert', apiKey: { id: randomUUID(), tenantId: T, name: 'k', prefix: 'sk', hash: 'a'.repeat(64), scopes: [], createdAt: NOW, expiresAt: null, revokedAt: null } };
const policy: ConfigOp = { op: 'policy_version.upsert', policyVersion: { id: randomUUID(), tenantId: T, version: 1, text: '', status: 'active', proposedBy: 'a', approvedBy: 'b', createdAt: NOW, activatedAt: NOW } };
const route: ConfigOp = { op: 'route.upsert', route: { id: randomUUID(), tenantId: T, name: 'r', definition: {}, version: 1, createdBy: 'a', updatedBy: 'a', createdAt: NOW, updatedAt: NOW, pinnedVersion: null } };
const priceBook: ConfigOp = { op: 'price_book.upsert', priceBook: { version: 2, createdAt: NOW, prices: [] } };

const as = (source: string, known?: KnownTenant) => ({ source, platformWriter: 'region-a' as string | undefined, known: (id: string) => (id === T ? known : undefined) });

describe('who may write which configuration', () => {
  it('takes a tenant new here only from the region it names as home', () => {
    expect(authorizeConfigOp({ op: 'tenant.upsert', tenant: tenant('region-a') }, as('region-a'))).toBe('ok');
    expect(authorizeConfigOp({ op: 'tenant.upsert', tenant: tenant('region-a') }, as('region-b'))).toBe('not_home');
  });

  it("judges a known tenant by the home this region knows, not the one the delta claims: no takeover, but the home may hand over", () => {
    const homedInA = { home: 'region-a', pinned: false };
    expect(authorizeConfigOp({ op: 'tenant.upsert', tenant: tenant('region-b') }, as('region-b', homedInA))).toBe('not_home');
    expect(authorizeConfigOp({ op: 'tenant.upsert', tenant: tenant('region-b') }, as('region-a', homedInA))).toBe('ok');
    expect(authorizeConfigOp({ op: 'tenant.delete', tenantId: T }, as('region-b', homedInA))).toBe('not_home');
    expect(authorizeConfigOp({ op: 'tenant.delete', tenantId: T }, as('region-a', homedInA))).toBe('ok');
    // The receiver's own tenants are nobody else's to write.
    expect(authorizeConfigOp(key, as('region-a', { home: 'region-b', pinned: false }))).toBe('not_home');
    expect(authorizeConfigOp(key, as('region-a', { home: null, pinned: false }))).toBe('not_home');
  });

  it("refuses a tenant's rows before its tenant is known, and only from its home", () => {
    for (const op of [key, policy, route, { op: 'route.delete', tenantId: T, id: randomUUID() } as const, { op: 'api_key.delete', tenantId: T, id: randomUUID() } as const]) {
      expect(authorizeConfigOp(op, as('region-a'))).toBe('not_home');
      expect(authorizeConfigOp(op, as('region-b', { home: 'region-a', pinned: false }))).toBe('not_home');
      expect(authorizeConfigOp(op, as('region-a', { home: 'region-a', pinned: false }))).toBe('ok');
    }
    expect(authorizeConfigOp({ op: 'tenant.delete', tenantId: T }, as('region-b'))).toBe('ok'); // unknown: nothing to delete
  });

  it("keeps only a pinned tenant's identity elsewhere: its keys, not its policies or routes", () => {
    const pinned = { home: 'region-a', pinned: true };
    expect(authorizeConfigOp(key, as('region-a', pinned))).toBe('ok');
    expect(authorizeConfigOp(policy, as('region-a', pinned))).toBe('pinned');
    expect(authorizeConfigOp(route, as('region-a', pinned))).toBe('pinned');
    expect(authorizeConfigOp({ op: 'route.delete', tenantId: T, id: randomUUID() }, as('region-a', pinned))).toBe('ok');
  });

  it("takes the platform's configuration only from the platform's writer region", () => {
    expect(authorizeConfigOp(priceBook, as('region-a'))).toBe('ok');
    expect(authorizeConfigOp(priceBook, as('region-b'))).toBe('not_platform_writer');
    expect(authorizeConfigOp(priceBook, { ...as('region-a'), platformWriter: undefined })).toBe('not_platform_writer');
  });
});
