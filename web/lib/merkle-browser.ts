/**
 * RFC 9162 §2.1.3.2 inclusion-proof verification, in the browser, with WebCrypto.
 *
 * A port of `verifyInclusion` in `@switchyard/data-plane/ledger` (data-plane/src/ledger/merkle.ts),
 * not an import of it: that module hashes with `node:crypto`, which does not exist in a browser
 * bundle, and the point of this check is that the reader's own machine recomputes the root instead
 * of trusting the server. `crypto.subtle.digest` is asynchronous, hence the Promise.
 * merkle-browser.test.ts checks this port against the server's implementation on random trees.
 */

const HASH_BYTES = 32;
const NODE_PREFIX = 0x01;

/** Lower-case or upper-case hex of exactly `HASH_BYTES` bytes; null for anything else. */
export function parseHashHex(text: string): Uint8Array | null {
  if (text.length !== HASH_BYTES * 2 || !/^[0-9a-fA-F]+$/.test(text)) return null;
  const bytes = new Uint8Array(HASH_BYTES);
  for (let i = 0; i < HASH_BYTES; i += 1) bytes[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/** SHA-256(0x01 || left || right): an interior node of the tree. */
async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
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
  if (!isCount(index) || !isCount(treeSize) || index >= treeSize) return false;
  const leaf = parseHashHex(leafHashHex);
  const root = parseHashHex(rootHex);
  if (!leaf || !root) return false;
  const path: Uint8Array[] = [];
  for (const node of pathHex) {
    const parsed = parseHashHex(node);
    if (!parsed) return false;
    path.push(parsed);
  }
  // BigInt keeps the bit arithmetic exact beyond 2^31 (JS bitwise operators are 32-bit).
  let fn = BigInt(index);
  let sn = BigInt(treeSize - 1);
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, root);
}
