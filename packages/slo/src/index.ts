// @switchyard/slo: the pure SLO domain. Counters live in `./counters`, the Prometheus rules in `./prometheus`.
export { SLO_KINDS, MIN_WINDOW_DAYS, MAX_WINDOW_DAYS, sloDefinitionSchema, latencyPercentile, throttleRelieves } from './slo-definition';
export type { SloDefinition, SloDraft, SloKind } from './slo-definition';
export { classify, classifyRun } from './classify';
export type { RequestObservation, RunObservation } from './classify';
export { DEFAULT_WINDOW_PAIRS, burnRate, burnRateThreshold, errorBudget, evaluateBurn, windowsOf } from './burn-rate';
export type { AlertState, BurnEvaluation, Counts, ErrorBudget, PairEvaluation, Severity, WindowPair } from './burn-rate';
export { transition } from './alert-transition';
export type { AlertTransition, ThrottleAction } from './alert-transition';
