import { describe, expect, it } from 'vitest';
import { consistencyProofOfLeafHashes, inclusionProofOfLeafHashes, leafHash, rootOfLeafHashes, verifyConsistency, verifyInclusion } from '../node';
import { nodeSha256 } from '../node/node-sha256';
import { LeafHashTree } from './leaf-hash-tree';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const leaves = Array.from({ length: 70 }, (_, i) => leafHash(new TextEncoder().encode(`leaf ${i}`)));

function treeOf(size: number): LeafHashTree {
  const tree = new LeafHashTree(nodeSha256);
  for (const leaf of leaves.slice(0, size)) tree.append(leaf);
  return tree;
}

describe('LeafHashTree', () => {
  const tree = treeOf(leaves.length);

  it('has the RFC 9162 root at every size, including the empty tree', () => {
    for (let size = 0; size <= leaves.length; size += 1) expect(hex(tree.root(size))).toBe(hex(rootOfLeafHashes(leaves.slice(0, size))));
  });

  it('gives the same inclusion proofs as the reference for every index at every size', () => {
    for (let size = 1; size <= leaves.length; size += 1) {
      const prefix = leaves.slice(0, size);
      const root = rootOfLeafHashes(prefix);
      for (let index = 0; index < size; index += 1) {
        const proof = tree.inclusionProof(index, size);
        expect(proof.map(hex)).toEqual(inclusionProofOfLeafHashes(prefix, index).map(hex));
        expect(verifyInclusion(leaves[index]!, index, size, proof, root)).toBe(true);
      }
    }
  });

  it('gives the same consistency proofs as the reference for every pair of sizes', () => {
    for (let newSize = 0; newSize <= leaves.length; newSize += 1) {
      const prefix = leaves.slice(0, newSize);
      for (let oldSize = 0; oldSize <= newSize; oldSize += 1) {
        const proof = tree.consistencyProof(oldSize, newSize);
        expect(proof.map(hex)).toEqual(consistencyProofOfLeafHashes(prefix, oldSize).map(hex));
        expect(verifyConsistency(oldSize, newSize, rootOfLeafHashes(leaves.slice(0, oldSize)), rootOfLeafHashes(prefix), proof)).toBe(true);
      }
    }
  });

  it('grows past its initial capacity without corrupting cached nodes', () => {
    const big = new LeafHashTree(nodeSha256);
    const many = Array.from({ length: 3000 }, (_, i) => leafHash(new TextEncoder().encode(String(i))));
    for (const leaf of many) big.append(leaf);
    expect(hex(big.root())).toBe(hex(rootOfLeafHashes(many)));
    expect(hex(big.root(1025))).toBe(hex(rootOfLeafHashes(many.slice(0, 1025))));
    expect(hex(big.leafHash(2999))).toBe(hex(many[2999]!));
  });

  it('rejects sizes and indexes outside the tree', () => {
    const small = treeOf(4);
    expect(() => small.root(5)).toThrow(RangeError);
    expect(() => small.inclusionProof(4, 4)).toThrow(RangeError);
    expect(() => small.inclusionProof(0, 0)).toThrow(RangeError);
    expect(() => small.consistencyProof(3, 2)).toThrow(RangeError);
    expect(() => small.append(new Uint8Array(31))).toThrow(RangeError);
  });
});
