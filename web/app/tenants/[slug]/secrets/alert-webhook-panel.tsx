'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { CopyButton } from '../../../../components/copy-button';
import { callConsoleApi } from '../../../../lib/browser-api';
import type { ConsoleError } from '../../../../lib/console-error';
import { formatTimestamp } from '../../../../lib/display';
import { setAlertWebhookMutation, type AlertWebhook } from '../../../../lib/secret-operations';
import { maskedSecret } from '../../../../lib/tenant-secrets';
import tenantStyles from '../tenant.module.css';
import { SecretActionError } from './secret-action-error';
import { TestAlertButton } from './test-alert-button';
import styles from './secrets.module.css';

type SecretSource = 'generate' | 'own';

/**
 * Where the tenant's alerts are POSTed and the secret that signs them. Saving without a secret of
 * one's own has the API generate one, which it returns once: it is held in this component's
 * memory only until dismissed (never in the page's HTML), and saving again rotates it.
 */
export function AlertWebhookPanel({ tenantId, webhook, canManage }: { tenantId: string; webhook: AlertWebhook | null; canManage: boolean }) {
  const router = useRouter();
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [source, setSource] = useState<SecretSource>('generate');
  const [ownSecret, setOwnSecret] = useState('');
  const [generated, setGenerated] = useState<string | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [pending, setPending] = useState(false);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (url.trim() === '') {
      setError({ code: 'BAD_USER_INPUT', message: 'Enter the https URL your alerts should be sent to.' });
      return;
    }
    if (source === 'own' && ownSecret === '') {
      setError({ code: 'BAD_USER_INPUT', message: 'Enter your signing secret, or choose to have one generated.' });
      return;
    }
    const secret = source === 'own' ? ownSecret : null;
    setOwnSecret('');
    setPending(true);
    setError(null);
    setGenerated(null);
    const result = await callConsoleApi(setAlertWebhookMutation, { input: { tenantId, url: url.trim(), secret } });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setUrl(result.data.setAlertWebhook.webhook.url);
    setGenerated(result.data.setAlertWebhook.generatedSecret);
    router.refresh();
  }

  const submitLabel = source === 'own' ? 'Save webhook' : webhook ? 'Save and rotate signing secret' : 'Save and generate signing secret';

  return (
    <section className="card" aria-label="Alert webhook">
      <div className="cardHeader">
        <h2>Alert webhook</h2>
      </div>
      <div className="stack" style={{ gap: 10 }}>
        <p className="muted" data-testid="webhook-help">
          Alerts (a privacy budget crossing one of its thresholds, a day token quota passing its soft limit) are POSTed here as
          JSON, at least once: deduplicate by the{' '}
          <code>x-switchyard-event-id</code> header, and check <code>x-switchyard-signature</code> (<code>t=…,v1=…</code>: HMAC-SHA256 of{' '}
          <code>t.body</code> with the signing secret) before trusting one.
        </p>
        {webhook ? (
          <dl className={styles.webhookMeta} data-testid="webhook-meta">
            <dt>URL</dt>
            <dd data-testid="webhook-url">{webhook.url}</dd>
            <dt>Signing secret</dt>
            <dd className={styles.masked} data-testid="webhook-secret-masked">
              {maskedSecret(webhook.secretLast4)}
            </dd>
            <dt>Set</dt>
            <dd className="muted">{formatTimestamp(webhook.createdAt)}</dd>
            <dt>Changed</dt>
            <dd className="muted" data-testid="webhook-updated" data-updated-at={webhook.updatedAt}>
              {formatTimestamp(webhook.updatedAt)}
            </dd>
          </dl>
        ) : (
          <p className="muted" data-testid="webhook-empty">
            No alert webhook: this tenant’s alerts are not sent anywhere.
          </p>
        )}
        {webhook && canManage ? <TestAlertButton tenantId={tenantId} /> : null}
        {generated ? (
          <div className={tenantStyles.secretPanel} data-testid="webhook-generated">
            <div className="warning" role="status">
              Copy the new signing secret now: <strong>you won’t see it again</strong>. Alerts are signed with it from now on; the previous secret no longer applies.
            </div>
            <div className={tenantStyles.secretRow}>
              <code className={tenantStyles.secret} data-testid="webhook-generated-secret">
                {generated}
              </code>
              <CopyButton text={generated} testId="copy-webhook-secret" />
            </div>
            <div>
              <button type="button" className="button buttonSecondary" data-testid="webhook-generated-dismiss" onClick={() => setGenerated(null)}>
                I have stored it
              </button>
            </div>
          </div>
        ) : null}
        {error ? <SecretActionError error={error} testId="webhook-error" /> : null}
        {canManage ? (
          <form className="stack" style={{ gap: 10 }} onSubmit={(event) => void save(event)} noValidate aria-label="Set the alert webhook" data-testid="webhook-form">
            <label className="label">
              URL (https; http only to localhost)
              <input
                className="input"
                name="url"
                type="url"
                value={url}
                onChange={(event) => setUrl(event.target.value)}
                placeholder="https://alerts.example.com/switchyard"
                autoComplete="off"
                spellCheck={false}
                data-testid="webhook-url-input"
              />
            </label>
            <fieldset className="stack" style={{ gap: 4, border: 0, padding: 0, margin: 0 }}>
              <legend className="label">Signing secret</legend>
              <label className={styles.choice}>
                <input type="radio" name="secretSource" value="generate" checked={source === 'generate'} onChange={() => setSource('generate')} data-testid="webhook-secret-generate" />
                {webhook ? 'Generate a new one (rotates the current secret; shown once)' : 'Generate one (shown once)'}
              </label>
              <label className={styles.choice}>
                <input type="radio" name="secretSource" value="own" checked={source === 'own'} onChange={() => setSource('own')} data-testid="webhook-secret-own" />
                Use my own
              </label>
            </fieldset>
            {source === 'own' ? (
              <label className="label">
                Your signing secret (16+ characters; write-only)
                <input
                  className="input"
                  name="secret"
                  type="password"
                  value={ownSecret}
                  onChange={(event) => setOwnSecret(event.target.value)}
                  autoComplete="new-password"
                  spellCheck={false}
                  data-testid="webhook-secret-input"
                />
              </label>
            ) : null}
            <div>
              <button className="button" type="submit" disabled={pending} data-testid="webhook-save">
                {pending ? 'Saving…' : submitLabel}
              </button>
            </div>
          </form>
        ) : null}
      </div>
    </section>
  );
}
