import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from './config';
import { TailSamplingController, type Decision, type TraceSummary } from './tail-sampling/controller';
import { TailSamplingSpanProcessor } from './tail-sampling/span-processor';

export interface TracingHandle {
  /** False when no endpoint is configured: nothing was registered, every span stays a no-op. */
  readonly enabled: boolean;
  /** Exports what is buffered (tests, before a process exits). */
  forceFlush(): Promise<void>;
  /** Flushes, then unregisters the provider (a later registerTracing starts afresh). */
  shutdown(): Promise<void>;
}

export interface RegisterOptions {
  /** The process's name when OTEL_SERVICE_NAME is unset (`switchyard-data-plane`, `switchyard-gateway`, …). */
  serviceName: string;
  /** Told about each tail-sampling decision (the benchmark counts them). */
  onDecision?: (decision: Decision, trace: TraceSummary) => void;
}

const OFF: TracingHandle = { enabled: false, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };

// One provider per process: `npm start` registers before its components, whose own entry points
// would register again; the second call gets the first provider.
let registered: TracingHandle | undefined;

/**
 * Registers the OpenTelemetry SDK for this process: a Node tracer provider (AsyncLocalStorage
 * context), W3C trace context and baggage propagation, and OTLP/HTTP export of what the tail
 * sampler keeps. Off (nothing registered, no traffic) when the config has no endpoint. Every span
 * is recorded (AlwaysOn head sampler, even under a client's unsampled traceparent): the decision
 * is the tail sampler's, made when the trace has ended and its outcome is known.
 */
export function registerTracing(config: TracingConfig, options: RegisterOptions): TracingHandle {
  if (registered) return registered;
  if (config.endpoint === undefined) return OFF;

  const exporterOptions = { url: config.endpoint };
  const exporter = config.protocol === 'http/json' ? new OtlpJsonExporter(exporterOptions) : new OtlpProtobufExporter(exporterOptions);
  const batch = new BatchSpanProcessor(exporter);
  const processor: SpanProcessor =
    config.sampling === 'all'
      ? batch
      : new TailSamplingSpanProcessor(batch, new TailSamplingController({ spansPerSecond: config.spanBudgetPerSecond }, Date.now), options.onDecision ? { onDecision: options.onDecision } : {});
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ 'service.name': config.serviceName ?? options.serviceName }));
  const provider = new NodeTracerProvider({ resource, sampler: new AlwaysOnSampler(), spanProcessors: [processor] });
  provider.register({ propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }) });

  const handle: TracingHandle = {
    enabled: true,
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      if (registered !== handle) return;
      registered = undefined;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
  registered = handle;
  return handle;
}
