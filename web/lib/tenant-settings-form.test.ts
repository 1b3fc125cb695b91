import { describe, expect, it } from 'vitest';
import { settingsAccess, settingsInputFrom, type SettingsFormValues } from './tenant-settings-form';

const TENANT = '6d1f3f0e-3c55-4b0a-9d43-0d7b7b6f0a11';
const OTHER = '0b8a5a1c-9f2e-4c3d-8a7b-2e1f0c9d8e7f';
const DEFAULTS = { requestsPerMinute: 6000, tokensPerMinute: 1_000_000, tokensPerDay: 100_000_000 };
const form = (values: Partial<SettingsFormValues> = {}): SettingsFormValues => ({ regions: '', classification: 'internal', requestsPerMinute: '', tokensPerMinute: '', tokensPerDay: '', ...values });

describe('settingsAccess', () => {
  it('platform admins edit and may raise quotas; tenant admins of this tenant edit but may not raise', () => {
    expect(settingsAccess({ roles: ['platform_admin'], tenantId: null }, TENANT)).toEqual({ canEdit: true, canRaiseQuotas: true });
    expect(settingsAccess({ roles: ['tenant_admin'], tenantId: TENANT }, TENANT)).toEqual({ canEdit: true, canRaiseQuotas: false });
  });

  it('keeps viewers, operators and other tenants’ admins read-only', () => {
    expect(settingsAccess({ roles: ['viewer'], tenantId: TENANT }, TENANT)).toMatchObject({ canEdit: false, reason: expect.stringContaining('a viewer of this tenant') });
    expect(settingsAccess({ roles: ['operator'], tenantId: TENANT }, TENANT).canEdit).toBe(false);
    expect(settingsAccess({ roles: ['tenant_admin'], tenantId: OTHER }, TENANT)).toMatchObject({ canEdit: false, reason: expect.stringContaining('without a role') });
  });
});

describe('settingsInputFrom', () => {
  it('splits regions, drops duplicates, and sends empty quotas as null (the platform default)', () => {
    expect(settingsInputFrom(TENANT, form({ regions: 'eu-west-1, eu-central-1\neu-west-1', classification: 'confidential', requestsPerMinute: '1,000' }), DEFAULTS, false)).toEqual({
      ok: true,
      input: { tenantId: TENANT, allowedRegions: ['eu-west-1', 'eu-central-1'], defaultDataClassification: 'confidential', quotas: { requestsPerMinute: 1000, tokensPerMinute: null, tokensPerDay: null } },
    });
  });

  it.each([
    [{ regions: 'eu west;1' }, 'regions'],
    [{ regions: 'x'.repeat(65) }, 'regions'],
    [{ requestsPerMinute: '0' }, 'requestsPerMinute'],
    [{ tokensPerMinute: '-5' }, 'tokensPerMinute'],
    [{ tokensPerDay: '1.5' }, 'tokensPerDay'],
    [{ tokensPerDay: '99999999999' }, 'tokensPerDay'],
  ] as const)('refuses %j at the field', (values, field) => {
    expect(settingsInputFrom(TENANT, form(values), DEFAULTS, true)).toMatchObject({ ok: false, field });
  });

  it('refuses a tenant admin a quota above the platform default, not a platform admin', () => {
    expect(settingsInputFrom(TENANT, form({ requestsPerMinute: '6001' }), DEFAULTS, false)).toMatchObject({ ok: false, field: 'requestsPerMinute', message: expect.stringContaining('platform admin') });
    expect(settingsInputFrom(TENANT, form({ requestsPerMinute: '6000' }), DEFAULTS, false).ok).toBe(true);
    expect(settingsInputFrom(TENANT, form({ requestsPerMinute: '6001' }), DEFAULTS, true).ok).toBe(true);
    // Keeping a quota a platform admin granted is not raising it.
    const granted = { requestsPerMinute: 20_000, tokensPerMinute: null, tokensPerDay: null };
    expect(settingsInputFrom(TENANT, form({ requestsPerMinute: '20000' }), DEFAULTS, false, granted).ok).toBe(true);
    expect(settingsInputFrom(TENANT, form({ requestsPerMinute: '20001' }), DEFAULTS, false, granted).ok).toBe(false);
  });
});
