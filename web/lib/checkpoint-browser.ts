import { checkpointMessage } from '@switchyard/ledger';

/**
 * Ed25519 verification of a signed tree head (audit checkpoint), in the browser, with WebCrypto.
 * The signed bytes are `checkpointMessage` of `@switchyard/ledger`, the same function the audit
 * service signs (checkpoint-browser.test.ts signs with the service's code and verifies with this).
 */

const ED25519 = { name: 'Ed25519' } as const;
const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;

export interface SignedCheckpoint {
  logId: string;
  treeSize: number;
  rootHash: string;
  issuedAt: string;
  /** Standard base64 of the 64-byte signature. */
  signature: string;
  /** Raw 32-byte Ed25519 public key, base64url. */
  publicKey: string;
}

/** Base64 or base64url (padding optional) to bytes; null when it is not that. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  const standard = text.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard) || standard.replace(/=+$/, '').length % 4 === 1) return null;
  const padded = standard.replace(/=+$/, '').padEnd(Math.ceil(standard.replace(/=+$/, '').length / 4) * 4, '=');
  try {
    return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * True when `signature` is a valid Ed25519 signature by `publicKey` over the checkpoint's message.
 * Malformed keys or signatures are false, never an exception: the caller shows "signature invalid".
 */
export async function verifyCheckpointSignatureInBrowser(checkpoint: SignedCheckpoint): Promise<boolean> {
  const rawKey = decodeBase64(checkpoint.publicKey);
  const signature = decodeBase64(checkpoint.signature);
  if (rawKey?.length !== PUBLIC_KEY_BYTES || signature?.length !== SIGNATURE_BYTES) return false;
  try {
    const key = await crypto.subtle.importKey('raw', rawKey, ED25519, false, ['verify']);
    return await crypto.subtle.verify(ED25519, key, signature, checkpointMessage(checkpoint));
  } catch {
    return false;
  }
}
