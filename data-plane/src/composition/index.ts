// @switchyard/data-plane/composition: the data plane's one composition root, and its backends (the configuration: @switchyard/data-plane/config).
export { composeDataPlane } from './compose-data-plane';
export type { ComposedDataPlane, DataPlaneAppConfig, DataPlaneBackends, DataPlaneTuning } from './compose-data-plane';
export { databaseStores } from './stores';
export type { DataPlaneStores, ServedRouteTable } from './stores';
export { openSharedState, redisKeyNames } from './shared-state';
export type { RedisKeyNames, SharedState, SharedStateConfig } from './shared-state';
export { loadMasterKeyring, openDataPlaneBackends, openDatabase } from './open-backends';
export type { OpenedDataPlaneBackends } from './open-backends';
