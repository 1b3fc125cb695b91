import { z } from 'zod';
import { mean, type ArmSummary } from '../sequential/arm-summary';

/** Limits a challenger must stay within; breaking one stops the experiment (audited). */
export const guardrailsSchema = z
  .object({
    /** Mean cost of a challenger request, micro-USD. */
    maxCostPerRequestMicros: z.number().int().positive().max(1e12).optional(),
    /** How much slower than the champion the challenger may be on average, ms. */
    maxAddedLatencyMs: z.number().int().nonnegative().max(600_000).optional(),
    /** Lowest mean quality score (0..1) the challenger may have. */
    minQuality: z.number().min(0).max(1).optional(),
    /** Data classifications the challenger may receive; the tenant's default must be one of them to start. */
    allowedDataClassifications: z.array(z.enum(['public', 'internal', 'confidential', 'restricted'])).max(4).optional(),
    /** Observations of the challenger before a guardrail is judged (one slow request is not a trend). */
    minSamples: z.number().int().min(1).max(100_000).default(20),
  })
  .strict();

export type Guardrails = z.infer<typeof guardrailsSchema>;

export interface ArmsByMetric {
  champion: Partial<Record<'quality' | 'latency' | 'cost', ArmSummary>>;
  challenger: Partial<Record<'quality' | 'latency' | 'cost', ArmSummary>>;
}

/** The first guardrail the challenger breaks, as a sentence for the audit log; null while within all. Pure. */
export function guardrailBreach(guardrails: Guardrails, arms: ArmsByMetric): string | null {
  const enough = (arm: ArmSummary | undefined): arm is ArmSummary => arm !== undefined && arm.n >= guardrails.minSamples;
  const cost = arms.challenger.cost;
  if (guardrails.maxCostPerRequestMicros !== undefined && enough(cost) && mean(cost) > guardrails.maxCostPerRequestMicros) {
    return `mean cost per request ${Math.round(mean(cost))} µUSD exceeds the guardrail of ${guardrails.maxCostPerRequestMicros} µUSD`;
  }
  const latency = arms.challenger.latency;
  const championLatency = arms.champion.latency;
  if (guardrails.maxAddedLatencyMs !== undefined && enough(latency) && championLatency && championLatency.n > 0) {
    const added = mean(latency) - mean(championLatency);
    if (added > guardrails.maxAddedLatencyMs) return `mean latency ${Math.round(added)} ms above the champion's exceeds the guardrail of ${guardrails.maxAddedLatencyMs} ms`;
  }
  const quality = arms.challenger.quality;
  if (guardrails.minQuality !== undefined && enough(quality) && mean(quality) < guardrails.minQuality) {
    return `mean quality ${mean(quality).toFixed(3)} is below the guardrail of ${guardrails.minQuality}`;
  }
  return null;
}
