import type { ApiKey } from './operations';

/**
 * The one way the console shows a point in time: `2026-11-26 03:43:12 UTC`, on the server and the
 * client alike, so hydration never disagrees and operators in different zones read the same value.
 * (Locale formats differ between the server's and the browser's runtime; ISO-like UTC does not.)
 */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '—';
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * A chart axis tick for a value {@link formatTimestamp} produced: the same format cut short
 * (`2026-11-26 03:43` over days, `03:43` within one), so axes and tooltips read alike.
 */
export function formatAxisTime(formatted: string, withDate: boolean): string {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(formatted)) return formatted;
  return withDate ? formatted.slice(0, 16) : formatted.slice(11, 16);
}

export type ApiKeyStatus = 'active' | 'revoked' | 'expired';

export function apiKeyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: number): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}
