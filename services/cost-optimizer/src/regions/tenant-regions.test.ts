import { describe, expect, it } from 'vitest';
import { tenantRegions } from './tenant-regions';

const at = (homeRegion: string | null, pinned: boolean) => ({ homeRegion, pinned });

describe('tenantRegions', () => {
  it('writes an unpinned tenant wherever it is known, read first from its home', () => {
    expect(tenantRegions([{ region: 'a', placement: at('b', false) }, { region: 'b', placement: at('b', false) }])).toEqual({ primary: 'b', sources: ['a', 'b'], targets: ['a', 'b'] });
    expect(tenantRegions([{ region: 'a', placement: at(null, false) }, { region: 'b', placement: at(null, false) }])).toEqual({ primary: 'a', sources: ['a', 'b'], targets: ['a', 'b'] });
    // A region that does not know the tenant is neither read nor written.
    expect(tenantRegions([{ region: 'a', placement: undefined }, { region: 'b', placement: at('a', false) }])).toEqual({ primary: 'b', sources: ['b'], targets: ['b'] });
  });

  it('writes a pinned tenant only in its home region', () => {
    expect(tenantRegions([{ region: 'a', placement: at('a', true) }, { region: 'b', placement: at('a', true) }])).toEqual({ primary: 'a', sources: ['a', 'b'], targets: ['a'] });
  });

  it('skips a tenant pinned to a region it does not serve, or no region knows', () => {
    expect(tenantRegions([{ region: 'a', placement: at('c', true) }])).toHaveProperty('skip');
    expect(tenantRegions([{ region: 'a', placement: undefined }, { region: 'b', placement: undefined }])).toHaveProperty('skip');
    // Pinned to a configured region that does not know it (replication lag): nothing is written anywhere.
    expect(tenantRegions([{ region: 'a', placement: undefined }, { region: 'b', placement: at('a', true) }])).toHaveProperty('skip');
  });
});
