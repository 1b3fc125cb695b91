import { createHmac } from 'node:crypto';

/**
 * The pseudonymous index of a data subject: HMAC-SHA-256 under a secret key, so the log never
 * holds the raw id and nobody without the key can test a guess against it.
 */
export function subjectKeyOf(hmacKey: Uint8Array, subjectId: string): string {
  return createHmac('sha256', hmacKey).update(subjectId, 'utf8').digest('hex');
}

/** Payloads of entries without a subject share one data key per tenant (or the platform). */
export function sharedPayloadKeyId(tenantId: string | null): string {
  return tenantId === null ? 'shared:platform' : `shared:${tenantId}`;
}

export function subjectPayloadKeyId(subjectKey: string): string {
  return `subject:${subjectKey}`;
}
