import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per data-plane instance, so several instances (tests) never collide. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchyard_data_plane_' });
  return {
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
    usageEventFailures: new Counter({
      name: 'switchyard_usage_event_failures_total',
      help: 'Usage events that could not be appended to the stream after retries',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
