import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { executeOperation } from '../../../../lib/gateway';
import { memoryCollectionsQuery, memorySessionsQuery, SESSION_PAGE_SIZE } from '../../../../lib/memory-operations';
import { tenantIdentityQuery } from '../../../../lib/operations';
import { requireSession } from '../../../../lib/session-store';
import { MemoryDashboard } from './memory-dashboard';
import dashboard from '../../../../components/dashboard.module.css';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Memory · ${(await params).slug}` };
}

/** The tenant's sessions and vector memories (memory subgraph): list, inspect, delete. Tenant admins and platform admins. */
export default async function MemoryPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/memory`);
  const tenantResult = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenantResult.ok) {
    return (
      <main>
        <ErrorPanel error={tenantResult.error} retryHref={`${tenantPath}/memory`} />
      </main>
    );
  }
  const tenant = tenantResult.data.tenant;
  if (!tenant) notFound();
  const [sessions, collections] = await Promise.all([
    executeOperation(memorySessionsQuery, { tenantId: tenant.id, first: SESSION_PAGE_SIZE }, session.accessToken),
    executeOperation(memoryCollectionsQuery, { tenantId: tenant.id }, session.accessToken),
  ]);
  if (!sessions.ok) {
    return (
      <main>
        <ErrorPanel error={sessions.error} retryHref={`${tenantPath}/memory`} />
      </main>
    );
  }

  return (
    <main>
      <div className={dashboard.header}>
        <div>
          <div className={dashboard.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / Memory
          </div>
          <h1>Memory · {tenant.name}</h1>
        </div>
      </div>
      <MemoryDashboard tenantId={tenant.id} initialSessions={sessions.data.memorySessions} initialCollections={collections.ok ? collections.data.memoryCollections : []} />
    </main>
  );
}
