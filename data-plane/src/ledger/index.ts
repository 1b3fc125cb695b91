export {
  merkleRoot,
  inclusionProof,
  verifyInclusion,
  consistencyProof,
  verifyConsistency,
  leafHash,
  nodeHash,
  rootOfLeafHashes,
  inclusionProofOfLeafHashes,
  consistencyProofOfLeafHashes,
} from './merkle';
export { sampleDiscreteLaplace, sampleDiscreteGaussian, bernoulliExpMinus } from './dp/discrete-noise';
export type { Rational } from './dp/discrete-noise';
export { cryptoRandomSource, seededRandomSource } from './dp/random-source';
export type { RandomSource } from './dp/random-source';
export {
  MICRO,
  PrivacyAccountingError,
  chargeFor,
  fitsWithinCap,
  formatMicroUnits,
  gaussianVariance,
  laplaceScale,
  toMicroUnitsCeil,
  zcdpToEpsilon,
} from './dp/privacy-accounting';
export type { AccountingMode, Mechanism } from './dp/privacy-accounting';
export { auditLeafBytes, auditLeafTextAroundSeq, chainEntry, chainHash, chainHashOfLeaf, payloadDigest, GENESIS_HASH } from './audit/audit-entry';
export type { AuditEntryFields, ChainedAuditEntry } from './audit/audit-entry';
export { checkpointMessage, signCheckpoint, verifyCheckpointSignature } from './audit/checkpoint';
export type { Checkpoint, UnsignedCheckpoint } from './audit/checkpoint';
export { verifyAuditLog } from './audit/verify-log';
export type { LogProblem, LogVerification, VerifyAuditLogOptions } from './audit/verify-log';
export { LeafHashTree } from './audit/leaf-hash-tree';
