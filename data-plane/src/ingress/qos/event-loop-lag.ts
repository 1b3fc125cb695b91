import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Source of the event-loop lag signal; tests inject a fixed value. */
export interface EventLoopLagSignal {
  lagMs(): number;
  stop(): void;
}

/**
 * Event-loop delay from `perf_hooks.monitorEventLoopDelay`, as the p99 of the last window:
 * every `windowMs` the histogram is read and reset, so a spike that ended stops shedding
 * after one window instead of haunting a lifetime average.
 */
export function monitorEventLoopLag(windowMs = 1_000): EventLoopLagSignal {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();
  let lastMs = 0;
  const timer = setInterval(() => {
    lastMs = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    histogram.reset();
  }, windowMs);
  timer.unref();
  return {
    lagMs: () => lastMs,
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
