/**
 * The tenant console's sections, in navigation order. Adding a page is one line here: the tenant
 * layout renders this list and marks the current entry (aria-current="page").
 * `href` is relative to `/tenants/<slug>`; '' is the overview (API keys).
 */
export const TENANT_SECTIONS: readonly TenantSection[] = [
  { href: '', label: 'Overview' },
  { href: '/members', label: 'Members' },
  { href: '/policies', label: 'Policies' },
  { href: '/routes', label: 'Routes' },
  { href: '/experiments', label: 'Experiments' },
  { href: '/cost', label: 'Cost' },
  { href: '/savings', label: 'Savings' },
  { href: '/requests', label: 'Requests' },
  { href: '/performance', label: 'Performance' },
  { href: '/slos', label: 'SLOs' },
  { href: '/memory', label: 'Memory' },
  { href: '/privacy', label: 'Privacy' },
  { href: '/audit', label: 'Audit' },
  { href: '/secrets', label: 'Secrets' },
  { href: '/settings', label: 'Settings' },
];

export interface TenantSection {
  href: string;
  label: string;
}

export function tenantBasePath(slug: string): string {
  return `/tenants/${encodeURIComponent(slug)}`;
}

/**
 * The section the path is in: the longest `href` that is the path or a parent of it, so
 * `/tenants/a/audit/123` is in Audit and `/tenants/a` in Overview. Null outside the tenant.
 */
export function currentSection(pathname: string, slug: string, sections: readonly TenantSection[] = TENANT_SECTIONS): TenantSection | null {
  const base = tenantBasePath(slug);
  const path = pathname.replace(/\/+$/, '');
  let best: TenantSection | null = null;
  for (const section of sections) {
    const full = base + section.href;
    if (path !== full && !path.startsWith(`${full}/`)) continue;
    if (!best || section.href.length > best.href.length) best = section;
  }
  return best;
}

/** Stable test id of a section's link (`overview-link`, `members-link`, …). */
export function sectionTestId(section: TenantSection): string {
  return `${section.href === '' ? 'overview' : section.href.slice(1).replaceAll('/', '-')}-link`;
}
