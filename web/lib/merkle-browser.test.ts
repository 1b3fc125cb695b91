import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from '@switchyard/ledger/node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHashHex, toHex, verifyInclusionInBrowser } from './merkle-browser';

const unhex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

// The Certificate Transparency reference leaves, root of all 8, and two published proofs
// (the same vectors as packages/ledger/src/merkle.test.ts).
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const CT_ROOT_8 = '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328';
const CT_PROOF_0 = [
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
  '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
];
const CT_PROOF_5 = [
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
];
const leafHex = (index: number) => toHex(leafHash(CT_LEAVES[index] as Uint8Array));

/** Flips one bit of a hex hash. */
const flip = (hash: string) => toHex(Uint8Array.from(parseHashHex(hash) ?? [], (byte, i) => (i === 0 ? byte ^ 1 : byte)));

describe('verifyInclusionInBrowser: Certificate Transparency vectors', () => {
  it('accepts the published proofs of leaves 0 and 5 in the tree of 8', async () => {
    expect(await verifyInclusionInBrowser(leafHex(0), 0, 8, CT_PROOF_0, CT_ROOT_8)).toBe(true);
    expect(await verifyInclusionInBrowser(leafHex(5), 5, 8, CT_PROOF_5, CT_ROOT_8)).toBe(true);
  });

  it('accepts a one-leaf tree whose root is the leaf hash and whose path is empty', async () => {
    expect(await verifyInclusionInBrowser(leafHex(0), 0, 1, [], leafHex(0))).toBe(true);
  });

  it('rejects a tampered root, leaf, path node, index, tree size or path length', async () => {
    expect(await verifyInclusionInBrowser(leafHex(5), 5, 8, CT_PROOF_5, flip(CT_ROOT_8))).toBe(false);
    expect(await verifyInclusionInBrowser(leafHex(4), 5, 8, CT_PROOF_5, CT_ROOT_8)).toBe(false);
    expect(await verifyInclusionInBrowser(leafHex(5), 5, 8, [CT_PROOF_5[0] as string, flip(CT_PROOF_5[1] as string), CT_PROOF_5[2] as string], CT_ROOT_8)).toBe(false);
    expect(await verifyInclusionInBrowser(leafHex(5), 4, 8, CT_PROOF_5, CT_ROOT_8)).toBe(false);
    // Size 7 would pass: index 5 has the same path shape in trees of 7 and 8 (the RFC algorithm binds
    // the size only through the root, which is why the page checks the root against a checkpoint).
    expect(await verifyInclusionInBrowser(leafHex(5), 5, 6, CT_PROOF_5, CT_ROOT_8)).toBe(false);
    expect(await verifyInclusionInBrowser(leafHex(5), 5, 8, CT_PROOF_5.slice(0, 2), CT_ROOT_8)).toBe(false);
    expect(await verifyInclusionInBrowser(leafHex(5), 5, 8, [...CT_PROOF_5, CT_ROOT_8], CT_ROOT_8)).toBe(false);
    expect(await verifyInclusionInBrowser(leafHex(5), 5, 8, [...CT_PROOF_5].reverse(), CT_ROOT_8)).toBe(false);
  });

  it('rejects malformed input without throwing', async () => {
    const hostile: Array<Parameters<typeof verifyInclusionInBrowser>> = [
      [leafHex(5), 8, 8, CT_PROOF_5, CT_ROOT_8],
      [leafHex(5), -1, 8, CT_PROOF_5, CT_ROOT_8],
      [leafHex(5), 0.5, 8, CT_PROOF_5, CT_ROOT_8],
      [leafHex(5), 5, Number.NaN, CT_PROOF_5, CT_ROOT_8],
      [leafHex(5), 5, Number.MAX_SAFE_INTEGER + 2, CT_PROOF_5, CT_ROOT_8],
      [leafHex(5).slice(2), 5, 8, CT_PROOF_5, CT_ROOT_8],
      [`zz${leafHex(5).slice(2)}`, 5, 8, CT_PROOF_5, CT_ROOT_8],
      [leafHex(5), 5, 8, CT_PROOF_5, `${CT_ROOT_8}00`],
      [leafHex(5), 5, 8, [...CT_PROOF_5.slice(0, 2), 'not hex'], CT_ROOT_8],
      [leafHex(5), 5, 8, [...CT_PROOF_5.slice(0, 2), ''], CT_ROOT_8],
      ['', 0, 0, [], ''],
    ];
    for (const args of hostile) await expect(verifyInclusionInBrowser(...args), JSON.stringify(args)).resolves.toBe(false);
  });
});

describe('verifyInclusionInBrowser agrees with the server (differential)', () => {
  const leavesArbitrary = fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 70 });

  it('verifies every proof the server produces, and agrees with verifyInclusion on tampered ones', async () => {
    await fc.assert(
      fc.asyncProperty(leavesArbitrary, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 4 }), async (leaves, seed, otherSeed, tamper) => {
        const index = seed % leaves.length;
        const root = merkleRoot(leaves);
        const proof = inclusionProof(leaves, index);
        const leaf = leafHash(leaves[index] as Uint8Array);
        expect(await verifyInclusionInBrowser(toHex(leaf), index, leaves.length, proof.map(toHex), toHex(root))).toBe(true);

        // One mutation per run; whatever the server's verifier says, the browser must say too.
        const otherIndex = otherSeed % leaves.length;
        let candidate: { leaf: Uint8Array; index: number; size: number; path: Uint8Array[]; root: Uint8Array } = { leaf, index, size: leaves.length, path: proof, root };
        if (tamper === 0) candidate = { ...candidate, index: otherIndex };
        if (tamper === 1) candidate = { ...candidate, leaf: leafHash(leaves[otherIndex] as Uint8Array) };
        if (tamper === 2) candidate = { ...candidate, root: leafHash(root) };
        if (tamper === 3) candidate = { ...candidate, path: proof.map((node, i) => (i === otherSeed % Math.max(proof.length, 1) ? leafHash(node) : node)) };
        if (tamper === 4) candidate = { ...candidate, size: 1 + (otherSeed % (leaves.length + 3)) };
        const expected = verifyInclusion(candidate.leaf, candidate.index, candidate.size, candidate.path, candidate.root);
        const actual = await verifyInclusionInBrowser(toHex(candidate.leaf), candidate.index, candidate.size, candidate.path.map(toHex), toHex(candidate.root));
        expect(actual).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
