import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SWITCHYARD } from '@switchyard/tracing';
import { TailSamplingController, TailSamplingSpanProcessor } from '@switchyard/tracing/tail-sampling';

/**
 * `npm run bench -- --tracing`: the dynamic tail sampler under changing load, in real time, with
 * the real SDK (tracer provider, span processor chain, batch processor) and an exporter that counts
 * what would leave the process. Synthetic request traces of six spans (server span, ingress, policy,
 * routing_decision, adapter_call, accounting), 2 % errored, 1 % denied, 1 % fallback; the load is
 * the budget (1×), then ten times it, then the budget again. Writes its section of BENCHMARKS.md.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const quick = process.argv.includes('--quick');
const BUDGET = 600; // spans per second
const SPANS_PER_TRACE = 6;
const BASE_TRACES_PER_SECOND = BUDGET / SPANS_PER_TRACE; // 1× load = exactly the budget
const PHASES = [
  { name: '1× (at budget)', factor: 1, seconds: quick ? 4 : 10 },
  { name: '10×', factor: 10, seconds: quick ? 8 : 20 },
  { name: '1× again', factor: 1, seconds: quick ? 4 : 10 },
];

/** Counts exported spans per wall-clock second, and which error traces made it out. */
class CountingExporter implements SpanExporter {
  readonly perSecond = new Map<number, number>();
  readonly errorTraces = new Set<string>();
  constructor(private readonly start: number) {}
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    for (const span of spans) {
      // Attributed to the second the trace was decided in (its root's end), not the batch's flush.
      const second = Math.floor((span.endTime[0] * 1000 + span.endTime[1] / 1e6 - this.start) / 1000);
      this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
      if (span.status.code === SpanStatusCode.ERROR) this.errorTraces.add(span.spanContext().traceId);
    }
    done({ code: 0 });
  }
  shutdown = () => Promise.resolve();
  forceFlush = () => Promise.resolve();
}

const start = Date.now();
const exporter = new CountingExporter(start);
const controller = new TailSamplingController({ spansPerSecond: BUDGET }, Date.now);
const decisions = { kept: 0, dropped: 0, reasons: new Map<string, number>() };
const processor = new TailSamplingSpanProcessor(new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 2048, scheduledDelayMillis: 200 }), controller, {
  onDecision(decision) {
    if (decision.keep) {
      decisions.kept += 1;
      decisions.reasons.set(decision.reason, (decisions.reasons.get(decision.reason) ?? 0) + 1);
    } else decisions.dropped += 1;
  },
});
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
const tracer = provider.getTracer('bench');

