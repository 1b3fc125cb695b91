import { describe, expect, it } from 'vitest';
import { TENANT_SECTIONS, currentSection, sectionTestId } from './tenant-sections';

describe('tenant sections', () => {
  it('marks the overview only on the tenant page itself', () => {
    expect(currentSection('/tenants/acme', 'acme')?.label).toBe('Overview');
    expect(currentSection('/tenants/acme/', 'acme')?.label).toBe('Overview');
  });

  it('marks the deepest section that contains the path', () => {
    expect(currentSection('/tenants/acme/audit', 'acme')?.label).toBe('Audit');
    expect(currentSection('/tenants/acme/audit/entry/7', 'acme')?.label).toBe('Audit');
    expect(currentSection('/tenants/acme/privacy', 'acme')?.label).toBe('Privacy');
  });

  it('does not match a section by prefix of a longer segment or another tenant', () => {
    expect(currentSection('/tenants/acme/auditors', 'acme')?.label).toBe('Overview');
    expect(currentSection('/tenants/acme-2/members', 'acme')).toBeNull();
    expect(currentSection('/tenants', 'acme')).toBeNull();
  });

  it('encodes the slug like the links do', () => {
    expect(currentSection('/tenants/a%20b/routes', 'a b')?.label).toBe('Routes');
  });

  it('gives every section a unique test id', () => {
    const ids = TENANT_SECTIONS.map(sectionTestId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('overview-link');
    expect(ids).toContain('members-link');
  });
});
