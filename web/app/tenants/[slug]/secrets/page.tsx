import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { executeOperation } from '../../../../lib/gateway';
import { tenantSecretsQuery } from '../../../../lib/secret-operations';
import { requireSession } from '../../../../lib/session-store';
import { secretsAccess } from '../../../../lib/tenant-secrets';
import styles from '../tenant.module.css';
import { AlertWebhookPanel } from './alert-webhook-panel';
import { ProviderCredentialsPanel } from './provider-credentials-panel';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Provider credentials & alerts · ${(await params).slug}` };
}

export default async function SecretsPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/secrets`);
  const result = await executeOperation(tenantSecretsQuery, { slug }, session.accessToken);
  if (!result.ok) {
    return (
      <main>
        <ErrorPanel error={result.error} retryHref={`${tenantPath}/secrets`} />
      </main>
    );
  }
  const tenant = result.data.tenant;
  if (!tenant) notFound();
  const access = secretsAccess(result.data.viewer, tenant.id);

  return (
    <main>
      <div className={styles.header}>
        <div>
          <div className={styles.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / provider credentials &amp; alerts
          </div>
          <h1>Provider credentials &amp; alerts of {tenant.name}</h1>
          <p className="muted">
            Secrets are stored encrypted and are write-only: once saved, only their last four characters are ever shown. Data planes use a tenant’s own provider
            key instead of the platform’s and reload it as soon as it changes.
          </p>
        </div>
      </div>
      <div className="stack">
        {access.canManage ? null : (
          <div className="warning" role="note" data-testid="secrets-read-only">
            {access.reason}
          </div>
        )}
        <ProviderCredentialsPanel tenantId={tenant.id} credentials={tenant.providerCredentials} canManage={access.canManage} />
        <AlertWebhookPanel tenantId={tenant.id} webhook={tenant.alertWebhook} canManage={access.canManage} />
      </div>
    </main>
  );
}
