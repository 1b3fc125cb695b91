import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { executeOperation } from '../../../../lib/gateway';
import { tenantIdentityQuery } from '../../../../lib/operations';
import { policyVersionsQuery } from '../../../../lib/policy-operations';
import { requireSession } from '../../../../lib/session-store';
import { PolicyEditor } from './policy-editor';
import styles from './policies.module.css';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Policies · ${(await params).slug}` };
}

export default async function PoliciesPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/policies`);
  const tenantResult = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenantResult.ok) {
    return (
      <main>
        <ErrorPanel error={tenantResult.error} retryHref={`${tenantPath}/policies`} />
      </main>
    );
  }
  const tenant = tenantResult.data.tenant;
  if (!tenant) notFound();
  const versions = await executeOperation(policyVersionsQuery, { tenantId: tenant.id }, session.accessToken);

  return (
    <main>
      <div className={styles.header}>
        <div className={styles.crumbs}>
          <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / policies
        </div>
        <h1>Policies · {tenant.name}</h1>
      </div>
      {versions.ok ? <PolicyEditor tenantId={tenant.id} viewerSubject={session.subject} initialVersions={versions.data.policyVersions} /> : <ErrorPanel error={versions.error} retryHref={`${tenantPath}/policies`} />}
    </main>
  );
}
