import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { getConfig } from '../../../../lib/config';
import { executeOperation } from '../../../../lib/gateway';
import { dpBudgetsQuery, tenantIdentityQuery } from '../../../../lib/operations';
import { requireSession } from '../../../../lib/session-store';
import { PrivacyDashboard } from './privacy-dashboard';
import styles from './privacy.module.css';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Privacy budgets · ${(await params).slug}` };
}

export default async function PrivacyPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/privacy`);
  const tenantResult = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenantResult.ok) {
    return (
      <main>
        <ErrorPanel error={tenantResult.error} retryHref={`${tenantPath}/privacy`} />
      </main>
    );
  }
  const tenant = tenantResult.data.tenant;
  if (!tenant) notFound();
  // First frame from the server; the live subscription takes over once the socket connects.
  const initial = await executeOperation(dpBudgetsQuery, { tenantId: tenant.id }, session.accessToken);

  return (
    <main>
      <div className={styles.header}>
        <div>
          <div className={styles.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / privacy
          </div>
          <h1>Privacy budgets · {tenant.name}</h1>
        </div>
      </div>
      <PrivacyDashboard tenantId={tenant.id} wsUrl={getConfig().gatewayWsUrl} initialBudgets={initial.ok ? initial.data.dpBudgets : null} />
    </main>
  );
}
