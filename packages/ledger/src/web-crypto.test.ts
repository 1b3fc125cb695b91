import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from './hasher';
import { verifyInclusionAsync } from './merkle';
import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from './node';
import { nodeSha256 } from './node/node-sha256';
import { webCryptoSha256 } from './web-crypto';

const leavesArbitrary = fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 40 });

describe('WebCrypto SHA-256', () => {
  it('hashes the concatenation of its parts exactly as node:crypto does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }), async (parts) => {
        expect(bytesToHex(await webCryptoSha256.sha256(...parts))).toBe(bytesToHex(nodeSha256.sha256(...parts)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('verifyInclusionAsync', () => {
  it('agrees with verifyInclusion on valid, tampered, shortened and misplaced proofs', async () => {
    await fc.assert(
      fc.asyncProperty(leavesArbitrary, fc.nat(), async (leaves, seed) => {
        const index = seed % leaves.length;
        const root = merkleRoot(leaves);
        const proof = inclusionProof(leaves, index);
        const hash = leafHash(leaves[index] as Uint8Array);
        const cases: Array<[number, readonly Uint8Array[], Uint8Array]> = [
          [index, proof, root],
          [index, proof, leafHash(root)],
          [(index + 1) % leaves.length, proof, root],
          [index, proof.slice(1), root],
          [index, proof.map((node, i) => (i === 0 ? leafHash(node) : node)), root],
        ];
        for (const [at, path, expectedRoot] of cases) {
          expect(await verifyInclusionAsync(webCryptoSha256, hash, at, leaves.length, path, expectedRoot)).toBe(verifyInclusion(hash, at, leaves.length, path, expectedRoot));
        }
        expect(await verifyInclusionAsync(webCryptoSha256, hash, index, leaves.length, proof, root)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('is false, not a throw, for an index outside the tree', async () => {
    const root = merkleRoot([Uint8Array.of(1)]);
    expect(await verifyInclusionAsync(webCryptoSha256, leafHash(Uint8Array.of(1)), 1, 1, [], root)).toBe(false);
    expect(await verifyInclusionAsync(webCryptoSha256, leafHash(Uint8Array.of(1)), -1, 1, [], root)).toBe(false);
  });
});

describe('hex', () => {
  it('round-trips bytes and refuses odd lengths and non-hex digits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(hexToBytes(bytesToHex(bytes))).toEqual(bytes);
      }),
    );
    expect(() => hexToBytes('abc')).toThrow(RangeError);
    expect(() => hexToBytes('zz')).toThrow(RangeError);
  });
});
