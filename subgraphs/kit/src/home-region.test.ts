import { describe, expect, it } from 'vitest';
import { homedElsewhere, homedElsewhereMessage } from './home-region';

const TENANT = '00000000-0000-4000-8000-000000000001';

describe('homedElsewhere (who writes a tenant in which region)', () => {
  it('refuses a tenant homed in another region, naming both regions', () => {
    expect(homedElsewhere('region-b', TENANT, 'region-a')).toEqual({ tenantId: TENANT, homeRegion: 'region-a', region: 'region-b' });
  });

  it('allows the home region itself', () => {
    expect(homedElsewhere('region-a', TENANT, 'region-a')).toBeUndefined();
  });

  it('allows a tenant that has no home yet (never placed)', () => {
    expect(homedElsewhere('region-b', TENANT, null)).toBeUndefined();
  });

  it('refuses nothing in a one-region deployment (no SWITCHYARD_REGION)', () => {
    expect(homedElsewhere(undefined, TENANT, 'region-a')).toBeUndefined();
    expect(homedElsewhere(undefined, TENANT, null)).toBeUndefined();
  });

  it('compares region names exactly (no case folding or trimming: names are tokens)', () => {
    expect(homedElsewhere('Region-A', TENANT, 'region-a')).toBeDefined();
    expect(homedElsewhere('region-a', TENANT, 'region-a ')).toBeDefined();
  });

  it('says where the change must be made', () => {
    const message = homedElsewhereMessage({ tenantId: TENANT, homeRegion: 'region-a', region: 'region-b' });
    expect(message).toContain(TENANT);
    expect(message).toContain('Make this change in region region-a');
  });
});
