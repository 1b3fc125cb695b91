export { subgraphName, typeDefs } from './type-defs';
export { createMemorySubgraph } from './memory-subgraph';
export type { MemorySubgraph, MemorySubgraphDeps } from './memory-subgraph';
export { startMemorySubgraph } from './start-memory-subgraph';
export type { MemorySubgraphOptions } from './start-memory-subgraph';
