export * from './domain/index';
export { composeCostOptimizer, TenantNotServedError, type ComposedCostOptimizer, type CostOptimizerBackends, type CostOptimizerConfig, type CostOptimizerRegionBackends } from './compose-cost-optimizer';
export { optimizerRegionSchema, type OptimizerRegionConfig } from './regions/regions-env';
export { optimizerConfigFromEnv, optimizerEnvShape } from './config';
export { createInProcessLease } from './schedule/in-process-lease';
export { createRedisLease } from './schedule/redis-lease';
export type { Lease, LeasePort } from './schedule/lease';
