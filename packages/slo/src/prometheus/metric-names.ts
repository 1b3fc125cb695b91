/**
 * The data plane's per-route SLI metrics on the operator metrics listener (data-plane
 * telemetry/metrics.ts registers them with these names). The `tenant` and `route` labels carry the
 * tenant id and route name only with METRICS_TENANT_LABELS=on; the rules need that.
 */
export const ROUTE_REQUESTS_METRIC = 'switchyard_route_requests_total';
/** Successful requests only, so `le=threshold` counts exactly the requests a latency SLO calls good. */
export const ROUTE_DURATION_METRIC = 'switchyard_route_request_duration_seconds';
/** Its buckets (seconds): a latency threshold is rounded down to one of them in the rules. */
export const ROUTE_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.8, 1, 2, 2.5, 5, 10, 30, 60] as const;

/**
 * The cost optimizer's per-route gauges (services/cost-optimizer metrics.ts), set after every run,
 * with `tenant` and `route` labels under METRICS_TENANT_LABELS=on: what quality and cost SLO rules read.
 */
export const OPTIMIZER_REGRET_DELTA_METRIC = 'switchyard_optimizer_regret_delta';
export const OPTIMIZER_SAVINGS_PCT_METRIC = 'switchyard_optimizer_savings_pct';
