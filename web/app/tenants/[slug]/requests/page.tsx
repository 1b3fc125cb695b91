import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../../components/error-panel';
import { executeOperation } from '../../../../lib/gateway';
import { tenantIdentityQuery } from '../../../../lib/operations';
import { getConfig } from '../../../../lib/config';
import { requestLogQuery, requestLogRetentionQuery } from '../../../../lib/request-log-operations';
import { EMPTY_DRAFT, filterFromDraft } from '../../../../lib/request-log-format';
import { requireSession } from '../../../../lib/session-store';
import { REQUEST_LOG_PAGE_SIZE, RequestLogExplorer } from './request-log-explorer';
import styles from './requests.module.css';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Requests · ${(await params).slug}` };
}

export default async function RequestsPage({ params }: Props) {
  const { slug } = await params;
  const tenantPath = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(`${tenantPath}/requests`);
  const tenantResult = await executeOperation(tenantIdentityQuery, { slug }, session.accessToken);
  if (!tenantResult.ok) {
    return (
      <main>
        <ErrorPanel error={tenantResult.error} retryHref={`${tenantPath}/requests`} />
      </main>
    );
  }
  const tenant = tenantResult.data.tenant;
  if (!tenant) notFound();
  // The first page is rendered on the server; filters and further pages are read by the browser.
  const initialFilter = filterFromDraft(EMPTY_DRAFT, Date.now());
  const [initial, retention] = await Promise.all([
    initialFilter.ok ? executeOperation(requestLogQuery, { tenantId: tenant.id, filter: initialFilter.filter, first: REQUEST_LOG_PAGE_SIZE, after: null }, session.accessToken) : null,
    executeOperation(requestLogRetentionQuery, { slug }, session.accessToken),
  ]);
  const settings = retention.ok ? retention.data.tenant?.settings : undefined;

  return (
    <main>
      <div className={styles.header}>
        <div>
          <div className={styles.crumbs}>
            <Link href="/tenants">Tenants</Link> / <Link href={tenantPath}>{tenant.slug}</Link> / requests
          </div>
          <h1>Requests · {tenant.name}</h1>
          <p className="muted">
            Every request the data plane answered for this tenant, refused ones included, newest first; new ones appear at the top as they are logged. Requests with no valid credentials are
            counted by the gateway, not listed here. <Link href={`${tenantPath}/performance`}>Latency, errors and spend →</Link>
          </p>
          <p className="muted" data-testid="request-log-retention">
            {settings ? (
              <>
                Kept for <strong>{settings.requestLogRetentionDays} days</strong>, as the tenant&rsquo;s default data classification (<code>{settings.defaultDataClassification}</code>) sets it{' '}
                (<Link href={`${tenantPath}/settings`}>settings</Link>).
              </>
            ) : (
              'Retention unknown: the tenant settings could not be read.'
            )}
          </p>
        </div>
      </div>
      {initial && !initial.ok ? <ErrorPanel error={initial.error} retryHref={`${tenantPath}/requests`} /> : null}
      <RequestLogExplorer tenantId={tenant.id} wsUrl={getConfig().gatewayWsUrl} initialPage={initial?.ok ? initial.data.requestLog : null} />
    </main>
  );
}
