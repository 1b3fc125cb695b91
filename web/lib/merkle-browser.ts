import { bytesToHex, verifyInclusionAsync } from '@switchyard/ledger';
import { webCryptoSha256 } from '@switchyard/ledger/web-crypto';

/**
 * RFC 9162 §2.1.3.2 inclusion-proof verification, in the browser: the ledger's own algorithm
 * (`verifyInclusionAsync` of `@switchyard/ledger`, the code the audit service proves with) over
 * WebCrypto's SHA-256, so the reader's own machine recomputes the root instead of trusting the
 * server. This module only turns the API's hex into bytes. `crypto.subtle.digest` is
 * asynchronous, hence the Promise.
 */

const HASH_BYTES = 32;

/** Lower-case or upper-case hex of exactly `HASH_BYTES` bytes; null for anything else. */
export function parseHashHex(text: string): Uint8Array | null {
  if (text.length !== HASH_BYTES * 2 || !/^[0-9a-fA-F]+$/.test(text)) return null;
  const bytes = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i += 1) bytes[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/**
 * True when `pathHex` proves that the leaf with hash `leafHashHex` sits at `index` of the tree of
 * `treeSize` leaves whose root is `rootHex`. False (never a throw) for malformed input: bad hex,
 * a wrong hash length, an index outside the tree, or a path that is too short or too long.
 */
export async function verifyInclusionInBrowser(
  leafHashHex: string,
  index: number,
  treeSize: number,
  pathHex: readonly string[],
  rootHex: string,
): Promise<boolean> {
  const leaf = parseHashHex(leafHashHex);
  const root = parseHashHex(rootHex);
  if (!leaf || !root) return false;
  const path: Uint8Array[] = [];
  for (const node of pathHex) {
    const parsed = parseHashHex(node);
    if (!parsed) return false;
    path.push(parsed);
  }
  return verifyInclusionAsync(webCryptoSha256, leaf, index, treeSize, path, root);
}
