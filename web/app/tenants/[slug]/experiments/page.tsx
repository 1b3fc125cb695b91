import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { getConfig } from '../../../../lib/config';
import { tenantExperimentsQuery } from '../../../../lib/experiment-operations';
import { executeOperation } from '../../../../lib/gateway';
import { requireSession } from '../../../../lib/session-store';
import styles from '../tenant.module.css';
import { ExperimentsManager } from './experiments-manager';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Experiments · ${(await params).slug}` };
}

export default async function ExperimentsPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/experiments`);
  const result = await executeOperation(tenantExperimentsQuery, { slug }, session.accessToken);
  if (!result.ok) {
    return (
      <main>
        <ErrorPanel error={result.error} retryHref={`${tenantPath}/experiments`} />
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
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / experiments
          </div>
          <h1>Experiments of {tenant.name}</h1>
          <p className="muted">
            Put a challenger on a route, in shadow (the champion answers, the challenger gets a copy) or as a sticky split. An always-valid sequential test decides;
            the challenger is promoted as a new route version, and every version can be rolled back in one step.
          </p>
        </div>
      </div>
      <ExperimentsManager tenantId={tenant.id} wsUrl={getConfig().gatewayWsUrl} routes={tenant.routes} initialExperiments={tenant.experiments} />
    </main>
  );
}
