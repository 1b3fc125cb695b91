export { TailSamplingController, type Decision, type KeepReason, type TailSamplingOptions, type TraceSummary } from './controller';
export { RouteLatency, type RouteLatencyOptions } from './route-latency';
export { TailSamplingSpanProcessor, type TailSamplingProcessorOptions } from './span-processor';
