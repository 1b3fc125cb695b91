import { INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { GEN_AI, SWITCHYARD } from '@switchyard/tracing';
import type { UpstreamLocation } from '../domain/upstream-location';

const tracer = trace.getTracer('@switchyard/data-plane');

/** Why a leg was started: the plan's first upstream, a fail-over, a parallel speculative leg, or a hedge after a latency percentile. */
export type LegKind = 'primary' | 'failover' | 'speculative' | 'hedge';

/**
 * One `adapter_call` span per upstream leg (hedged and speculative legs included), a client span
 * with the GenAI semantic-convention attributes. `parent` is the request's context, captured when
 * the execution started (a hedge timer or a fail-over starts its leg later).
 */
export function startLegSpan(parent: Context, upstream: UpstreamLocation & { key: string }, kind: LegKind, route: string | undefined): Span {
  // Outside a recorded request (tracing off, or a caller without a request span) a leg has no trace to
  // join: the parent's no-op span is returned as is, so the hot path allocates nothing for it.
  const request = trace.getSpan(parent);
  if (!request?.isRecording()) return request ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
  return tracer.startSpan(
    'adapter_call',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [GEN_AI.operationName]: 'chat',
        [GEN_AI.providerName]: upstream.provider,
        [GEN_AI.system]: upstream.provider,
        [GEN_AI.requestModel]: upstream.model,
        [SWITCHYARD.upstream]: upstream.key,
        [SWITCHYARD.legKind]: kind,
        ...(route === undefined ? {} : { [SWITCHYARD.route]: route }),
      },
    },
    parent,
  );
}

export interface LegEnd {
  outcome: 'won' | 'lost' | 'failed';
  attempts: number;
  error?: string | undefined;
  promptTokens?: number;
  completionTokens?: number;
  responseModel?: string;
}

export function endLegSpan(span: Span, end: LegEnd): void {
  if (!span.isRecording()) return;
  span.setAttribute(SWITCHYARD.legOutcome, end.outcome);
  span.setAttribute('switchyard.leg.attempts', end.attempts);
  if (end.responseModel !== undefined) span.setAttribute(GEN_AI.responseModel, end.responseModel);
  if (end.promptTokens !== undefined) span.setAttribute(GEN_AI.inputTokens, end.promptTokens);
  if (end.completionTokens !== undefined) span.setAttribute(GEN_AI.outputTokens, end.completionTokens);
  if (end.outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, ...(end.error === undefined ? {} : { message: end.error.slice(0, 500) }) });
  span.end();
}
