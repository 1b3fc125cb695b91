import { z } from 'zod';

/** `VAR=` (empty) means unset, as shells and container runtimes commonly pass it. */
const emptyIsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/**
 * The standard OpenTelemetry variables this platform reads (the exporter itself also honours
 * `OTEL_EXPORTER_OTLP_HEADERS`, `…_TIMEOUT`, `…_COMPRESSION`), plus the tail sampler's budget.
 * Spread into every deployable's environment schema, so each reads them with the same defaults.
 */
export const tracingEnvShape = {
  /** Base URL of an OTLP/HTTP receiver (`http://collector:4318`); traces go to `<it>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: emptyIsUnset(z.url()),
  /** Full URL for traces only (wins over the base endpoint, used as is). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: emptyIsUnset(z.url()),
  OTEL_EXPORTER_OTLP_PROTOCOL: emptyIsUnset(z.enum(['http/protobuf', 'http/json'])),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: emptyIsUnset(z.enum(['http/protobuf', 'http/json'])),
  /** `otlp` (default) or `none` (tracing off even with an endpoint). No console exporter: logs are pino's. */
  OTEL_TRACES_EXPORTER: emptyIsUnset(z.enum(['otlp', 'none'])),
  OTEL_SDK_DISABLED: emptyIsUnset(z.enum(['true', 'false'])),
  OTEL_SERVICE_NAME: emptyIsUnset(z.string().min(1).max(200)),
  /**
   * Spans per second the tail sampler aims to export from this process (traces that errored, were
   * denied, slow or fell back are kept on top of it). Not an OpenTelemetry standard variable.
   */
  OTEL_SPAN_BUDGET_PER_SECOND: z.coerce.number().positive().default(1000),
  /** `tail` (default): the dynamic tail sampler; `all`: export every span (debugging, small loads). */
  SWITCHYARD_TRACE_SAMPLING: z.enum(['tail', 'all']).default('tail'),
};

export const tracingEnvSchema = z.object(tracingEnvShape);
export type TracingEnv = z.infer<typeof tracingEnvSchema>;

/** What a process needs to register tracing; `endpoint` undefined = off (nothing is sent anywhere). */
export interface TracingConfig {
  /** The traces URL (`…/v1/traces`), or undefined when tracing is off. */
  endpoint: string | undefined;
  protocol: 'http/protobuf' | 'http/json';
  /** From OTEL_SERVICE_NAME; the process's default name applies when unset. */
  serviceName: string | undefined;
  spanBudgetPerSecond: number;
  sampling: 'tail' | 'all';
}

export const TRACING_OFF: TracingConfig = { endpoint: undefined, protocol: 'http/protobuf', serviceName: undefined, spanBudgetPerSecond: 1000, sampling: 'tail' };

/** The parsed variables as a config: off unless an endpoint is set and neither the SDK nor the exporter is disabled. */
export function tracingConfigOf(env: TracingEnv): TracingConfig {
  const off = env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none';
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const endpoint = off ? undefined : (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`));
  return {
    endpoint,
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    serviceName: env.OTEL_SERVICE_NAME,
    spanBudgetPerSecond: env.OTEL_SPAN_BUDGET_PER_SECOND,
    sampling: env.SWITCHYARD_TRACE_SAMPLING,
  };
}

/** For processes without their own schema of these variables: parse them alone (throws a ZodError listing every problem). */
export function tracingConfigFromEnv(env: Record<string, string | undefined>): TracingConfig {
  return tracingConfigOf(tracingEnvSchema.parse(env));
}
