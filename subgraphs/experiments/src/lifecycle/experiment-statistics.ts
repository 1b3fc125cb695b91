import { EMPTY_ARM, mean, type ArmSummary } from '../sequential/arm-summary';
import { sequentialTest, verdict, type Direction, type SequentialTestResult } from '../sequential/msprt';
import type { ArmStatRecord, ExperimentRecord, Metric } from '../experiment-record';
import type { ArmsByMetric } from './guardrails';

/** Lower is better for latency and cost; higher for quality. */
export function directionOf(metric: string): Direction {
  return metric === 'quality' ? 'higher_is_better' : 'lower_is_better';
}

export function armsOf(stats: readonly ArmStatRecord[]): ArmsByMetric {
  const arms: ArmsByMetric = { champion: {}, challenger: {} };
  for (const row of stats) {
    if (row.arm !== 'champion' && row.arm !== 'challenger') continue;
    arms[row.arm][row.metric as Metric] = { n: row.n, sum: row.sum, sumSq: row.sumSq };
  }
  return arms;
}

export interface ExperimentStatistics {
  metric: string;
  champion: ArmSummary;
  challenger: ArmSummary;
  test: SequentialTestResult;
  /** Which arm the always-valid test favours on the experiment's metric. */
  decision: 'challenger' | 'champion' | 'undecided';
}

/** The experiment's test on its metric, from stored arm statistics. Pure. */
export function statisticsOf(experiment: Pick<ExperimentRecord, 'metric' | 'alpha' | 'tau2'>, arms: ArmsByMetric): ExperimentStatistics {
  const metric = experiment.metric as Metric;
  const champion = arms.champion[metric] ?? EMPTY_ARM;
  const challenger = arms.challenger[metric] ?? EMPTY_ARM;
  const test = sequentialTest(champion, challenger, { alpha: experiment.alpha, tau2: experiment.tau2 });
  return { metric, champion, challenger, test, decision: verdict(test, directionOf(metric)) };
}

/** The statistics as the audit log records a decision (finite numbers only: JSON has no Infinity). */
export function auditStatistics(statistics: ExperimentStatistics): Record<string, unknown> {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    metric: statistics.metric,
    estimate: statistics.test.estimate,
    lower: finite(statistics.test.lower),
    upper: finite(statistics.test.upper),
    eValue: finite(statistics.test.eValue),
    pValue: statistics.test.pValue,
    samples: statistics.test.samples,
    championMean: mean(statistics.champion),
    challengerMean: mean(statistics.challenger),
  };
}
