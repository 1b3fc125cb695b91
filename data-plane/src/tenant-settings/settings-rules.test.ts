import { describe, expect, it } from 'vitest';
import { DATA_CLASSIFICATIONS } from '@switchyard/db/tenant-settings';
import { effectiveDataClassification, regionAllowed } from './settings-rules';

describe('effectiveDataClassification', () => {
  it('the header raises the tenant default, never lowers it', () => {
    for (const tenantDefault of DATA_CLASSIFICATIONS) {
      for (const requested of DATA_CLASSIFICATIONS) {
        const effective = effectiveDataClassification(tenantDefault, requested);
        expect(DATA_CLASSIFICATIONS.indexOf(effective)).toBe(Math.max(DATA_CLASSIFICATIONS.indexOf(tenantDefault), DATA_CLASSIFICATIONS.indexOf(requested)));
      }
    }
  });

  it.each([undefined, 'secret', 'PUBLIC', ''])('ignores a header value %j outside the classifications', (requested) => {
    expect(effectiveDataClassification('confidential', requested)).toBe('confidential');
    expect(effectiveDataClassification('public', requested)).toBe('public');
  });
});

describe('regionAllowed', () => {
  it('an empty list allows any region; otherwise only the listed ones, exactly', () => {
    expect(regionAllowed({ allowedRegions: [] }, 'us-east-1')).toBe(true);
    expect(regionAllowed({ allowedRegions: ['eu-west-1'] }, 'eu-west-1')).toBe(true);
    expect(regionAllowed({ allowedRegions: ['eu-west-1'] }, 'EU-WEST-1')).toBe(false);
    expect(regionAllowed({ allowedRegions: ['eu-west-1'] }, 'unspecified')).toBe(false);
  });
});
