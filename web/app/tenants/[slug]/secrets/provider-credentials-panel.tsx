'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import type { ConsoleError, Outcome } from '../../../../lib/console-error';
import { formatTimestamp } from '../../../../lib/display';
import { deleteProviderCredentialMutation, setProviderCredentialMutation, type ProviderCredential } from '../../../../lib/secret-operations';
import { maskedSecret } from '../../../../lib/tenant-secrets';
import { SecretActionError } from './secret-action-error';
import styles from './secrets.module.css';

/**
 * The tenant's provider keys: metadata only (the API never returns a secret). Setting is an
 * upsert, so "replace" is the same form with the provider filled in. The secret lives in this
 * form's state only until it is sent, and is cleared whatever the answer.
 */
export function ProviderCredentialsPanel({ tenantId, credentials, canManage }: { tenantId: string; credentials: ProviderCredential[]; canManage: boolean }) {
  const router = useRouter();
  const secretInput = useRef<HTMLInputElement>(null);
  const [provider, setProvider] = useState('');
  const [secret, setSecret] = useState('');
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<ConsoleError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function run<T>(action: () => Promise<Outcome<T>>): Promise<T | null> {
    setPending(true);
    setError(null);
    setSaved(null);
    const result = await action();
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return null;
    }
    router.refresh();
    return result.data;
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = provider.trim();
    if (name === '' || secret === '') {
      setError({ code: 'BAD_USER_INPUT', message: 'Enter the provider’s name (as configured in the data plane, e.g. openai) and its API key.' });
      return;
    }
    const sent = secret;
    setSecret('');
    const data = await run(() => callConsoleApi(setProviderCredentialMutation, { input: { tenantId, provider: name, secret: sent } }));
    if (data) {
      setProvider('');
      setSaved(`Saved the ${data.setProviderCredential.provider} key (${maskedSecret(data.setProviderCredential.last4)}).`);
    }
  }

  async function remove(name: string) {
    setConfirming(null);
    const data = await run(() => callConsoleApi(deleteProviderCredentialMutation, { input: { tenantId, provider: name } }));
    if (data) setSaved(data.deleteProviderCredential.deleted ? `Deleted the ${name} key; the platform’s own key applies again.` : `There was no ${name} key to delete.`);
  }

  return (
    <section className="card" aria-label="Provider credentials">
      <div className="cardHeader">
        <h2>Provider credentials</h2>
        <span className="muted">{credentials.length}</span>
      </div>
      <div className="stack" style={{ gap: 10 }}>
        {error ? <SecretActionError error={error} testId="credentials-error" /> : null}
        {saved ? (
          <div className="muted" role="status" data-testid="credentials-status">
            {saved}
          </div>
        ) : null}
        {credentials.length === 0 ? (
          <p className="muted" data-testid="credentials-empty">
            No provider keys of this tenant: its requests use the platform’s provider keys.
          </p>
        ) : (
          <div className="tableWrap">
            <table className="table" data-testid="credentials-table">
              <thead>
                <tr>
                  <th>Provider</th>
                  <th>Key</th>
                  <th>Set</th>
                  <th>Rotated</th>
                  {canManage ? (
                    <th>
                      <span className="visuallyHidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {credentials.map((credential) => (
                  <tr key={credential.id} data-testid="credential-row">
                    <td data-testid="credential-provider">{credential.provider}</td>
                    <td className={styles.masked} data-testid="credential-masked">
                      {maskedSecret(credential.last4)}
                    </td>
                    <td className="muted" data-testid="credential-created">
                      {formatTimestamp(credential.createdAt)}
                    </td>
                    <td className="muted" data-testid="credential-rotated" data-rotated-at={credential.rotatedAt ?? ''}>
                      {credential.rotatedAt ? formatTimestamp(credential.rotatedAt) : 'never'}
                    </td>
                    {canManage ? (
                      <td>
                        {confirming === credential.provider ? (
                          <span className={styles.confirm}>
                            <span>Delete the {credential.provider} key?</span>
                            <button type="button" className="button buttonDanger" disabled={pending} data-testid="credential-delete-confirm" onClick={() => void remove(credential.provider)}>
                              Delete
                            </button>
                            <button type="button" className="button buttonSecondary" disabled={pending} data-testid="credential-delete-cancel" onClick={() => setConfirming(null)}>
                              Keep
                            </button>
                          </span>
                        ) : (
                          <span className={styles.confirm}>
                            <button
                              type="button"
                              className="button buttonSecondary"
                              disabled={pending}
                              data-testid="credential-replace"
                              onClick={() => {
                                setProvider(credential.provider);
                                setSecret('');
                                setError(null);
                                secretInput.current?.focus();
                              }}
                            >
                              Replace
                            </button>
                            <button type="button" className="button buttonDanger" disabled={pending} data-testid="credential-delete" onClick={() => setConfirming(credential.provider)}>
                              Delete…
                            </button>
                          </span>
                        )}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {canManage ? (
          <form className="stack" style={{ gap: 10 }} onSubmit={(event) => void save(event)} noValidate aria-label="Set a provider key" data-testid="credential-form">
            <h3 className={styles.formTitle}>Set or replace a provider key</h3>
            <label className="label">
              Provider (as configured in the data plane)
              <input
                className="input"
                name="provider"
                value={provider}
                onChange={(event) => setProvider(event.target.value)}
                placeholder="openai"
                autoComplete="off"
                spellCheck={false}
                data-testid="credential-provider-input"
              />
            </label>
            <label className="label">
              API key (write-only: never shown again)
              <input
                ref={secretInput}
                className="input"
                name="secret"
                type="password"
                value={secret}
                onChange={(event) => setSecret(event.target.value)}
                autoComplete="new-password"
                spellCheck={false}
                data-testid="credential-secret-input"
              />
            </label>
            <div>
              <button className="button" type="submit" disabled={pending} data-testid="credential-save">
                {pending ? 'Saving…' : 'Save key'}
              </button>
            </div>
          </form>
        ) : null}
      </div>
    </section>
  );
}
