import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics';
import { inStep, startStep } from './steps';

/** The step histogram's count and sum for one step, as a scrape reads them. */
async function stepSample(metrics: ReturnType<typeof createMetrics>, step: string): Promise<{ count: number; sum: number }> {
  const { values } = await metrics.stepLatency.get();
  const of = (name: string) => values.find((value) => value.metricName === name && value.labels['step'] === step)?.value ?? 0;
  return { count: of('switchyard_step_duration_seconds_count'), sum: of('switchyard_step_duration_seconds_sum') };
}

describe('step latency (switchyard_step_duration_seconds)', () => {
  it('each step, ended once however it ends, is one sample of its duration under its own label', async () => {
    const metrics = createMetrics();
    await inStep(metrics, 'policy', () => sleep(20));
    await expect(inStep(metrics, 'policy', () => Promise.reject(new Error('denied')))).rejects.toThrow('denied');
    const aggregation = startStep(metrics, 'aggregation');
    await sleep(10);
    aggregation.end();
    aggregation.end(new Error('ended twice'));

    const policy = await stepSample(metrics, 'policy');
    expect(policy.count).toBe(2);
    expect(policy.sum).toBeGreaterThanOrEqual(0.015);
    expect(policy.sum).toBeLessThan(5);
    const aggregated = await stepSample(metrics, 'aggregation');
    expect(aggregated.count).toBe(1);
    expect(aggregated.sum).toBeGreaterThanOrEqual(0.005);
    expect((await stepSample(metrics, 'ingress')).count).toBe(0);
  });
});