let sequence = 0;
const erroredTraces = new Set<string>();
/** One request's trace: children end before the root, as in the data plane. */
function request(): void {
  const i = sequence++;
  const errored = i % 50 === 0;
  const denied = i % 100 === 1;
  const fallback = i % 100 === 2;
  const now = Date.now();
  // Durations as a gateway sees them: ~20–120 ms, a slow tail for one request in 200.
  const durationMs = i % 200 === 3 ? 2_000 : 20 + (i % 100);
  const root = tracer.startSpan('POST /v1/chat/completions', { kind: SpanKind.SERVER, startTime: now - durationMs, attributes: { [SWITCHYARD.route]: i % 2 ? 'chat' : 'cheap' } }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  for (const name of ['ingress', 'policy', 'routing_decision', 'adapter_call', 'accounting']) {
    const span = tracer.startSpan(name, { startTime: now - durationMs }, ctx);
    if (name === 'policy' && denied) span.setAttribute(SWITCHYARD.policyDecision, 'deny');
    if (name === 'adapter_call' && errored) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(now);
  }
  if (fallback) root.setAttribute(SWITCHYARD.fallback, true);
  if (errored) {
    root.setStatus({ code: SpanStatusCode.ERROR });
    erroredTraces.add(root.spanContext().traceId);
  }
  root.end(now);
}

const phases: Array<{ name: string; offeredSpansPerSecond: number; fromSecond: number; toSecond: number; probabilityAtEnd: number }> = [];
let second = 0;
for (const phase of PHASES) {
  const fromSecond = second;
  const rate = BASE_TRACES_PER_SECOND * phase.factor;
  const phaseStart = start + second * 1000;
  const phaseEnd = phaseStart + phase.seconds * 1000;
  // Paced by the clock, not by timer ticks (a 10 ms timer fires late): the offered load is exactly the rate.
  let sent = 0;
  while (Date.now() < phaseEnd) {
    const due = Math.floor((rate * (Date.now() - phaseStart)) / 1000);
    for (; sent < due; sent++) request();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  second += phase.seconds;
  phases.push({ name: phase.name, offeredSpansPerSecond: BUDGET * phase.factor, fromSecond, toSecond: second, probabilityAtEnd: controller.probability });
  process.stderr.write(`[tracing bench] ${phase.name}: p=${controller.probability.toFixed(3)}\n`);
}
await provider.forceFlush();
await provider.shutdown();

const rows = phases.map((phase) => {
  const seconds = [];
  for (let s = phase.fromSecond; s < phase.toSecond; s++) seconds.push(exporter.perSecond.get(s) ?? 0);
  const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
  return { ...phase, exportedMean: Math.round(mean), exportedMax: Math.max(...seconds), exportedMin: Math.min(...seconds) };
});
const keptErrors = [...erroredTraces].filter((id) => exporter.errorTraces.has(id)).length;
const result = { budget: BUDGET, rows, errorTraces: erroredTraces.size, keptErrorTraces: keptErrors, decisions: { ...decisions, reasons: Object.fromEntries(decisions.reasons) } };
mkdirSync(path.join(REPO_ROOT, 'bench-results'), { recursive: true });
writeFileSync(path.join(REPO_ROOT, 'bench-results', 'tracing.json'), `${JSON.stringify(result, null, 2)}\n`);

const section = `<!-- tracing-bench:start -->
## Tail sampling: exported span rate under 10× load (budget ${BUDGET} spans/s)

Measured by \`npm run bench -- --tracing${quick ? ' --quick' : ''}\` (e2e/bench/tracing.ts), ${new Date().toISOString()}: the real SDK
(tracer provider → TailSamplingSpanProcessor → BatchSpanProcessor) with an exporter that counts what
would leave the process, in real time. Synthetic request traces of ${SPANS_PER_TRACE} spans; 2 % errored, 1 % denied,
1 % fallback, 0.5 % slow for their route. \`OTEL_SPAN_BUDGET_PER_SECOND=${BUDGET}\`; 1× offers exactly the budget.

| phase | offered spans/s | exported spans/s (mean) | min | max (any one second) | p at the phase's end |
|---|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.name} | ${r.offeredSpansPerSecond} | ${r.exportedMean} | ${r.exportedMin} | ${r.exportedMax} | ${r.probabilityAtEnd.toFixed(3)} |`).join('\n')}

Error traces kept: **${keptErrors} of ${erroredTraces.size}** (${((100 * keptErrors) / Math.max(1, erroredTraces.size)).toFixed(1)} %). Decisions: ${decisions.kept} traces kept
(${[...decisions.reasons].map(([reason, count]) => `${reason} ${count}`).join(', ')}), ${decisions.dropped} dropped.
The mandatory traces (errors, denials, fallbacks, slow) count against the budget first; ordinary
traces fill the rest with probability p, recomputed every second from smoothed rates, and paced within
the second (by the fraction of the second passed, at most that fraction of the budget left after the
projected mandatory spans), so the step to 10× cannot overshoot before p adapts. Mandatory traces are
kept even past the budget (not the case here: at 10× they are about a third of it).
After the flood the sampler under-uses the budget for a few seconds (the "1× again" minimum): the
smoothed rates halve every second, so p and the paced allowance return to full over ~3–5 s.
<!-- tracing-bench:end -->`;
const file = path.join(REPO_ROOT, 'BENCHMARKS.md');
const current = readFileSync(file, 'utf8');
const marked = /<!-- tracing-bench:start -->[\s\S]*<!-- tracing-bench:end -->/;
writeFileSync(file, marked.test(current) ? current.replace(marked, section) : `${current.trimEnd()}\n\n${section}\n`);
console.log(section);
if (keptErrors !== erroredTraces.size || rows.some((r) => r.exportedMax > BUDGET)) process.exitCode = 1;
