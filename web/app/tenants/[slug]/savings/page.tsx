import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { getConfig } from '../../../../lib/config';
import { executeOperation } from '../../../../lib/gateway';
import { tenantIdentityQuery } from '../../../../lib/operations';
import { savingsQuery } from '../../../../lib/savings-operations';
import { requireSession } from '../../../../lib/session-store';
import dashboard from '../../../../components/dashboard.module.css';
import { SavingsDashboard } from './savings-dashboard';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Savings · ${(await params).slug}` };
}

export default async function SavingsPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/savings`);
  const tenantResult = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenantResult.ok) {
    return (
      <main>
        <ErrorPanel error={tenantResult.error} retryHref={`${tenantPath}/savings`} />
      </main>
    );
  }
  const tenant = tenantResult.data.tenant;
  if (!tenant) notFound();
  // First frame from the server; savingsUpdated keeps it current.
  const initial = await executeOperation(savingsQuery, { tenantId: tenant.id }, session.accessToken);
  const month = new Date().toISOString().slice(0, 7);

  return (
    <main>
      <div className={dashboard.header}>
        <div>
          <div className={dashboard.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / savings
          </div>
          <h1>Savings · {tenant.name}</h1>
        </div>
      </div>
      <SavingsDashboard
        tenantId={tenant.id}
        reportPath={`${tenantPath}/savings/report`}
        wsUrl={getConfig().gatewayWsUrl}
        initialReport={initial.ok ? initial.data.savings : null}
        initialMonth={month}
      />
    </main>
  );
}
