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
