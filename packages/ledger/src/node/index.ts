// @switchyard/ledger/node: the ledgers bound to node:crypto (SHA-256, Ed25519, randomness), for
// the services. Browsers use `@switchyard/ledger` with their own (WebCrypto) hasher.
import type { KeyObject } from 'node:crypto';
import { createAuditChain } from '../audit/audit-entry';
import type { AuditLogVerifier } from '../audit/verify-log';
import { createMerkle } from '../merkle';
import { verifyCheckpointSignature } from './checkpoint-signature';
import { nodeSha256 } from './node-sha256';

export { nodeSha256 } from './node-sha256';
export { signCheckpoint, verifyCheckpointSignature } from './checkpoint-signature';
export { cryptoRandomSource } from './crypto-random-source';
export { nodeEntryMac } from './entry-mac';

export const {
  leafHash,
  nodeHash,
  merkleRoot,
  rootOfLeafHashes,
  inclusionProof,
  inclusionProofOfLeafHashes,
  consistencyProof,
  consistencyProofOfLeafHashes,
  verifyInclusion,
  verifyConsistency,
} = createMerkle(nodeSha256);

export const { chainHash, chainHashOfLeaf, chainEntry, payloadDigest } = createAuditChain(nodeSha256);

/** node:crypto SHA-256 and Ed25519 checks under the log's public key, for verifyAuditLog. */
export function nodeAuditLogVerifier(publicKey: KeyObject | string): AuditLogVerifier {
  return { hasher: nodeSha256, checkpointSignatureValid: (checkpoint) => verifyCheckpointSignature(checkpoint, publicKey) };
}
