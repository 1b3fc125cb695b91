import { createHash } from 'node:crypto';

/**
 * The `optimizer_feedback` row id of the observation at `position` in a routing.observed batch:
 * derived from the batch id (and the tenant, so one tenant's row can never pre-empt another's
 * under the table-wide primary key), so a redelivered batch yields the same ids and `skipDuplicates`
 * stores it once. Hand-written (a name-based UUID, RFC 9562 version 8 over SHA-256) because the
 * key must fit the table's uuid primary key without a migration or a new dependency.
 */
export function feedbackRowId(batchId: string, tenantId: string, position: number): string {
  const hex = createHash('sha256').update(`routing.observed:${batchId}:${tenantId}:${position}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
