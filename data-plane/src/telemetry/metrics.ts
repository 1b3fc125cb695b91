import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ROUTE_DURATION_BUCKETS, ROUTE_DURATION_METRIC, ROUTE_REQUESTS_METRIC } from '@switchyard/slo/prometheus';

/** What the router reports about each upstream when metrics are scraped. */
export interface UpstreamSnapshot {
  upstream: string;
  breaker: 'closed' | 'open' | 'half-open';
  concurrencyLimit: number;
  inFlight: number;
  queued: number;
}

const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;

export interface MetricsOptions {
  /**
   * Tenant-chosen strings (tenant route names) as label values: off by default (METRICS_TENANT_LABELS),
   * so a scrape never carries what a tenant named, and a tenant cannot grow the label set at will.
   */
  tenantLabels?: boolean;
}

/** The `route` label of a tenant's own route while tenant labels are off (a name no route can have: see route.ts). */
export const TENANT_ROUTE_LABEL = '(tenant)';
/** The `model` label of a request no configured model served (the client's `model` text is never a label value). */
export const UNSERVED_MODEL_LABEL = '(unserved)';

/** One registry per data-plane instance, so several instances (tests) never collide. */
export function createMetrics(options: MetricsOptions = {}) {
  const tenantLabels = options.tenantLabels ?? false;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchyard_data_plane_' });
  // Gauges read the router's live state at scrape time (a breaker turns half-open by the clock, not by an event).
  let upstreams: () => readonly UpstreamSnapshot[] = () => [];
  const snapshotGauge = (name: string, help: string, value: (s: UpstreamSnapshot) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['upstream'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const snapshot of upstreams()) this.set({ upstream: snapshot.upstream }, value(snapshot));
      },
    });
  snapshotGauge('switchyard_upstream_concurrency_limit', 'Adaptive (AIMD) concurrency limit per upstream', (s) => s.concurrencyLimit);
  snapshotGauge('switchyard_upstream_in_flight', 'Calls in flight per upstream', (s) => s.inFlight);
  snapshotGauge('switchyard_upstream_queued', 'Calls waiting for a concurrency slot per upstream', (s) => s.queued);
  new Gauge({
    name: 'switchyard_upstream_breaker_state',
    help: 'Circuit breaker state per upstream: 1 for the current state, 0 for the others',
    labelNames: ['upstream', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const snapshot of upstreams()) {
        for (const state of BREAKER_STATES) this.set({ upstream: snapshot.upstream, state }, snapshot.breaker === state ? 1 : 0);
      }
    },
  });
  return {
    /** Whether tenant-chosen names may be label values (METRICS_TENANT_LABELS=on). */
    tenantLabels,
    /** The `route` label of a tenant's own route: its name only when the operator opted in. */
    tenantRouteLabel: (name: string): string => (tenantLabels ? name : TENANT_ROUTE_LABEL),
    /** The `tenant` label: the tenant's id only with METRICS_TENANT_LABELS=on (the SLO rules need it), else one value. */
    tenantLabel: (tenantId: string): string => (tenantLabels ? tenantId : TENANT_ROUTE_LABEL),
    /** The router registers where the upstream gauges read from. */
    observeUpstreams(source: () => readonly UpstreamSnapshot[]): void {
      upstreams = source;
    },
    breakerTransitions: new Counter({
      name: 'switchyard_upstream_breaker_transitions_total',
      help: 'Circuit breaker state changes per upstream, by the state entered',
      labelNames: ['upstream', 'state'] as const,
      registers: [registry],
    }),
    shedRequests: new Counter({
      name: 'switchyard_shed_requests_total',
      help:
        'Requests refused without calling an upstream: per upstream (reason overloaded or circuit_open), or by the gateway itself when saturated (reason gateway_saturated, by qos class, no upstream) or when the SLO auto-throttle pauses a route\'s batch class (reason slo_throttled)',
      labelNames: ['upstream', 'reason', 'qos'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'switchyard_upstream_retries_total',
      help: 'Retries of the same upstream after it asked to back off (429/503)',
      labelNames: ['upstream'] as const,
      registers: [registry],
    }),
    legs: new Counter({
      name: 'switchyard_router_legs_total',
      help: 'Upstream legs per request, by outcome: won (served the answer), lost (cancelled speculative leg), failed',
      labelNames: ['upstream', 'outcome'] as const,
      registers: [registry],
    }),
    shadowLegs: new Counter({
      name: 'switchyard_experiment_shadow_legs_total',
      help: 'Shadow legs sent to an experiment challenger after the champion answered, by outcome (ok, error: failed or timed out; never seen by the client)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    judgeCalls: new Counter({
      name: 'switchyard_experiment_judge_total',
      help: "Calls to an experiment's automatic judge after an arm answered, by outcome (scored; unparseable: no score in its answer; error: failed or timed out; never seen by the client)",
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    legTokens: new Counter({
      name: 'switchyard_router_leg_tokens_total',
      help: 'Completion tokens generated per upstream leg, by outcome (lost legs are billed too)',
      labelNames: ['upstream', 'outcome'] as const,
      registers: [registry],
    }),
    routeDecisions: new Counter({
      name: 'switchyard_route_decisions_total',
      help: `Requests per route and the model that served them (a tenant's own route counts as route="${TENANT_ROUTE_LABEL}" unless METRICS_TENANT_LABELS=on)`,
      labelNames: ['route', 'model'] as const,
      registers: [registry],
    }),
    /**
     * Requests refused by a tenant policy, by the action denied (a fixed vocabulary: use_model,
     * call_tool, send_to_provider, process_in_region). A counter, never a rate: Prometheus derives
     * `policy_denials_rate` from it (`sum by (action) (rate(switchyard_policy_denials_total[5m]))`,
     * README "Metrics"), which is correct across restarts and replicas where a gauge would not be.
     */
    policyDenials: new Counter({
      name: 'switchyard_policy_denials_total',
      help: 'Requests refused by a tenant policy (403 policy_denied), by the action denied; policy_denials_rate = rate() of this',
      labelNames: ['action'] as const,
      registers: [registry],
    }),
    // The memory fabric (memory_io): the same names for every store (`store`: vector here; bytes and latency below are shared with the session window).
    memoryOperations: new Counter({
      name: 'switchyard_memory_operations_total',
      help: 'Memory fabric operations by store (vector, document), operation (search, add, list, get, delete; documents: read, write, delete, watch) and outcome (hit: found something, miss: found nothing, error)',
      labelNames: ['store', 'operation', 'outcome'] as const,
      registers: [registry],
    }),
    stepLatency: new Histogram({
      name: 'switchyard_step_duration_seconds',
      help: 'Time spent per request-path step (ingress, policy, routing_decision, adapter_call, memory_io, aggregation, accounting)',
      labelNames: ['step'] as const,
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    registry,
    requests: new Counter({
      name: 'switchyard_http_requests_total',
      help: 'HTTP requests by route and status code',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'switchyard_http_request_duration_seconds',
      help: 'Time from request start to the last byte of the response',
      labelNames: ['route'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'switchyard_tokens_total',
      help: 'Tokens processed, by model and kind (prompt or completion)',
      labelNames: ['model', 'kind'] as const,
      registers: [registry],
    }),
    requestLogDropped: new Counter({
      name: 'switchyard_request_log_dropped_total',
      help: 'Request-log entries not written, by reason: refusal_cap (refusals of one tenant past the per-second cap), queue_full, bus_error',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    regionRefusals: new Counter({
      name: 'switchyard_region_refusals_total',
      help: "Requests of tenants pinned to another home region, refused here with 503 region_not_allowed (nothing of them recorded in this region's stores)",
      registers: [registry],
    }),
    unattributedRefusals: new Counter({
      name: 'switchyard_unattributed_refusals_total',
      help: 'Requests refused before any tenant was authenticated (missing or invalid credentials, unknown paths), by error code: counted here, never in a tenant request log',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    costMicros: new Counter({
      name: 'switchyard_cost_micros_total',
      help: 'Cost charged in micro-USD, by model',
      labelNames: ['model'] as const,
      registers: [registry],
    }),
    rateLimitRejections: new Counter({
      name: 'switchyard_rate_limit_rejections_total',
      help: 'Requests refused by the per-key rate limit',
      registers: [registry],
    }),
    limiterBackendDown: new Gauge({
      name: 'switchyard_rate_limiter_backend_down',
      help: '1 while the shared rate-limit backend (Redis) is unreachable and limits run in their configured fallback mode, else 0',
      registers: [registry],
    }),
    limiterDegradedDecisions: new Counter({
      name: 'switchyard_rate_limiter_degraded_decisions_total',
      help: 'Limit checks decided without the shared backend, by fallback mode (local, open, closed) and outcome (admitted, refused)',
      labelNames: ['mode', 'outcome'] as const,
      registers: [registry],
    }),
    piiRedactions: new Counter({
      name: 'switchyard_pii_redactions_total',
      help: 'PII occurrences redacted from prompts before routing, by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    // The SLIs Prometheus computes the SLO rules from (@switchyard/slo/prometheus): one count per
    // request that reached a provider, as the usage stream has it, by tenant, route and outcome.
    routeRequests: new Counter({
      name: ROUTE_REQUESTS_METRIC,
      help: `Requests that reached a provider, by tenant, route (or plain model) and status ok|error; tenant and tenant route are "${TENANT_ROUTE_LABEL}" unless METRICS_TENANT_LABELS=on`,
      labelNames: ['tenant', 'route', 'status'] as const,
      registers: [registry],
    }),
    routeDuration: new Histogram({
      name: ROUTE_DURATION_METRIC,
      help: 'Latency of successful requests by tenant and route (a latency SLO counts le=<threshold> as good), labelled like switchyard_route_requests_total',
      labelNames: ['tenant', 'route'] as const,
      buckets: [...ROUTE_DURATION_BUCKETS],
      registers: [registry],
    }),
    usageEventFailures: new Counter({
      name: 'switchyard_usage_event_failures_total',
      help: 'Usage events that could not be appended to the stream after retries',
      registers: [registry],
    }),
    routingStateFailures: new Counter({
      name: 'switchyard_routing_state_failures_total',
      help: 'Shared routing state not written: served requests for feedback (feedback_log) and bandit observations for other replicas (observations)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    federationViews: new Counter({
      name: 'switchyard_federation_views_total',
      help: "Federation views (other regions' evidence from this region's coordinator) received, by outcome: applied, stale (older or replayed version), other_region, malformed. No applied views in a multi-region deployment: routing runs on this region's evidence alone",
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    // The memory fabric's session window (the memory_io step): reads that found something or not,
    // bytes moved and latency, by operation and store (`redis+snapshot`, `in-process`, …).
    memoryHits: new Counter({
      name: 'switchyard_memory_hits_total',
      help: 'Session memory reads that found what they looked for (a stored response, recent turns), by operation and store',
      labelNames: ['operation', 'store'] as const,
      registers: [registry],
    }),
    memoryMisses: new Counter({
      name: 'switchyard_memory_misses_total',
      help: 'Session memory reads that found nothing, by operation and store',
      labelNames: ['operation', 'store'] as const,
      registers: [registry],
    }),
    memoryBytes: new Counter({
      name: 'switchyard_memory_bytes_total',
      help: 'Bytes read from or written to the memory fabric (session window, vector memory, session documents), by operation and store',
      labelNames: ['operation', 'store'] as const,
      registers: [registry],
    }),
    memoryErrors: new Counter({
      name: 'switchyard_memory_errors_total',
      help: 'Session memory operations that failed (store unreachable, quota), by operation and store',
      labelNames: ['operation', 'store'] as const,
      registers: [registry],
    }),
    memoryRestored: new Counter({
      name: 'switchyard_memory_snapshot_restores_total',
      help: 'Session memory reads the fast store (Redis) missed and the durable snapshot answered, by what (response, window)',
      labelNames: ['what'] as const,
      registers: [registry],
    }),
    memoryLatency: new Histogram({
      name: 'switchyard_memory_io_duration_seconds',
      help: 'Latency of memory fabric operations (the memory_io step: session window, vector memory, session documents), by operation and store',
      labelNames: ['operation', 'store'] as const,
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
