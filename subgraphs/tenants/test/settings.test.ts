import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_SETTINGS_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { AUDIT_STREAM, auditEventSchema, type AuditEvent } from '@switchyard/events/audit';
import { createTenantsService } from '../src/tenants-service';
import type { Tenant } from '../src/tenant-types';
import { PLATFORM_ADMIN, errorCodes, principalOf, startTenantsHarness, type TenantsHarness } from './harness';

let testDatabase: MemoryTestDatabase;
let harness: TenantsHarness;
let tenantA: Tenant;
let tenantB: Tenant;
const published: string[] = [];

const adminA = () => principalOf(['tenant_admin'], tenantA.id, 'settings-admin-a');
const viewerA = () => principalOf(['viewer'], tenantA.id, 'settings-viewer-a');
const operatorA = () => principalOf(['operator'], tenantA.id, 'settings-operator-a');
const adminB = () => principalOf(['tenant_admin'], tenantB.id, 'settings-admin-b');

const UPDATE = 'mutation ($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { allowedRegions defaultDataClassification requestLogRetentionDays quotas { requestsPerMinute tokensPerMinute tokensPerDay } } }';
const READ = 'query ($slug: String!) { tenant(slug: $slug) { settings { allowedRegions defaultDataClassification requestLogRetentionDays quotas { requestsPerMinute tokensPerMinute tokensPerDay platformDefaults { requestsPerMinute tokensPerMinute tokensPerDay } } } } }';

interface SettingsReply {
  allowedRegions: string[];
  defaultDataClassification: string;
  quotas: { requestsPerMinute: number | null; tokensPerMinute: number | null; tokensPerDay: number | null };
}

async function settingsOf(slug: string): Promise<SettingsReply> {
  const reply = await harness.request(PLATFORM_ADMIN, READ, { slug });
  expect(reply.body.errors).toBeUndefined();
  return (reply.body.data?.['tenant'] as { settings: SettingsReply }).settings;
}

async function auditEvents(): Promise<AuditEvent[]> {
  await harness.bus.ensureGroup(AUDIT_STREAM, 'settings-test');
  const entries = await harness.bus.readGroup(AUDIT_STREAM, 'settings-test', 'reader', { count: 1000, blockMs: 0 });
  return entries.map((entry) => auditEventSchema.parse(JSON.parse(entry.payload)));
}

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  harness = await startTenantsHarness(testDatabase.db);
  await harness.bus.subscribe(TENANT_SETTINGS_CHANGED_CHANNEL, (message) => published.push(message));
  const service = createTenantsService({ db: testDatabase.db, bus: harness.bus });
  tenantA = await service.createTenant({ slug: 'settings-a', name: 'Settings A' }, PLATFORM_ADMIN);
  tenantB = await service.createTenant({ slug: 'settings-b', name: 'Settings B' }, PLATFORM_ADMIN);
});

afterAll(async () => {
  await harness?.close();
  await testDatabase?.drop();
});

