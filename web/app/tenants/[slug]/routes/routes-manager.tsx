'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { formatTimestamp } from '../../../../lib/display';
import { createRouteMutation, deleteRouteMutation, updateRouteMutation, type TenantRoute } from '../../../../lib/route-operations';
import styles from './routes.module.css';

const EXAMPLE_DEFINITION = JSON.stringify({ candidates: [{ model: 'mock-mini' }, { model: 'mock-gpt' }], strategy: { kind: 'priority' }, fallbacks: [] }, null, 2);

/** The stored definition, pretty-printed for editing. */
function editable(route: TenantRoute): string {
  try {
    return JSON.stringify(JSON.parse(route.definition), null, 2);
  } catch {
    return route.definition;
  }
}

/**
 * List, create, edit and delete a tenant's routes. The definition is JSON validated by the API
 * with the data plane's own schema; its errors name the field and show inline. Edits carry the
 * version they started from, so a concurrent change is reported instead of overwritten.
 */
export function RoutesManager({ tenantId, routes }: { tenantId: string; routes: TenantRoute[] }) {
  const router = useRouter();
  const [editing, setEditing] = useState<TenantRoute | null>(null);
  const [name, setName] = useState('');
  const [definition, setDefinition] = useState(EXAMPLE_DEFINITION);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  function reset() {
    setEditing(null);
    setName('');
    setDefinition(EXAMPLE_DEFINITION);
  }

  async function run(action: () => Promise<{ ok: true } | { ok: false; error: { code: string; message: string } }>): Promise<boolean> {
    setPending(true);
    setError(null);
    const result = await action();
    setPending(false);
    if (!result.ok) {
      setError(result.error.code === 'VERSION_CONFLICT' ? `${result.error.message} (reload the page to see the current version)` : result.error.message);
      return false;
    }
    router.refresh();
    return true;
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (name.trim() === '') {
      setError('Name the route (clients send this name as model).');
      return;
    }
    const saved = editing
      ? await run(() => callConsoleApi(updateRouteMutation, { input: { tenantId, name: editing.name, expectedVersion: editing.version, definition } }))
      : await run(() => callConsoleApi(createRouteMutation, { input: { tenantId, name: name.trim(), definition } }));
    if (saved) reset();
  }

  return (
    <div className="stack">
      {error ? (
        <div className="alert" role="alert" data-testid="routes-error">
          {error}
        </div>
      ) : null}
      <section className="card" aria-label="Routes">
        <div className="cardHeader">
          <h2>Routes</h2>
          <span className="muted">{routes.length}</span>
        </div>
        {routes.length === 0 ? (
          <p className="muted" data-testid="routes-empty">
            No routes of this tenant yet: it uses the platform’s routes.
          </p>
        ) : (
          <div className="tableWrap">
            <table className="table" data-testid="routes-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Strategy</th>
                  <th>Candidates</th>
                  <th>Fallbacks</th>
                  <th>Version</th>
                  <th>Updated</th>
                  <th>
                    <span className="visuallyHidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {routes.map((route) => (
                  <tr key={route.id} data-testid="route-row">
                    <td data-testid="route-name">{route.name}</td>
                    <td data-testid="route-strategy">{route.strategy}</td>
                    <td data-testid="route-candidates">{route.candidates.map((c) => (c.provider ? `${c.provider}/${c.model}` : c.model)).join(', ')}</td>
                    <td className="muted">{route.fallbacks.join(', ') || '—'}</td>
                    <td data-testid="route-version">{route.version}</td>
                    <td className="muted">
                      {formatTimestamp(route.updatedAt)} by {route.updatedBy}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="button buttonSecondary"
                        disabled={pending}
                        data-testid="route-edit"
                        onClick={() => {
                          setEditing(route);
                          setName(route.name);
                          setDefinition(editable(route));
                          setError(null);
                        }}
                      >
                        Edit
                      </button>{' '}
                      <button
                        type="button"
                        className="button buttonDanger"
                        disabled={pending}
                        data-testid="route-delete"
                        onClick={() => void run(() => callConsoleApi(deleteRouteMutation, { input: { tenantId, name: route.name, expectedVersion: route.version } }))}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-label={editing ? `Edit route ${editing.name}` : 'Create a route'}>
        <div className="cardHeader">
          <h2>{editing ? `Edit ${editing.name} (version ${editing.version})` : 'Create a route'}</h2>
        </div>
        <form className="stack" style={{ gap: 10 }} onSubmit={(event) => void save(event)} noValidate>
          <label className="label">
            Name
            <input
              className="input"
              name="name"
              value={name}
              disabled={editing !== null}
              onChange={(event) => setName(event.target.value)}
              autoComplete="off"
              data-testid="route-name-input"
            />
          </label>
          <label className="label">
            Definition (JSON: candidates, strategy, constraints, fallbacks, speculative, retries)
            <textarea
              className={`input ${styles.definition}`}
              name="definition"
              rows={12}
              spellCheck={false}
              value={definition}
              onChange={(event) => setDefinition(event.target.value)}
              data-testid="route-definition-input"
            />
          </label>
          <div>
            <button type="submit" className="button" disabled={pending} data-testid="route-save">
              {editing ? 'Save changes' : 'Create route'}
            </button>{' '}
            {editing ? (
              <button type="button" className="button buttonSecondary" disabled={pending} onClick={reset} data-testid="route-cancel">
                Cancel
              </button>
            ) : null}
          </div>
        </form>
      </section>
    </div>
  );
}
