import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { executeOperation } from '../../../../lib/gateway';
import { requireSession } from '../../../../lib/session-store';
import { tenantSettingsQuery } from '../../../../lib/settings-operations';
import { settingsAccess } from '../../../../lib/tenant-settings-form';
import styles from '../tenant.module.css';
import { SettingsForm } from './settings-form';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Settings · ${(await params).slug}` };
}

export default async function SettingsPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/settings`);
  const result = await executeOperation(tenantSettingsQuery, { slug }, session.accessToken);
  if (!result.ok) {
    return (
      <main>
        <ErrorPanel error={result.error} retryHref={`${tenantPath}/settings`} />
      </main>
    );
  }
  const tenant = result.data.tenant;
  if (!tenant) notFound();
  const access = settingsAccess(result.data.viewer, tenant.id);

  return (
    <main>
      <div className={styles.header}>
        <div>
          <div className={styles.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / settings
          </div>
          <h1>Settings of {tenant.name}</h1>
          <p className="muted">
            Where this tenant’s data may be processed, how sensitive it is by default, and how much it may use. Data planes apply a change within about a
            second.
          </p>
        </div>
      </div>
      <div className="stack">
        {access.canEdit ? null : (
          <div className="warning" role="note" data-testid="settings-read-only">
            {access.reason}
          </div>
        )}
        <SettingsForm
          tenantId={tenant.id}
          settings={tenant.settings}
          defaults={tenant.settings.quotas.platformDefaults}
          canEdit={access.canEdit}
          canRaiseQuotas={access.canEdit && access.canRaiseQuotas}
        />
      </div>
    </main>
  );
}
