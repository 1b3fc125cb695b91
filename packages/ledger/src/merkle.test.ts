import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, leafHash, merkleRoot, verifyConsistency, verifyInclusion } from './node';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

// The Certificate Transparency reference leaves and tree heads (sizes 0..8).
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('RFC 9162 Merkle tree: reference vectors', () => {
  it('matches the published root for every size 0..8', () => {
    for (let n = 0; n <= CT_LEAVES.length; n += 1) expect(hex(merkleRoot(CT_LEAVES.slice(0, n))), `size ${n}`).toBe(CT_ROOTS[n]);
  });

  it('produces the published inclusion proofs', () => {
    expect(inclusionProof(CT_LEAVES, 0).map(hex)).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(inclusionProof(CT_LEAVES, 5).map(hex)).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('produces the published consistency proofs', () => {
    expect(consistencyProof(CT_LEAVES, 2).map(hex)).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(consistencyProof(CT_LEAVES, 6).map(hex)).toEqual([
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
    expect(consistencyProof(CT_LEAVES.slice(0, 5), 2).map(hex)).toEqual([
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ]);
  });
});

const leavesArbitrary = fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 70 });

describe('RFC 9162 Merkle tree: properties', () => {
  it('every inclusion proof verifies, and a wrong leaf, index, root or path does not', () => {
    fc.assert(
      fc.property(leavesArbitrary, fc.nat(), (leaves, seed) => {
        const index = seed % leaves.length;
        const root = merkleRoot(leaves);
        const proof = inclusionProof(leaves, index);
        const hash = leafHash(leaves[index] as Uint8Array);
        expect(verifyInclusion(hash, index, leaves.length, proof, root)).toBe(true);
        expect(verifyInclusion(leafHash(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)), index, leaves.length, proof, root)).toBe(false);
        expect(verifyInclusion(hash, index, leaves.length, proof, leafHash(root))).toBe(false);
        expect(verifyInclusion(hash, leaves.length, leaves.length, proof, root)).toBe(false);
        if (proof.length > 0) {
          const tampered = proof.map((node, i) => (i === 0 ? leafHash(node) : node));
          expect(verifyInclusion(hash, index, leaves.length, tampered, root)).toBe(false);
          expect(verifyInclusion(hash, index, leaves.length, proof.slice(1), root)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every consistency proof verifies, and a different history does not', () => {
    fc.assert(
      fc.property(leavesArbitrary, fc.nat(), (leaves, seed) => {
        const oldSize = seed % (leaves.length + 1);
        const oldRoot = merkleRoot(leaves.slice(0, oldSize));
        const newRoot = merkleRoot(leaves);
        const proof = consistencyProof(leaves, oldSize);
        expect(verifyConsistency(oldSize, leaves.length, oldRoot, newRoot, proof)).toBe(true);
        if (oldSize > 0 && oldSize < leaves.length) {
          // Rewrite one old entry: the old root no longer matches the history the new tree extends.
          const rewritten = leaves.map((leaf, i) => (i === 0 ? Uint8Array.of(...leaf, 0xff) : leaf));
          expect(verifyConsistency(oldSize, leaves.length, merkleRoot(rewritten.slice(0, oldSize)), newRoot, proof)).toBe(false);
          expect(verifyConsistency(oldSize, leaves.length, oldRoot, merkleRoot(rewritten), proof)).toBe(false);
          expect(verifyConsistency(oldSize, leaves.length, oldRoot, newRoot, proof.slice(0, -1))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects malformed arguments instead of throwing', () => {
    const root = merkleRoot(CT_LEAVES);
    expect(verifyInclusion(leafHash(CT_LEAVES[0] as Uint8Array), -1, 8, [], root)).toBe(false);
    expect(verifyInclusion(leafHash(CT_LEAVES[0] as Uint8Array), 0.5, 8, [], root)).toBe(false);
    expect(verifyConsistency(9, 8, root, root, [])).toBe(false);
    expect(verifyConsistency(3, 8, root, root, [])).toBe(false);
    expect(() => inclusionProof(CT_LEAVES, 8)).toThrow(RangeError);
    expect(() => consistencyProof(CT_LEAVES, 9)).toThrow(RangeError);
  });
});