describe('tenant settings', () => {
  it('defaults to any region, internal, platform quotas; every member reads them with the platform defaults', async () => {
    const reply = await harness.request(viewerA(), READ, { slug: 'settings-a' });
    expect(reply.body.errors).toBeUndefined();
    expect((reply.body.data?.['tenant'] as { settings: unknown }).settings).toEqual({
      allowedRegions: [],
      defaultDataClassification: 'internal',
      requestLogRetentionDays: 30,
      quotas: { requestsPerMinute: null, tokensPerMinute: null, tokensPerDay: null, platformDefaults: { requestsPerMinute: 6000, tokensPerMinute: 1_000_000, tokensPerDay: 100_000_000 } },
    });
  });

  it('a tenant admin changes only the fields sent, may lower quotas, and each change is audited and announced key-only', async () => {
    const reply = await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA.id, allowedRegions: ['eu-west-1', 'eu-central-1', 'eu-west-1'], defaultDataClassification: 'confidential', quotas: { requestsPerMinute: 100 } } });
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.['updateTenantSettings']).toEqual({
      allowedRegions: ['eu-west-1', 'eu-central-1'],
      defaultDataClassification: 'confidential',
      // The retention follows the classification (REQUEST_LOG_RETENTION_DAYS).
      requestLogRetentionDays: 14,
      quotas: { requestsPerMinute: 100, tokensPerMinute: null, tokensPerDay: null },
    });
    const second = await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA.id, quotas: { tokensPerDay: 5000 } } });
    expect(second.body.data?.['updateTenantSettings']).toMatchObject({ allowedRegions: ['eu-west-1', 'eu-central-1'], quotas: { requestsPerMinute: 100, tokensPerDay: 5000 } });
    // Unchanged: neither audited nor announced.
    await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA.id, defaultDataClassification: 'confidential' } });

    expect(published).toEqual([JSON.stringify({ tenantId: tenantA.id }), JSON.stringify({ tenantId: tenantA.id })]);
    const events = (await auditEvents()).filter((event) => event.action === 'tenant_settings.update');
    expect(events.map((event) => [event.tenantId, event.actor, event.payload])).toEqual([
      [
        tenantA.id,
        'user:settings-admin-a',
        {
          allowedRegions: { from: [], to: ['eu-west-1', 'eu-central-1'] },
          defaultDataClassification: { from: 'internal', to: 'confidential' },
          'quotas.requestsPerMinute': { from: null, to: 100 },
        },
      ],
      [tenantA.id, 'user:settings-admin-a', { 'quotas.tokensPerDay': { from: null, to: 5000 } }],
    ]);
  });

  it('a tenant admin cannot raise a quota above the platform default; a platform admin can, and the tenant admin may resend it unchanged', async () => {
    const raise = await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA.id, quotas: { requestsPerMinute: 6001 } } });
    expect(errorCodes(raise)).toEqual(['FORBIDDEN']);
    expect(raise.body.errors?.[0]?.message).toContain('input.quotas.requestsPerMinute');
    // Back to the default (null) and up to exactly the default are not raises above it.
    expect((await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA.id, quotas: { requestsPerMinute: 6000 } } })).body.errors).toBeUndefined();
    expect((await settingsOf('settings-a')).quotas.requestsPerMinute).toBe(6000);

    const granted = await harness.request(PLATFORM_ADMIN, UPDATE, { input: { tenantId: tenantA.id, quotas: { requestsPerMinute: 20_000, tokensPerMinute: 5_000_000 } } });
    expect(granted.body.errors).toBeUndefined();
    const resent = await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA.id, allowedRegions: ['eu-west-1'], quotas: { requestsPerMinute: 20_000, tokensPerMinute: 5_000_000 } } });
    expect(resent.body.errors).toBeUndefined();
    expect(errorCodes(await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA.id, quotas: { requestsPerMinute: 20_001 } } }))).toEqual(['FORBIDDEN']);
    // A refused update writes nothing, not even its other fields.
    expect(errorCodes(await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA.id, allowedRegions: [], quotas: { tokensPerDay: 200_000_000 } } }))).toEqual(['FORBIDDEN']);
    expect(await settingsOf('settings-a')).toMatchObject({ allowedRegions: ['eu-west-1'], quotas: { requestsPerMinute: 20_000, tokensPerMinute: 5_000_000, tokensPerDay: 5000 } });
  });

  it('viewers, operators and other tenants cannot change them; other tenants cannot read them by any path', async () => {
    for (const principal of [viewerA(), operatorA(), adminB()]) {
      expect(errorCodes(await harness.request(principal, UPDATE, { input: { tenantId: tenantA.id, allowedRegions: [] } }))).toEqual(['FORBIDDEN']);
    }
    const viaEntities = await harness.request(adminB(), 'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Tenant { id settings { allowedRegions } } } }', {
      reps: [{ __typename: 'Tenant', id: tenantA.id }],
    });
    expect(viaEntities.body.data?.['_entities']).toEqual([null]);
    const read = await harness.request(adminB(), READ, { slug: 'settings-a' });
    expect(read.body.data?.['tenant'] ?? null).toBeNull();
    expect((await settingsOf('settings-a')).allowedRegions).toEqual(['eu-west-1']);
    expect(await settingsOf('settings-b')).toMatchObject({ allowedRegions: [], defaultDataClassification: 'internal' });
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const before = await settingsOf('settings-a');
    const bad: [Record<string, unknown>, string][] = [
      [{ allowedRegions: ['eu west'] }, 'input.allowedRegions.0'],
      [{ allowedRegions: ['x'.repeat(65)] }, 'input.allowedRegions.0'],
      [{ allowedRegions: Array.from({ length: 33 }, (_, i) => `r-${i}`) }, 'input.allowedRegions'],
      [{ quotas: { requestsPerMinute: 0 } }, 'input.quotas.requestsPerMinute'],
      [{ quotas: { tokensPerDay: -5 } }, 'input.quotas.tokensPerDay'],
    ];
    for (const [fields, field] of bad) {
      const reply = await harness.request(PLATFORM_ADMIN, UPDATE, { input: { tenantId: tenantA.id, ...fields } });
      expect(errorCodes(reply), JSON.stringify(fields)).toEqual(['BAD_USER_INPUT']);
      expect(reply.body.errors?.[0]?.extensions?.field).toBe(field);
    }
    // Not in the enum: refused by GraphQL before any resolver runs.
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, UPDATE, { input: { tenantId: tenantA.id, defaultDataClassification: 'secret' } }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, UPDATE, { input: { tenantId: 'not-a-uuid' } }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, UPDATE, { input: { tenantId: '00000000-0000-4000-8000-000000000000', allowedRegions: [] } }))).toEqual(['NOT_FOUND']);
    expect(await settingsOf('settings-a')).toEqual(before);
  });

  it('concurrent updates of different fields both apply', async () => {
    await Promise.all([
      harness.request(PLATFORM_ADMIN, UPDATE, { input: { tenantId: tenantB.id, allowedRegions: ['us-east-1'] } }),
      harness.request(adminB(), UPDATE, { input: { tenantId: tenantB.id, defaultDataClassification: 'restricted' } }),
      harness.request(adminB(), UPDATE, { input: { tenantId: tenantB.id, quotas: { tokensPerMinute: 10 } } }),
    ]);
    expect(await settingsOf('settings-b')).toMatchObject({ allowedRegions: ['us-east-1'], defaultDataClassification: 'restricted', quotas: { tokensPerMinute: 10 } });
  });

  it('home region: set by platform admins only; a pin needs a home; both audited and announced', async () => {
    const REGION = 'mutation ($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { homeRegion regionPinned } }';
    const service = createTenantsService({ db: testDatabase.db, bus: harness.bus });
    const tenant = await service.createTenant({ slug: 'settings-home', name: 'Settings home' }, PLATFORM_ADMIN);
    const admin = principalOf(['tenant_admin'], tenant.id, 'settings-admin-home');
    const read = async () => {
      const reply = await harness.request(admin, 'query { tenant(slug: "settings-home") { settings { homeRegion regionPinned } } }', {});
      return (reply.body.data?.['tenant'] as { settings: unknown }).settings;
    };
    expect(await read()).toEqual({ homeRegion: null, regionPinned: false });

    // A tenant admin can neither place the tenant nor pin it without a home.
    expect(errorCodes(await harness.request(admin, REGION, { input: { tenantId: tenant.id, homeRegion: 'region-a' } }))).toEqual(['FORBIDDEN']);
    const pinWithoutHome = await harness.request(admin, REGION, { input: { tenantId: tenant.id, regionPinned: true } });
    expect(errorCodes(pinWithoutHome)).toEqual(['BAD_USER_INPUT']);
    expect(pinWithoutHome.body.errors?.[0]?.extensions?.field).toBe('input.regionPinned');
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, REGION, { input: { tenantId: tenant.id, homeRegion: 'region a; drop' } }))).toEqual(['BAD_USER_INPUT']);
    expect(await read()).toEqual({ homeRegion: null, regionPinned: false });

    const before = published.length;
    const placed = await harness.request(PLATFORM_ADMIN, REGION, { input: { tenantId: tenant.id, homeRegion: 'region-a' } });
    expect(placed.body.data?.['updateTenantSettings']).toEqual({ homeRegion: 'region-a', regionPinned: false });
    // Resending the same home region (a form sending every field) is no placement.
    const pinned = await harness.request(admin, REGION, { input: { tenantId: tenant.id, homeRegion: 'region-a', regionPinned: true } });
    expect(pinned.body.data?.['updateTenantSettings']).toEqual({ homeRegion: 'region-a', regionPinned: true });
    // Clearing the home of a pinned tenant would refuse it everywhere.
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, REGION, { input: { tenantId: tenant.id, homeRegion: null } }))).toEqual(['BAD_USER_INPUT']);
    expect(await read()).toEqual({ homeRegion: 'region-a', regionPinned: true });
    expect(published.length).toBe(before + 2);
    const changes = (await auditEvents()).filter((event) => event.tenantId === tenant.id && event.action === 'tenant_settings.update').map((event) => event.payload);
    expect(changes).toEqual([{ homeRegion: { from: null, to: 'region-a' } }, { regionPinned: { from: false, to: true } }]);
  });
});
