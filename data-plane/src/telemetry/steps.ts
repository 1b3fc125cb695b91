import { context, isSpanContextValid, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { Metrics } from './metrics';

/**
 * The request path's steps, each an OpenTelemetry span and a histogram sample. Only
 * `@opentelemetry/api` is used: spans are no-ops unless the process registers an SDK.
 */
export type Step = 'ingress' | 'policy' | 'routing_decision' | 'adapter_call' | 'memory_io' | 'aggregation' | 'accounting';

const tracer = trace.getTracer('@switchyard/data-plane');

/**
 * One label object per step, built once: the histogram is observed with it directly rather than
 * through prom-client's startTimer, which allocates two closures, an hrtime pair and a merged
 * label object per step of every request.
 */
const STEP_LABELS: { readonly [S in Step]: { readonly step: S } } = {
  ingress: { step: 'ingress' },
  policy: { step: 'policy' },
  routing_decision: { step: 'routing_decision' },
  adapter_call: { step: 'adapter_call' },
  memory_io: { step: 'memory_io' },
  aggregation: { step: 'aggregation' },
  accounting: { step: 'accounting' },
};

const NO_ATTRIBUTES: Attributes = Object.freeze({});

function observeSince(metrics: Pick<Metrics, 'stepLatency'>, step: Step, startedAt: number): void {
  metrics.stepLatency.observe(STEP_LABELS[step], (performance.now() - startedAt) / 1000);
}

export interface StepHandle {
  span: Span;
  end(error?: unknown): void;
}

/** Starts a step that ends later (e.g. an adapter call that lasts as long as the stream). */
export function startStep(metrics: Pick<Metrics, 'stepLatency'>, step: Step, attributes: Attributes = NO_ATTRIBUTES): StepHandle {
  const span = tracer.startSpan(step, { attributes });
  const startedAt = performance.now();
  let ended = false;
  return {
    span,
    end(error) {
      if (ended) return;
      ended = true;
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      observeSince(metrics, step, startedAt);
    },
  };
}

/** Runs `fn` as one step, with its span active so nested steps become children. */
export async function inStep<T>(metrics: Pick<Metrics, 'stepLatency'>, step: Step, fn: (span: Span) => Promise<T>, attributes: Attributes = NO_ATTRIBUTES): Promise<T> {
  const span = tracer.startSpan(step, { attributes });
  const startedAt = performance.now();
  try {
    // Without a tracing SDK the span is the no-op one (invalid context): making it active would
    // only allocate a context per step, so `fn` runs directly. With an SDK it runs inside the span.
    return await (isSpanContextValid(span.spanContext()) ? context.with(trace.setSpan(context.active(), span), () => fn(span)) : fn(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
    observeSince(metrics, step, startedAt);
  }
}
