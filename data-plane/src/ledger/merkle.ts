import { createHash } from 'node:crypto';

/**
 * RFC 9162 §2.1 Merkle tree over raw leaf byte arrays (the Certificate Transparency v2 tree):
 *   leaf hash  = SHA-256(0x00 || leaf)
 *   node hash  = SHA-256(0x01 || left || right)
 *   split      = the largest power of two smaller than n (not the midpoint)
 *   empty tree = SHA-256("")
 * Pure functions, no I/O. Hand-written on purpose: the npm Merkle libraries either use another
 * split, skip the domain-separation prefixes, or sort pairs, none of which interoperates with CT.
 */
type Hash = Uint8Array;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

export function leafHash(leaf: Uint8Array): Hash {
  return new Uint8Array(createHash('sha256').update(LEAF_PREFIX).update(leaf).digest());
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return new Uint8Array(createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest());
}

const EMPTY_ROOT: Hash = new Uint8Array(createHash('sha256').digest());

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over hashes[start, end): the recursion of RFC 9162 §2.1.1 over index ranges (no copying). */
function subtreeRoot(hashes: readonly Hash[], start: number, end: number): Hash {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return hashes[start] as Hash;
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(hashes, start, start + k), subtreeRoot(hashes, start + k, end));
}

function assertIndex(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return rootOfLeafHashes(leaves.map(leafHash));
}

/** The root over already-hashed leaves (what a log stores). */
export function rootOfLeafHashes(hashes: readonly Uint8Array[]): Uint8Array {
  return subtreeRoot(hashes, 0, hashes.length);
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1: sibling hashes from the leaf up to the root. */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  return inclusionProofOfLeafHashes(leaves.map(leafHash), index);
}

export function inclusionProofOfLeafHashes(hashes: readonly Uint8Array[], index: number): Uint8Array[] {
  assertIndex('index', index, 0, hashes.length - 1);
  const path: Hash[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(subtreeRoot(hashes, start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(subtreeRoot(hashes, start, start + k));
    }
  };
  walk(index, 0, hashes.length);
  return path;
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1. Empty for oldSize 0 or oldSize = n. */
export function consistencyProof(leaves: readonly Uint8Array[], oldSize: number): Uint8Array[] {
  return consistencyProofOfLeafHashes(leaves.map(leafHash), oldSize);
}

export function consistencyProofOfLeafHashes(hashes: readonly Uint8Array[], oldSize: number): Uint8Array[] {
  assertIndex('oldSize', oldSize, 0, hashes.length);
  if (oldSize === 0 || oldSize === hashes.length) return [];
  const proof: Hash[] = [];
  const walk = (m: number, start: number, end: number, completeSubtree: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!completeSubtree) proof.push(subtreeRoot(hashes, start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      walk(m, start, start + k, completeSubtree);
      proof.push(subtreeRoot(hashes, start + k, end));
    } else {
      walk(m - k, start + k, end, false);
      proof.push(subtreeRoot(hashes, start, start + k));
    }
  };
  walk(oldSize, 0, hashes.length, true);
  return proof;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
}

function isCountOk(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** RFC 9162 §2.1.3.2. False (never a throw) for any malformed input. */
export function verifyInclusion(leafHashValue: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isCountOk(index) || !isCountOk(treeSize) || index >= treeSize) return false;
  // Sizes beyond 2^53 cannot occur here; BigInt keeps the bit arithmetic exact beyond 2^31.
  let fn = BigInt(index);
  let sn = BigInt(treeSize - 1);
  let r = leafHashValue;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, root);
}

/** RFC 9162 §2.1.4.2. False (never a throw) for any malformed input. */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isCountOk(oldSize) || !isCountOk(newSize) || oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && equalBytes(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0 && equalBytes(oldRoot, EMPTY_ROOT);
  if (proof.length === 0) return false;
  const isPowerOfTwo = (BigInt(oldSize) & (BigInt(oldSize) - 1n)) === 0n;
  const path = isPowerOfTwo ? [oldRoot, ...proof] : [...proof];
  let fn = BigInt(oldSize - 1);
  let sn = BigInt(newSize - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Hash;
  let sr = path[0] as Hash;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(fr, oldRoot) && equalBytes(sr, newRoot);
}
