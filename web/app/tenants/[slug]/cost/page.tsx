import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { getConfig } from '../../../../lib/config';
import { executeOperation } from '../../../../lib/gateway';
import { costSummaryQuery, tenantIdentityQuery } from '../../../../lib/operations';
import { requireSession } from '../../../../lib/session-store';
import { CostDashboard } from './cost-dashboard';
import dashboard from '../../../../components/dashboard.module.css';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Cost · ${(await params).slug}` };
}

const INITIAL_WINDOW = 'LAST_HOUR';

export default async function CostPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/cost`);
  const tenantResult = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenantResult.ok) {
    return (
      <main>
        <ErrorPanel error={tenantResult.error} retryHref={`${tenantPath}/cost`} />
      </main>
    );
  }
  const tenant = tenantResult.data.tenant;
  if (!tenant) notFound();
  // The first frame is rendered on the server so the page is useful before the socket connects;
  // if this query fails the live subscription still delivers the summary.
  const initial = await executeOperation(costSummaryQuery, { tenantId: tenant.id, window: INITIAL_WINDOW }, session.accessToken);

  return (
    <main>
      <div className={dashboard.header}>
        <div>
          <div className={dashboard.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / cost
          </div>
          <h1>Cost · {tenant.name}</h1>
        </div>
      </div>
      <CostDashboard
        tenantId={tenant.id}
        wsUrl={getConfig().gatewayWsUrl}
        initialWindow={INITIAL_WINDOW}
        initialSummary={initial.ok ? initial.data.costSummary : null}
      />
    </main>
  );
}
