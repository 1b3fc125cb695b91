/** How one upstream leg of a request ended: it answered, it lost a race, or it failed. */
export type LegOutcome = 'won' | 'lost' | 'failed';

/** What one leg (one upstream, all its retries) did; logged, counted, and billed. */
export interface LegRecord {
  /** `provider/model`. */
  upstream: string;
  model: string;
  outcome: LegOutcome;
  attempts: number;
  error?: string;
  /** Tokens this leg actually generated (0 unless it produced output). */
  promptTokens: number;
  completionTokens: number;
}
