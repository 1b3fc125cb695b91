import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { executeOperation } from '../../../../lib/gateway';
import { tenantMembersQuery } from '../../../../lib/member-operations';
import { requireSession } from '../../../../lib/session-store';
import styles from '../tenant.module.css';
import { MembersManager } from './members-manager';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Members · ${(await params).slug}` };
}

export default async function MembersPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/members`);
  const result = await executeOperation(tenantMembersQuery, { slug }, session.accessToken);
  if (!result.ok) {
    return (
      <main>
        <ErrorPanel error={result.error} retryHref={`${tenantPath}/members`} />
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
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / members
          </div>
          <h1>Members of {tenant.name}</h1>
        </div>
      </div>
      <MembersManager tenantId={tenant.id} members={tenant.members} />
    </main>
  );
}
