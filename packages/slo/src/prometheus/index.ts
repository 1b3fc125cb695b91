export { generateRules, bucketFor } from './rules';
export type { AlertingRule, GenerateOptions, Generated, RecordingRule, RuleFile, RuleGroup } from './rules';
export { promDuration } from './promql-duration';
export { ROUTE_DURATION_BUCKETS, ROUTE_DURATION_METRIC, ROUTE_REQUESTS_METRIC } from './metric-names';
export { findPrometheusTool, findPromtool } from './promtool';
