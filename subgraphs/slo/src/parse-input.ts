export { parseInput } from '@switchyard/subgraph-kit/parse-input';
