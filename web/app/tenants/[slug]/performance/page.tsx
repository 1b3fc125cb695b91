import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { executeOperation } from '../../../../lib/gateway';
import { tenantIdentityQuery } from '../../../../lib/operations';
import { performanceQuery } from '../../../../lib/request-log-operations';
import { requireSession } from '../../../../lib/session-store';
import { PerformanceDashboard } from './performance-dashboard';
import dashboard from '../../../../components/dashboard.module.css';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Performance · ${(await params).slug}` };
}

const INITIAL_WINDOW = 'LAST_HOUR';

export default async function PerformancePage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/performance`);
  const tenantResult = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenantResult.ok) {
    return (
      <main>
        <ErrorPanel error={tenantResult.error} retryHref={`${tenantPath}/performance`} />
      </main>
    );
  }
  const tenant = tenantResult.data.tenant;
  if (!tenant) notFound();
  const initial = await executeOperation(performanceQuery, { tenantId: tenant.id, window: INITIAL_WINDOW }, session.accessToken);

  return (
    <main>
      <div className={dashboard.header}>
        <div>
          <div className={dashboard.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / performance
          </div>
          <h1>Performance · {tenant.name}</h1>
          <p className="muted">
            Latency percentiles (answered requests), error and refusal rates per route and model, and spend by key, user and route, from the request log.{' '}
            <Link href={`${tenantPath}/requests`}>Individual requests →</Link>
          </p>
        </div>
      </div>
      {!initial.ok ? <ErrorPanel error={initial.error} retryHref={`${tenantPath}/performance`} /> : null}
      <PerformanceDashboard tenantId={tenant.id} initialWindow={INITIAL_WINDOW} initial={initial.ok ? initial.data : null} />
    </main>
  );
}
