// @switchyard/db/secret-vault: tenant secrets at rest (envelope encryption) and master-key rotation.
export { ALERT_WEBHOOK_PURPOSE, createSecretVault, providerCredentialPurpose } from './secret-vault';
export type { AlertWebhookRecord, ProviderCredentialRecord, SecretVault, SecretVaultDeps, SecretWriteOutcome } from './secret-vault';
export { dataKeysPerMasterKey, rotateMasterKey, RotationStuckError } from './master-key-rotation';
export type { RotateMasterKeyOptions, RotationProgress } from './master-key-rotation';
