export { subgraphName, typeDefs } from './type-defs';
export { createSloSubgraph } from './slo-subgraph';
export type { SloSubgraph, SloSubgraphDeps } from './slo-subgraph';
export { startSloSubgraph } from './start-slo-subgraph';
export type { SloSubgraphOptions, StartedSloSubgraph } from './start-slo-subgraph';
export { createSloStore } from './slo-store';
export type { SloStore } from './slo-store';
export { OPTIMIZER_RUN_COUNTER_GROUP, SLI_COUNTER_GROUP } from './sli-consumer';
export { AUTO_THROTTLE_ACTOR } from './burn-evaluator';
