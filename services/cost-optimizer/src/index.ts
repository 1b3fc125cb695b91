export * from './domain/index';
export { composeCostOptimizer, type ComposedCostOptimizer, type CostOptimizerBackends, type CostOptimizerConfig } from './compose-cost-optimizer';
export { optimizerConfigFromEnv, optimizerEnvShape } from './config';
export { createInProcessLease } from './schedule/in-process-lease';
export { createRedisLease } from './schedule/redis-lease';
export type { Lease, LeasePort } from './schedule/lease';
