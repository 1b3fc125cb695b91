import { hkdfSync } from 'node:crypto';
import { auditEntryMacMessage, type AuditEntryFields } from '@switchyard/ledger';
import { nodeEntryMac } from '@switchyard/ledger/node';

/**
 * The entry-MAC key, derived (HKDF-SHA-256) from the subject HMAC key, so the keys document stays
 * as it is and the key never reaches the database. The subject key cannot rotate without breaking
 * subject lookups either, so deriving from it adds no rotation constraint.
 */
export function entryMacKeyOf(subjectHmacKey: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', subjectHmacKey, new Uint8Array(0), 'switchyard-audit-entry-mac/v1', 32));
}

/** The MAC function verify and the appender share. */
export function entryMacFunction(subjectHmacKey: Uint8Array): (message: Uint8Array) => string {
  return nodeEntryMac(entryMacKeyOf(subjectHmacKey));
}

/** The MAC an appender stores with a new entry; null for leaf v1. */
export function entryMacOf(mac: (message: Uint8Array) => string, fields: Omit<AuditEntryFields, 'seq'>): string | null {
  const message = auditEntryMacMessage(fields);
  return message === null ? null : mac(message);
}
