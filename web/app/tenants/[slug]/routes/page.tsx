import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { executeOperation } from '../../../../lib/gateway';
import { tenantRoutesQuery } from '../../../../lib/route-operations';
import { requireSession } from '../../../../lib/session-store';
import styles from '../tenant.module.css';
import { RoutesManager } from './routes-manager';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Routes · ${(await params).slug}` };
}

export default async function RoutesPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/routes`);
  const result = await executeOperation(tenantRoutesQuery, { slug }, session.accessToken);
  if (!result.ok) {
    return (
      <main>
        <ErrorPanel error={result.error} retryHref={`${tenantPath}/routes`} />
      </main>
    );
  }
  const tenant = result.data.tenant;
  if (!tenant) notFound();

  return (
    <main>
      <div className={styles.header}>
        <div>
          <div className={styles.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / routes
          </div>
          <h1>Routes of {tenant.name}</h1>
          <p className="muted">Clients send a route’s name as <code>model</code>. A route here replaces the platform route of the same name for this tenant; changes reach every gateway within a second.</p>
        </div>
      </div>
      <RoutesManager tenantId={tenant.id} routes={tenant.routes} />
    </main>
  );
}
