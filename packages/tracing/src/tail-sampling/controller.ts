import { RouteLatency, type RouteLatencyOptions } from './route-latency';

/** What the sampler knows of a finished trace (every span this process recorded for it). */
export interface TraceSummary {
  spanCount: number;
  /** The local root span's duration. */
  rootDurationMs: number;
  route: string | undefined;
  errored: boolean;
  denied: boolean;
  fallback: boolean;
}

export type KeepReason = 'error' | 'denied' | 'slow' | 'fallback' | 'sampled';
export type Decision = { keep: true; reason: KeepReason } | { keep: false };

export interface TailSamplingOptions {
  /** Spans per second to export on average; the mandatory traces come first, sampled ones fill the rest. */
  spansPerSecond: number;
  /** Length of the control window (ms); the probability is recomputed at each window's end. */
  windowMs?: number;
  /** Lowest sampling probability (so a flood still leaves a trickle of ordinary traces). */
  minProbability?: number;
  /** Weight of the newest window in the smoothed rates (0..1]. */
  smoothing?: number;
  slow?: RouteLatencyOptions;
}

/**
 * The dynamic tail sampling controller (pure: clock and randomness are injected). Traces that
 * errored, were denied, were slow for their route or fell back are always kept. The rest are
 * kept with probability p, recomputed every window as
 *
 *     p = clamp((budget − mandatory span rate) / ordinary span rate, minProbability, 1)
 *
 * from smoothed rates of the previous windows, so p follows the load. Within a window the sampled
 * spans are also paced: by the fraction f of the window that has passed, at most
 * f × (budget − projected mandatory spans) may have been sampled, the projection being the larger
 * of the smoothed mandatory rate and what this window's mandatory traces extrapolate to. So a step
 * in load cannot overshoot before p catches up, and mandatory traces arriving late in a window
 * still find the room they need. Mandatory traces are never dropped, even past the budget: a
 * budget that errors alone exceed is an incident, not a sampling problem.
 */
export class TailSamplingController {
  private readonly budgetPerWindow: number;
  private readonly windowMs: number;
  private readonly minProbability: number;
  private readonly smoothing: number;
  private readonly latency: RouteLatency;
  private windowStart: number;
  private probabilityNow = 1;
  private mandatorySpans = 0;
  private ordinarySpans = 0;
  private sampledSpans = 0;
  private mandatoryRate: number | undefined;
  private ordinaryRate: number | undefined;

  constructor(
    options: TailSamplingOptions,
    private readonly clock: () => number,
    private readonly random: () => number = Math.random,
  ) {
    this.windowMs = options.windowMs ?? 1000;
    this.budgetPerWindow = (options.spansPerSecond * this.windowMs) / 1000;
    this.minProbability = options.minProbability ?? 0.001;
    this.smoothing = options.smoothing ?? 0.5;
    this.latency = new RouteLatency(options.slow);
    this.windowStart = clock();
  }

  /** The probability ordinary traces are kept with in the current window. */
  get probability(): number {
    this.roll();
    return this.probabilityNow;
  }

  decide(trace: TraceSummary): Decision {
    this.roll();
    const slow = trace.route !== undefined && this.latency.observe(trace.route, trace.rootDurationMs);
    const reason: KeepReason | undefined = trace.errored ? 'error' : trace.denied ? 'denied' : slow ? 'slow' : trace.fallback ? 'fallback' : undefined;
    if (reason) {
      this.mandatorySpans += trace.spanCount;
      return { keep: true, reason };
    }
    this.ordinarySpans += trace.spanCount;
    if (this.sampledSpans + trace.spanCount > this.sampledAllowance()) return { keep: false };
    if (this.probabilityNow < 1 && this.random() >= this.probabilityNow) return { keep: false };
    this.sampledSpans += trace.spanCount;
    return { keep: true, reason: 'sampled' };
  }

  /** Sampled spans this window may have exported by now (pacing; see the class comment). */
  private sampledAllowance(): number {
    const elapsed = Math.min(1, Math.max(0, (this.clock() - this.windowStart) / this.windowMs));
    // Early in a window the extrapolation is noise: trust it only after a tenth of the window.
    const extrapolated = elapsed >= 0.1 ? this.mandatorySpans / elapsed : 0;
    const projected = Math.max(this.mandatoryRate ?? 0, extrapolated, this.mandatorySpans);
    // One trace of slack so a window with room for a few traces is not starved by rounding.
    return Math.max(0, this.budgetPerWindow - projected) * Math.max(elapsed, 0.02);
  }

  /** Closes every window that has passed and recomputes p from the smoothed rates. */
  private roll(): void {
    const now = this.clock();
    if (now - this.windowStart < this.windowMs) return;
    const windows = Math.floor((now - this.windowStart) / this.windowMs);
    // Idle windows count as empty ones: after a pause the rates decay instead of keeping a stale peak.
    for (let i = 0; i < windows; i++) {
      const mandatory = i === 0 ? this.mandatorySpans : 0;
      const ordinary = i === 0 ? this.ordinarySpans : 0;
      this.mandatoryRate = this.mandatoryRate === undefined ? mandatory : this.smooth(this.mandatoryRate, mandatory);
      this.ordinaryRate = this.ordinaryRate === undefined ? ordinary : this.smooth(this.ordinaryRate, ordinary);
      if (windows > 8 && i >= 8) break;
    }
    this.windowStart += windows * this.windowMs;
    this.mandatorySpans = 0;
    this.ordinarySpans = 0;
    this.sampledSpans = 0;
    const room = Math.max(0, this.budgetPerWindow - (this.mandatoryRate ?? 0));
    const ordinary = this.ordinaryRate ?? 0;
    this.probabilityNow = ordinary <= room ? 1 : Math.max(this.minProbability, room / ordinary);
  }

  private smooth(previous: number, latest: number): number {
    return previous + this.smoothing * (latest - previous);
  }
}
