export { createEnvelope, envelopeSchema } from './envelope';
export type { Envelope, EnvelopeCipher, EnvelopeContext } from './envelope';
export { createLocalKms, generateMasterKey, localKmsConfigSchema } from './local-kms';
export type { LocalKmsConfig } from './local-kms';
export { KeyIntegrityError, KeyUnavailableError } from './key-management-service';
export type { KeyManagementService, WrappedKey } from './key-management-service';
export { generateDataKey, lastFour, openSecret, sealSecret, secretFingerprint } from './sealed-secret';
export type { SealedSecret, SecretContext } from './sealed-secret';
export { parseMasterKeysEnv } from './master-keys-env';
