import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ErrorPanel } from '../../../components/error-panel';
import { getConfig } from '../../../lib/config';
import { apiKeyStatus, formatTimestamp } from '../../../lib/display';
import { executeOperation } from '../../../lib/gateway';
import { tenantQuery } from '../../../lib/operations';
import { requireSession } from '../../../lib/session-store';
import { ApiKeyTable, type ApiKeyRow } from './api-key-table';
import { CreateKeyForm } from './create-key-form';
import { OpenAiSnippet } from './openai-snippet';
import styles from './tenant.module.css';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).slug };
}

export default async function TenantPage({ params }: Props) {
  const slug = (await params).slug;
  const path = `/tenants/${encodeURIComponent(slug)}`;
  const session = await requireSession(path);
  const result = await executeOperation(tenantQuery, { slug }, session.accessToken);
  if (!result.ok) {
    return (
      <main>
        <ErrorPanel error={result.error} retryHref={path} />
      </main>
    );
  }
  const tenant = result.data.tenant;
  if (!tenant) notFound();

  const now = Date.now();
  const rows: ApiKeyRow[] = [...tenant.apiKeys]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((key) => ({ ...key, status: apiKeyStatus(key, now) }));

  return (
    <main>
      <div className={styles.header}>
        <div>
          <div className={styles.crumbs}>
            <Link href="/tenants">Tenants</Link> / <span className={styles.mono}>{tenant.slug}</span>
          </div>
          <h1 data-testid="tenant-name">{tenant.name}</h1>
          <div className={styles.meta}>
            <span>
              slug <span className={styles.mono} data-testid="tenant-slug">{tenant.slug}</span>
            </span>
            <span>
              id <span className={styles.mono}>{tenant.id}</span>
            </span>
            <span>created {formatTimestamp(tenant.createdAt)} UTC</span>
          </div>
        </div>
        <div className={styles.headerLinks}>
          <Link className="button buttonSecondary" href={`${path}/members`} data-testid="members-link">
            Members →
          </Link>
          <Link className="button buttonSecondary" href={`${path}/audit`} data-testid="audit-link">
            Audit log →
          </Link>
          <Link className="button buttonSecondary" href={`${path}/routes`} data-testid="routes-link">
            Routes →
          </Link>
          <Link className="button buttonSecondary" href={`${path}/policies`} data-testid="policies-link">
            Policies →
          </Link>
          <Link className="button buttonSecondary" href={`${path}/privacy`} data-testid="privacy-link">
            Privacy budgets →
          </Link>
          <Link className="button buttonSecondary" href={`${path}/secrets`} data-testid="secrets-link">
            Provider keys &amp; alerts →
          </Link>
          <Link className="button buttonSecondary" href={`${path}/settings`} data-testid="settings-link">
            Settings →
          </Link>
          <Link className="button buttonSecondary" href={`${path}/slos`} data-testid="slos-link">
            SLOs →
          </Link>
          <Link className="button" href={`${path}/cost`} data-testid="cost-link">
            Live cost →
          </Link>
        </div>
      </div>

      <div className={styles.grid}>
        <div className="stack">
          <section className="card" aria-label="API keys">
            <div className="cardHeader">
              <h2>API keys</h2>
              <span className="muted">{rows.filter((row) => row.status === 'active').length} active</span>
            </div>
            <ApiKeyTable keys={rows} />
          </section>
          <section className="card" aria-label="Use the API">
            <div className="cardHeader">
              <h2>Call Switchyard with the OpenAI client</h2>
            </div>
            <OpenAiSnippet baseUrl={getConfig().openAiBaseUrl} />
          </section>
        </div>
        <section className="card" aria-label="Create API key">
          <div className="cardHeader">
            <h2>New API key</h2>
          </div>
          <CreateKeyForm tenantId={tenant.id} />
        </section>
      </div>
    </main>
  );
}
