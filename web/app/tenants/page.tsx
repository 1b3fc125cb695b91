import type { Metadata } from 'next';
import Link from 'next/link';
import { ErrorPanel } from '../../components/error-panel';
import { formatTimestamp } from '../../lib/display';
import { executeOperation } from '../../lib/gateway';
import { tenantsQuery } from '../../lib/operations';
import { requireSession } from '../../lib/session-store';
import { CreateTenantForm } from './create-tenant-form';
import styles from './tenants.module.css';

export const metadata: Metadata = { title: 'Tenants' };

export default async function TenantsPage() {
  const session = await requireSession('/tenants');
  const result = await executeOperation(tenantsQuery, {}, session.accessToken);
  if (!result.ok) {
    return (
      <main>
        <ErrorPanel error={result.error} retryHref="/tenants" />
      </main>
    );
  }
  const tenants = [...result.data.tenants].sort((a, b) => a.slug.localeCompare(b.slug));
  return (
    <main>
      <div className={styles.header}>
        <h1>Tenants</h1>
        <span className="muted">{tenants.length === 1 ? '1 tenant' : `${tenants.length} tenants`}</span>
      </div>
      <div className={styles.layout}>
        <section className="card" aria-label="Tenants">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Slug</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {tenants.map((tenant) => {
                const href = `/tenants/${encodeURIComponent(tenant.slug)}`;
                // Every cell is a link, so a click anywhere on the row opens the tenant.
                return (
                  <tr key={tenant.id} data-testid="tenant-row" className={styles.row}>
                    <td>
                      <Link className={`${styles.cellLink} ${styles.rowLink}`} href={href}>
                        {tenant.name}
                      </Link>
                    </td>
                    <td>
                      <Link className={`${styles.cellLink} ${styles.slug}`} href={href} tabIndex={-1}>
                        {tenant.slug}
                      </Link>
                    </td>
                    <td>
                      <Link className={`${styles.cellLink} muted`} href={href} tabIndex={-1}>
                        {formatTimestamp(tenant.createdAt)}
                      </Link>
                    </td>
                  </tr>
                );
              })}
              {tenants.length === 0 ? (
                <tr>
                  <td colSpan={3} className="empty">
                    No tenants yet. Create the first one.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </section>
        <section className="card" aria-label="Create tenant">
          <div className="cardHeader">
            <h2>New tenant</h2>
          </div>
          <CreateTenantForm />
        </section>
      </div>
    </main>
  );
}
