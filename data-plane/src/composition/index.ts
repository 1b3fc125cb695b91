// @switchyard/data-plane/composition: the data plane's one composition root, and its backends (the configuration: @switchyard/data-plane/config).
export { composeDataPlane } from './compose-data-plane';
export type { ComposedDataPlane, DataPlaneAppConfig, DataPlaneBackends, DataPlaneTuning } from './compose-data-plane';
export { databaseStores } from './stores';
export type { DatabaseStoresOptions, DataPlaneStores, ServedRouteTable } from './stores';
// A fixed price book instead of the database's (tests whose upstream models no stored book prices).
export { createStaticPriceBookSource } from '../accounting/price-book';
export type { PriceBook, PriceBookSource } from '../accounting/price-book';
export { openSharedState, redisKeyNames } from './shared-state';
export type { RedisKeyNames, SharedState, SharedStateConfig } from './shared-state';
export { loadMasterKeyring, openDataPlaneBackends, openDatabase } from './open-backends';
export type { OpenedDataPlaneBackends } from './open-backends';
