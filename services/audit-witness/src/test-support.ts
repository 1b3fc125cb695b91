import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { LeafHashTree, type Checkpoint } from '@switchyard/ledger';
import { leafHash, nodeSha256, signCheckpoint } from '@switchyard/ledger/node';

/** Test helpers: a log of `size` leaves (a salt per history), its signed checkpoints and proofs. */
export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export function testLog(size: number, salt = 'a'): LeafHashTree {
  const tree = new LeafHashTree(nodeSha256);
  for (let i = 0; i < size; i++) tree.append(leafHash(new TextEncoder().encode(`${salt}-${i}`)));
  return tree;
}

export function signedAt(tree: LeafHashTree, size: number, privateKey: KeyObject, logId = 'switchyard-audit'): Checkpoint {
  return signCheckpoint({ logId, treeSize: size, rootHash: hex(tree.root(size)), issuedAt: new Date().toISOString() }, privateKey);
}

export const proofFrom = (tree: LeafHashTree, from: number, to: number) => ({ fromSize: from, proof: tree.consistencyProof(from, to).map(hex) });

export const newKeys = () => generateKeyPairSync('ed25519');
