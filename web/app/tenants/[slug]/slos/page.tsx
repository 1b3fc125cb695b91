import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { getConfig } from '../../../../lib/config';
import { executeOperation } from '../../../../lib/gateway';
import { tenantIdentityQuery } from '../../../../lib/operations';
import { sloOverviewQuery } from '../../../../lib/slo-operations';
import { requireSession } from '../../../../lib/session-store';
import { SloDashboard } from './slo-dashboard';
import dashboard from '../../../../components/dashboard.module.css';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `SLOs · ${(await params).slug}` };
}

export default async function SlosPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/slos`);
  const tenantResult = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenantResult.ok) {
    return (
      <main>
        <ErrorPanel error={tenantResult.error} retryHref={`${tenantPath}/slos`} />
      </main>
    );
  }
  const tenant = tenantResult.data.tenant;
  if (!tenant) notFound();
  // First frame from the server; the subscription keeps it current (and delivers it if this failed).
  const initial = await executeOperation(sloOverviewQuery, { tenantId: tenant.id }, session.accessToken);

  return (
    <main>
      <div className={dashboard.header}>
        <div>
          <div className={dashboard.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / SLOs
          </div>
          <h1>SLOs · {tenant.name}</h1>
        </div>
      </div>
      <SloDashboard tenantId={tenant.id} wsUrl={getConfig().gatewayWsUrl} initial={initial.ok ? initial.data.sloOverview : null} />
    </main>
  );
}
