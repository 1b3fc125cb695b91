import { equalBytes, type AsyncHasher, type Hasher } from './hasher';

/**
 * RFC 9162 §2.1 Merkle tree over raw leaf byte arrays (the Certificate Transparency v2 tree):
 *   leaf hash  = SHA-256(0x00 || leaf)
 *   node hash  = SHA-256(0x01 || left || right)
 *   split      = the largest power of two smaller than n (not the midpoint)
 *   empty tree = SHA-256("")
 * Pure functions over an injected SHA-256, no I/O. Hand-written on purpose: the npm Merkle
 * libraries either use another split, skip the domain-separation prefixes, or sort pairs, none of
 * which interoperates with CT.
 */
type Hash = Uint8Array;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function assertIndex(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function isCountOk(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** Which side of the running hash a proof hash goes: `left` is H(p ‖ r), `right` is H(r ‖ p). */
export type ProofSide = 'left' | 'right';

/**
 * The fold of RFC 9162 §2.1.3.2 without the hashing: for each hash of an inclusion path, its side.
 * The sides follow from the index and the tree size alone, never from hash values, so a
 * synchronous and an asynchronous hasher fold the same plan. Null when no path of `proofLength`
 * hashes can prove `index` in a tree of `treeSize` leaves (malformed input, never a throw).
 */
export function inclusionProofSides(index: number, treeSize: number, proofLength: number): ProofSide[] | null {
  if (!isCountOk(index) || !isCountOk(treeSize) || index >= treeSize) return null;
  // Sizes beyond 2^53 cannot occur here; BigInt keeps the bit arithmetic exact beyond 2^31.
  let fn = BigInt(index);
  let sn = BigInt(treeSize - 1);
  const sides: ProofSide[] = [];
  for (let i = 0; i < proofLength; i += 1) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      sides.push('left');
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sides.push('right');
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? sides : null;
}

/** The tree's functions over one SHA-256 implementation. */
export interface Merkle {
  leafHash(leaf: Uint8Array): Uint8Array;
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array;
  merkleRoot(leaves: readonly Uint8Array[]): Uint8Array;
  /** The root over already-hashed leaves (what a log stores). */
  rootOfLeafHashes(hashes: readonly Uint8Array[]): Uint8Array;
  /** PATH(m, D[n]) of RFC 9162 §2.1.3.1: sibling hashes from the leaf up to the root. */
  inclusionProof(leaves: readonly Uint8Array[], index: number): Uint8Array[];
  inclusionProofOfLeafHashes(hashes: readonly Uint8Array[], index: number): Uint8Array[];
  /** PROOF(m, D[n]) of RFC 9162 §2.1.4.1. Empty for oldSize 0 or oldSize = n. */
  consistencyProof(leaves: readonly Uint8Array[], oldSize: number): Uint8Array[];
  consistencyProofOfLeafHashes(hashes: readonly Uint8Array[], oldSize: number): Uint8Array[];
  /** RFC 9162 §2.1.3.2. False (never a throw) for any malformed input. */
  verifyInclusion(leafHashValue: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): boolean;
  /** RFC 9162 §2.1.4.2. False (never a throw) for any malformed input. */
  verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean;
}

export function createMerkle(hasher: Hasher): Merkle {
  const leafHash = (leaf: Uint8Array): Hash => hasher.sha256(LEAF_PREFIX, leaf);
  const nodeHash = (left: Hash, right: Hash): Hash => hasher.sha256(NODE_PREFIX, left, right);
  const emptyRoot: Hash = hasher.sha256();

  /** MTH over hashes[start, end): the recursion of RFC 9162 §2.1.1 over index ranges (no copying). */
  const subtreeRoot = (hashes: readonly Hash[], start: number, end: number): Hash => {
    const n = end - start;
    if (n === 0) return emptyRoot;
    if (n === 1) return hashes[start] as Hash;
    const k = splitPoint(n);
    return nodeHash(subtreeRoot(hashes, start, start + k), subtreeRoot(hashes, start + k, end));
  };

  const rootOfLeafHashes = (hashes: readonly Uint8Array[]): Uint8Array => subtreeRoot(hashes, 0, hashes.length);

  const inclusionProofOfLeafHashes = (hashes: readonly Uint8Array[], index: number): Uint8Array[] => {
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
  };

  const consistencyProofOfLeafHashes = (hashes: readonly Uint8Array[], oldSize: number): Uint8Array[] => {
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
  };

  const verifyInclusion = (leafHashValue: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): boolean => {
    const sides = inclusionProofSides(index, treeSize, proof.length);
    if (!sides) return false;
    let r = leafHashValue;
    sides.forEach((side, i) => {
      const p = proof[i] as Hash;
      r = side === 'left' ? nodeHash(p, r) : nodeHash(r, p);
    });
    return equalBytes(r, root);
  };

  const verifyConsistency = (oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean => {
    if (!isCountOk(oldSize) || !isCountOk(newSize) || oldSize > newSize) return false;
    if (oldSize === newSize) return proof.length === 0 && equalBytes(oldRoot, newRoot);
    if (oldSize === 0) return proof.length === 0 && equalBytes(oldRoot, emptyRoot);
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
  };

  return {
    leafHash,
    nodeHash,
    merkleRoot: (leaves) => rootOfLeafHashes(leaves.map(leafHash)),
    rootOfLeafHashes,
    inclusionProof: (leaves, index) => inclusionProofOfLeafHashes(leaves.map(leafHash), index),
    inclusionProofOfLeafHashes,
    consistencyProof: (leaves, oldSize) => consistencyProofOfLeafHashes(leaves.map(leafHash), oldSize),
    consistencyProofOfLeafHashes,
    verifyInclusion,
    verifyConsistency,
  };
}

/**
 * verifyInclusion with an asynchronous SHA-256 (WebCrypto in a browser): the same sides, folded
 * with `await`. False (never a throw) for any malformed input.
 */
export async function verifyInclusionAsync(
  hasher: AsyncHasher,
  leafHashValue: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  const sides = inclusionProofSides(index, treeSize, proof.length);
  if (!sides) return false;
  let r = leafHashValue;
  for (const [i, side] of sides.entries()) {
    const p = proof[i] as Hash;
    r = side === 'left' ? await hasher.sha256(NODE_PREFIX, p, r) : await hasher.sha256(NODE_PREFIX, r, p);
  }
  return equalBytes(r, root);
}
