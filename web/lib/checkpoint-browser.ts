/**
 * Ed25519 verification of a signed tree head (audit checkpoint), in the browser, with WebCrypto.
 *
 * The signed bytes are `checkpointMessage` of `@switchyard/data-plane/ledger`
 * (data-plane/src/ledger/audit/checkpoint.ts), rebuilt here rather than imported: that module uses
 * `node:crypto`, which a browser bundle does not have. checkpoint-browser.test.ts signs with the
 * server's code and verifies with this one, so the two encodings cannot drift apart silently.
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

/** The exact text `checkpointMessage` signs, as UTF-8 bytes. */
export function checkpointMessageBytes(checkpoint: Omit<SignedCheckpoint, 'signature' | 'publicKey'>): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`switchyard-audit-checkpoint/v1\n${checkpoint.logId}\n${checkpoint.treeSize}\n${checkpoint.rootHash}\n${checkpoint.issuedAt}\n`);
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
    return await crypto.subtle.verify(ED25519, key, signature, checkpointMessageBytes(checkpoint));
  } catch {
    return false;
  }
}
