import { SpanStatusCode, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SWITCHYARD } from '../attributes';
import type { Decision, TailSamplingController, TraceSummary } from './controller';

export interface TailSamplingProcessorOptions {
  /** Traces buffered at once; past it the oldest is decided with what it has. */
  maxTraces?: number;
  /** A trace whose local root has not ended after this long is decided with what it has. */
  traceTimeoutMs?: number;
  /** Decisions remembered for spans that end after their root (a losing leg, the accounting step). */
  rememberDecisions?: number;
  clock?: () => number;
  /** Told about each decision (metrics, benchmarks). */
  onDecision?: (decision: Decision, trace: TraceSummary) => void;
}

interface PendingTrace {
  spans: ReadableSpan[];
  firstSeen: number;
  errored: boolean;
  denied: boolean;
  fallback: boolean;
  route: string | undefined;
}

/**
 * Buffers the spans of each trace until its local root span ends (the request's server span,
 * or a consumer's span whose parent is remote), asks the controller, then hands the whole trace
 * to the next processor (the exporter's batch processor) or drops it. Spans of a trace already
 * decided follow its decision.
 */
export class TailSamplingSpanProcessor implements SpanProcessor {
  private readonly pending = new Map<string, PendingTrace>();
  private readonly decided = new Map<string, boolean>();
  private readonly maxTraces: number;
  private readonly traceTimeoutMs: number;
  private readonly rememberDecisions: number;
  private readonly clock: () => number;
  private lastSweep: number;

  constructor(
    private readonly next: SpanProcessor,
    private readonly controller: TailSamplingController,
    private readonly options: TailSamplingProcessorOptions = {},
  ) {
    this.maxTraces = options.maxTraces ?? 10_000;
    this.traceTimeoutMs = options.traceTimeoutMs ?? 30_000;
    this.rememberDecisions = options.rememberDecisions ?? 10_000;
    this.clock = options.clock ?? Date.now;
    this.lastSweep = this.clock();
  }

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    const known = this.decided.get(traceId);
    if (known !== undefined) {
      if (known) this.next.onEnd(span);
      return;
    }
    let trace = this.pending.get(traceId);
    if (!trace) {
      trace = { spans: [], firstSeen: this.clock(), errored: false, denied: false, fallback: false, route: undefined };
      if (this.pending.size >= this.maxTraces) this.decideOldest();
      this.pending.set(traceId, trace);
    }
    trace.spans.push(span);
    if (span.status.code === SpanStatusCode.ERROR) trace.errored = true;
    const attributes = span.attributes;
    if (attributes[SWITCHYARD.policyDecision] === 'deny') trace.denied = true;
    if (attributes[SWITCHYARD.fallback] === true) trace.fallback = true;
    const route = attributes[SWITCHYARD.route];
    if (typeof route === 'string' && trace.route === undefined) trace.route = route;

    const parent = span.parentSpanContext;
    if (parent === undefined || parent.isRemote === true) this.decide(traceId, trace, durationMs(span));
    this.sweep();
  }

  async forceFlush(): Promise<void> {
    for (const [traceId, trace] of [...this.pending]) this.decide(traceId, trace, undefined);
    await this.next.forceFlush();
  }

  async shutdown(): Promise<void> {
    for (const [traceId, trace] of [...this.pending]) this.decide(traceId, trace, undefined);
    await this.next.shutdown();
  }

  private decide(traceId: string, trace: PendingTrace, rootDurationMs: number | undefined): void {
    this.pending.delete(traceId);
    const summary: TraceSummary = {
      spanCount: trace.spans.length,
      rootDurationMs: rootDurationMs ?? Math.max(...trace.spans.map(durationMs)),
      route: trace.route,
      errored: trace.errored,
      denied: trace.denied,
      fallback: trace.fallback,
    };
    const decision = this.controller.decide(summary);
    this.options.onDecision?.(decision, summary);
    if (decision.keep) for (const span of trace.spans) this.next.onEnd(span);
    this.decided.set(traceId, decision.keep);
    if (this.decided.size > this.rememberDecisions) {
      const oldest = this.decided.keys().next();
      if (!oldest.done) this.decided.delete(oldest.value);
    }
  }

  private decideOldest(): void {
    const oldest = this.pending.entries().next();
    if (!oldest.done) this.decide(oldest.value[0], oldest.value[1], undefined);
  }

  /** At most once a second: traces whose root never ended here (or ended in another process) are decided with what they have. */
  private sweep(): void {
    const now = this.clock();
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [traceId, trace] of this.pending) {
      // Insertion order is arrival order: the first young trace ends the sweep.
      if (now - trace.firstSeen < this.traceTimeoutMs) break;
      this.decide(traceId, trace, undefined);
    }
  }
}

function durationMs(span: ReadableSpan): number {
  const [seconds, nanos] = span.duration;
  return seconds * 1000 + nanos / 1e6;
}
