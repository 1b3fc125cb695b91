import { describe, expect, it } from 'vitest';
import { statisticsOf, armsOf, auditStatistics } from './experiment-statistics';

const row = (arm: string, metric: string, n: number, meanValue: number, sd: number) => ({
  experimentId: 'e',
  arm,
  metric,
  n,
  sum: n * meanValue,
  sumSq: (n - 1) * sd * sd + n * meanValue * meanValue,
});

describe('statisticsOf', () => {
  const experiment = { metric: 'cost', alpha: 0.05, tau2: 100 };

  it('favours a clearly cheaper challenger (lower is better for cost)', () => {
    const stats = statisticsOf(experiment, armsOf([row('champion', 'cost', 200, 100, 10), row('challenger', 'cost', 200, 80, 10)]));
    expect(stats.decision).toBe('challenger');
    expect(stats.test.upper).toBeLessThan(0);
    expect(auditStatistics(stats)).toMatchObject({ metric: 'cost', samples: { champion: 200, challenger: 200 } });
  });

  it('favours the champion when the challenger is dearer, and decides nothing on equal arms', () => {
    expect(statisticsOf(experiment, armsOf([row('champion', 'cost', 200, 80, 10), row('challenger', 'cost', 200, 100, 10)])).decision).toBe('champion');
    expect(statisticsOf(experiment, armsOf([row('champion', 'cost', 200, 90, 10), row('challenger', 'cost', 200, 90, 10)])).decision).toBe('undecided');
  });

  it('higher is better for quality', () => {
    const stats = statisticsOf({ ...experiment, metric: 'quality', tau2: 0.01 }, armsOf([row('champion', 'quality', 300, 0.6, 0.1), row('challenger', 'quality', 300, 0.7, 0.1)]));
    expect(stats.decision).toBe('challenger');
  });

  it('records no infinities for the audit log before the minimum sample', () => {
    const audit = auditStatistics(statisticsOf(experiment, armsOf([])));
    expect(audit.lower).toBeNull();
    expect(JSON.stringify(audit)).not.toContain('Infinity');
  });
});
