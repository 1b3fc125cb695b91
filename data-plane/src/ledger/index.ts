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
