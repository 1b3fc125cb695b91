'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { TENANT_SECTIONS, currentSection, sectionTestId, tenantBasePath } from '../lib/tenant-sections';
import styles from './tenant-nav.module.css';

/** The tenant's sections as one row of tabs; the one you are in carries aria-current="page". */
export function TenantNav({ slug }: { slug: string }) {
  const pathname = usePathname();
  const current = currentSection(pathname, slug);
  const base = tenantBasePath(slug);
  const list = useRef<HTMLUListElement>(null);
  // On a phone the row scrolls: bring the current section into view (sideways only, never the page).
  useEffect(() => {
    const row = list.current;
    const active = row?.querySelector<HTMLElement>('[aria-current="page"]');
    if (row && active && row.scrollWidth > row.clientWidth) row.scrollLeft = active.offsetLeft - (row.clientWidth - active.offsetWidth) / 2;
  }, [current]);
  return (
    <nav className={styles.nav} aria-label="Tenant sections" data-testid="tenant-nav">
      <div className={styles.inner}>
        <span className={styles.tenant} title={slug}>
          {slug}
        </span>
        <ul ref={list} className={styles.list} data-scrolls>
          {TENANT_SECTIONS.map((section) => {
            const active = section === current;
            return (
              <li key={section.href}>
                <Link
                  href={base + section.href}
                  className={active ? `${styles.link} ${styles.active}` : styles.link}
                  aria-current={active ? 'page' : undefined}
                  data-testid={sectionTestId(section)}
                >
                  {section.label}
                </Link>
              </li>
            );
          })}
        </ul>
      </div>
    </nav>
  );
}
