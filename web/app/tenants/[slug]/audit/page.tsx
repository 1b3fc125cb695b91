import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { getConfig } from '../../../../lib/config';
import { executeOperation } from '../../../../lib/gateway';
import { auditEntriesQuery, tenantIdentityQuery } from '../../../../lib/operations';
import { requireSession } from '../../../../lib/session-store';
import { AuditExplorer } from './audit-explorer';
import { AUDIT_PAGE_SIZE } from './page-size';
import styles from './audit.module.css';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Audit log · ${(await params).slug}` };
}

export default async function AuditPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/audit`);
  const tenantResult = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenantResult.ok) {
    return (
      <main>
        <ErrorPanel error={tenantResult.error} retryHref={`${tenantPath}/audit`} />
      </main>
    );
  }
  const tenant = tenantResult.data.tenant;
  if (!tenant) notFound();
  // First page from the server; the client loads further pages and new entries itself.
  const initial = await executeOperation(auditEntriesQuery, { filter: { tenantId: tenant.id }, first: AUDIT_PAGE_SIZE, after: null }, session.accessToken);

  return (
    <main>
      <div className={styles.header}>
        <div>
          <div className={styles.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / audit
          </div>
          <h1>Audit log · {tenant.name}</h1>
          <p className="muted">Append-only, hash-chained, Merkle-checkpointed. Verify recomputes an entry&apos;s inclusion proof in your browser.</p>
        </div>
      </div>
      <AuditExplorer tenantId={tenant.id} wsUrl={getConfig().gatewayWsUrl} initialPage={initial.ok ? initial.data.auditEntries : null} />
    </main>
  );
}
