export { dateTimeScalar } from '@switchyard/subgraph-kit/date-time-scalar';
