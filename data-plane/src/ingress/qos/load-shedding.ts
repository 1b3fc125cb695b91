import type { QosClass } from './qos-class';

/** How busy this replica is right now. */
export interface Load {
  /** Chat requests being handled. */
  inFlight: number;
  /** Recent event-loop delay (ms): high when the process cannot keep up with its work. */
  eventLoopLagMs: number;
}

export interface SheddingThreshold {
  inFlight: number;
  eventLoopLagMs: number;
}

/** Batch is shed first; interactive only past its own, higher thresholds. */
export interface SheddingThresholds {
  batch: SheddingThreshold;
  interactive: SheddingThreshold;
}

export const DEFAULT_SHEDDING_THRESHOLDS: SheddingThresholds = {
  batch: { inFlight: 256, eventLoopLagMs: 100 },
  interactive: { inFlight: 1_024, eventLoopLagMs: 500 },
};

/** Pure: shed this request when either signal is at or past its class's threshold. */
export function shouldShed(qos: QosClass, load: Load, thresholds: SheddingThresholds): boolean {
  const threshold = thresholds[qos];
  return load.inFlight >= threshold.inFlight || load.eventLoopLagMs >= threshold.eventLoopLagMs;
}
