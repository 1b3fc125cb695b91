import type { ApiKey } from './operations';

/**
 * Timestamps are rendered in UTC (`2026-11-26 03:43`; headers say so) on the server and the client alike, so hydration never
 * disagrees and operators in different zones read the same value.
 */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '—';
  return new Date(time).toISOString().slice(0, 16).replace('T', ' ');
}

export type ApiKeyStatus = 'active' | 'revoked' | 'expired';

export function apiKeyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: number): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}
