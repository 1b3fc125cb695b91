export { createConsoleLogger } from '@switchyard/subgraph-kit/logger';
export type { Logger } from '@switchyard/subgraph-kit/logger';
