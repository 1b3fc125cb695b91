'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { CopyButton } from '../../../components/copy-button';
import { callConsoleApi } from '../../../lib/browser-api';
import { createApiKeyMutation } from '../../../lib/operations';
import { API_KEY_SCOPE_CHOICES, DEFAULT_API_KEY_SCOPE_SELECTION, scopeSelection } from '../../../lib/api-key-scopes';
import { apiKeyNameSchema, firstProblem } from '../../../lib/tenant-input';
import styles from './tenant.module.css';

export function CreateKeyForm({ tenantId }: { tenantId: string }) {
  const router = useRouter();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ReadonlySet<string>>(() => new Set(DEFAULT_API_KEY_SCOPE_SELECTION));
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // Held only in this component's memory: the API returns the secret once and so do we.
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsedName = firstProblem(apiKeyNameSchema.safeParse(name));
    if (!parsedName.ok) {
      setError(parsedName.message);
      return;
    }
    const chosenScopes = scopeSelection(scopes);
    if (!chosenScopes.ok) {
      setError(chosenScopes.message);
      return;
    }
    setPending(true);
    setError(null);
    setCreated(null);
    const result = await callConsoleApi(createApiKeyMutation, { input: { tenantId, name: parsedName.value, scopes: chosenScopes.value } });
    setPending(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    setName('');
    setCreated({ name: result.data.createApiKey.apiKey.name, secret: result.data.createApiKey.secret });
    router.refresh();
  }

  return (
    <div>
      <form className="stack" style={{ gap: 10 }} onSubmit={(event) => void submit(event)} noValidate>
        <label className="label">
          Name
          <input
            className="input"
            name="name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="backend-prod"
            autoComplete="off"
            data-testid="create-key-name"
          />
        </label>
        <fieldset className="stack" style={{ gap: 4, border: 0, padding: 0, margin: 0 }}>
          <legend className="label">Scopes</legend>
          {API_KEY_SCOPE_CHOICES.map((choice) => (
            <label key={choice.scope} title={choice.hint} style={{ display: 'flex', gap: 6, alignItems: 'center', fontSize: 13 }}>
              <input
                type="checkbox"
                name="scopes"
                value={choice.scope}
                checked={scopes.has(choice.scope)}
                onChange={(event) => {
                  const next = new Set(scopes);
                  if (event.target.checked) next.add(choice.scope);
                  else next.delete(choice.scope);
                  setScopes(next);
                }}
                data-testid={`create-key-scope-${choice.scope}`}
              />
              {choice.label}
            </label>
          ))}
        </fieldset>
        <div>
          <button className="button" type="submit" disabled={pending} data-testid="create-key-submit">
            {pending ? 'Creating…' : 'Create key'}
          </button>
        </div>
        {error ? (
          <div className="alert" role="alert" data-testid="form-error">
            {error}
          </div>
        ) : null}
      </form>
      {created ? (
        <div className={styles.secretPanel} data-testid="api-key-created">
          <div className="warning" role="status">
            Copy the secret for <strong>{created.name}</strong> now. It will not be shown again.
          </div>
          <div className={styles.secretRow}>
            <code className={styles.secret} data-testid="api-key-secret">
              {created.secret}
            </code>
            <CopyButton text={created.secret} testId="copy-secret" />
          </div>
          <div>
            <button type="button" className="button buttonSecondary" onClick={() => setCreated(null)}>
              I have stored it
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
