// @switchyard/ledger: the pure ledgers, SHA-256 injected (node:crypto in `./node`, WebCrypto in
// `./web-crypto`), so a browser verifies with the same code the services prove with.
export type { AsyncHasher, Hasher } from './hasher';
export { bytesToHex, equalBytes, hexToBytes } from './hasher';
export { createMerkle, inclusionProofSides, verifyInclusionAsync } from './merkle';
export type { Merkle, ProofSide } from './merkle';
export { sampleDiscreteLaplace, sampleDiscreteGaussian, bernoulliExpMinus } from './dp/discrete-noise';
export type { Rational } from './dp/discrete-noise';
export { seededRandomSource } from './dp/random-source';
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
export { auditEntryMacMessage, auditLeafBytes, auditLeafTextAroundSeq, createAuditChain, CURRENT_AUDIT_LEAF_VERSION, GENESIS_HASH } from './audit/audit-entry';
export type { AuditChain, AuditEntryFields, AuditLeafVersion, ChainedAuditEntry } from './audit/audit-entry';
export { checkpointMessage } from './audit/checkpoint';
export type { Checkpoint, UnsignedCheckpoint } from './audit/checkpoint';
export { verifyAuditLog } from './audit/verify-log';
export type { AuditLogVerifier, LogProblem, LogVerification, VerifiableAuditEntry, VerifyAuditLogOptions, WitnessCheckpoints, WitnessCoverage } from './audit/verify-log';
export { LeafHashTree } from './audit/leaf-hash-tree';
