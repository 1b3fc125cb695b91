export * from './domain/index';
export { composeCostOptimizer, type ComposedCostOptimizer, type CostOptimizerBackends, type CostOptimizerConfig } from './compose-cost-optimizer';
export { optimizerConfigFromEnv, optimizerEnvShape } from './config';
