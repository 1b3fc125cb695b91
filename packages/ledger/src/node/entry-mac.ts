import { createHmac } from 'node:crypto';

/** HMAC-SHA-256 (hex) under `key`: the entry MAC of verifyAuditLog's `entryMac` option and of appenders. */
export function nodeEntryMac(key: Uint8Array): (message: Uint8Array) => string {
  return (message) => createHmac('sha256', key).update(message).digest('hex');
}
