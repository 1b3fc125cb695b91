'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { callConsoleApi } from '../../../lib/browser-api';
import { formatTimestamp, type ApiKeyStatus } from '../../../lib/display';
import { revokeApiKeyMutation, type ApiKey } from '../../../lib/operations';
import styles from './tenant.module.css';

export type ApiKeyRow = ApiKey & { status: ApiKeyStatus };

const STATUS_BADGE: Record<ApiKeyStatus, string> = {
  active: 'badge badgeSuccess',
  revoked: 'badge badgeDanger',
  expired: 'badge badgeWarning',
};

export function ApiKeyTable({ keys }: { keys: ApiKeyRow[] }) {
  const router = useRouter();
  const [revoking, setRevoking] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<ApiKeyRow | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function revoke(key: ApiKeyRow) {
    setRevoking(key.id);
    setError(null);
    const result = await callConsoleApi(revokeApiKeyMutation, { id: key.id });
    setRevoking(null);
    setConfirming(null);
    if (!result.ok) {
      setError(`Could not revoke “${key.name}”: ${result.error.message}`);
      return;
    }
    router.refresh();
  }

  return (
    <>
      <div className="tableWrap">
        <table className="table tableStickyFirst">
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th>Scopes</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Status</th>
              <th className={styles.actionsCell}>
                <span className="visuallyHidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} data-testid="api-key-row" data-key-id={key.id}>
                <td data-testid="api-key-name">{key.name}</td>
                <td>
                  <code data-testid="api-key-prefix">{key.prefix}…</code>
                </td>
                <td className="muted" data-testid="api-key-scopes">
                  {key.scopes.join(', ')}
                </td>
                <td className="muted">{formatTimestamp(key.createdAt)}</td>
                <td className="muted" data-testid="api-key-last-used">
                  {key.lastUsedAt ? formatTimestamp(key.lastUsedAt) : 'never'}
                </td>
                <td>
                  <span className={STATUS_BADGE[key.status]} data-testid="api-key-status">
                    {key.status}
                  </span>
                </td>
                <td className={styles.actionsCell}>
                  {key.status === 'active' ? (
                    <button
                      type="button"
                      className="button buttonDanger"
                      disabled={revoking !== null}
                      onClick={() => setConfirming(key)}
                      data-testid="revoke-key"
                      aria-label={`Revoke ${key.name}`}
                    >
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
            {keys.length === 0 ? (
              <tr>
                <td colSpan={7} className="empty">
                  No API keys yet. Create one to call the gateway.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={confirming !== null}
        title={`Revoke “${confirming?.name ?? ''}”?`}
        confirmLabel={revoking ? 'Revoking…' : 'Revoke key'}
        pending={revoking !== null}
        onCancel={() => setConfirming(null)}
        onConfirm={() => {
          if (confirming) void revoke(confirming);
        }}
      >
        Requests with the key <code>{confirming?.prefix}…</code> are refused within seconds on every replica. This cannot be undone: clients need a new key.
      </ConfirmDialog>
      {error ? (
        <div className="alert" role="alert" data-testid="revoke-error">
          {error}
        </div>
      ) : null}
    </>
  );
}
