export { MAX_DELTA_ENTRIES, MAX_SIGNED_DELTA_BYTES, REGION_NAME, signedDeltaSchema, statsDeltaSchema, type SignedDelta, type StatsDelta, type StatsEntry } from './delta';
export { publicKeyFromJwk, signDelta, signingKeyFromJwk, verifyDelta, type RegionKeyring, type RegionSigningKey, type VerifyFailure } from './signing';
export { createFederatedStats, DEFAULT_MERGE_OPTIONS, type ApplyResult, type FederatedStats, type FederatedView, type MergeOptions, type SmoothedStats } from './merge';
export { createDeltaPublisher, type DeltaPublisher, type DeltaPublisherOptions, type QualityObservation } from './publisher';
export { createFederationReceiver, type FederationReceiver, type ReceiveOutcome } from './receiver';
