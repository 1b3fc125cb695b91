// @switchyard/federation/config-replication: the global configuration between regions (DESIGN.md §10).
export { composeConfigReplication, type ConfigReplication, type ConfigReplicationBackends, type ConfigReplicationConfig } from './config-coordinator';
export { CONFIG_PATH, type ConfigPollResult } from './config-http';
export { signConfigDelta, verifyConfigDelta } from './config-signing';
export { configDeltaSchema, MAX_CONFIG_OPS, type ConfigDelta, type ConfigOp } from './config-delta';
export { enqueueConfigResync } from './config-outbox';
export type { ConfigReceiveOutcome } from './config-receiver';
export type { ConfigRefusal } from './config-authority';
