import { describe, expect, it } from 'vitest';
import { EMPTY_ARM, observe, type ArmSummary } from '../sequential/arm-summary';
import { guardrailBreach, guardrailsSchema } from './guardrails';

const arm = (value: number, n: number): ArmSummary => Array.from({ length: n }).reduce<ArmSummary>((a) => observe(a, value), EMPTY_ARM);

describe('guardrailBreach', () => {
  const guardrails = guardrailsSchema.parse({ maxCostPerRequestMicros: 100, maxAddedLatencyMs: 50, minQuality: 0.7, minSamples: 10 });

  it('is null while the challenger stays within every guardrail', () => {
    expect(guardrailBreach(guardrails, { champion: { latency: arm(100, 10) }, challenger: { cost: arm(90, 10), latency: arm(140, 10), quality: arm(0.8, 10) } })).toBeNull();
  });

  it('names the cost, latency and quality breaches', () => {
    expect(guardrailBreach(guardrails, { champion: {}, challenger: { cost: arm(150, 10) } })).toMatch(/cost per request 150/);
    expect(guardrailBreach(guardrails, { champion: { latency: arm(100, 10) }, challenger: { latency: arm(200, 10) } })).toMatch(/latency 100 ms above/);
    expect(guardrailBreach(guardrails, { champion: {}, challenger: { quality: arm(0.5, 10) } })).toMatch(/quality 0.500/);
  });

  it('judges nothing before the minimum sample', () => {
    expect(guardrailBreach(guardrails, { champion: {}, challenger: { cost: arm(1_000, 9) } })).toBeNull();
  });

  it('refuses unknown guardrails', () => {
    expect(guardrailsSchema.safeParse({ maxCost: 1 }).success).toBe(false);
  });
});
