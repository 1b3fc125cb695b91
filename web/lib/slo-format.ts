import type { Slo, SloBurnWindow } from './slo-operations';

/** `300` → `5m`, `3600` → `1h`, `86400` → `24h` (how people name burn-rate windows). */
export function windowLabel(seconds: number): string {
  if (seconds % 3_600 === 0) return `${seconds / 3_600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

const percent = (share: number, digits: number) => `${(share * 100).toFixed(digits).replace(/\.?0+$/, '')} %`;

/** What the SLO promises, in the words its class uses. */
export function describeObjective(slo: Pick<Slo, 'kind' | 'objective' | 'percentile' | 'thresholdMs' | 'maxRegret' | 'minSavingsPct' | 'windowDays'>): string {
  const window = `over ${slo.windowDays} d`;
  switch (slo.kind) {
    case 'LATENCY':
      return `p${slo.percentile ?? slo.objective * 100} ≤ ${slo.thresholdMs ?? '?'} ms ${window}`;
    case 'AVAILABILITY':
      return `${percent(slo.objective, 3)} answered ${window}`;
    case 'QUALITY':
      return `${percent(slo.objective, 3)} with regret ≤ ${slo.maxRegret ?? '?'} ${window}`;
    case 'COST':
      return `${percent(slo.objective, 3)} saving ≥ ${slo.minSavingsPct ?? '?'} % ${window}`;
  }
}

export function formatSli(sli: number | null): string {
  return sli === null ? '—' : percent(sli, 3);
}

/** Remaining error budget: may be negative (overspent), shown as such. */
export function formatBudget(remaining: number): string {
  return percent(remaining, 1);
}

/** Width of a budget bar, 0..100. */
export function budgetBarPercent(remaining: number): number {
  return Math.max(0, Math.min(100, remaining * 100));
}

export function formatBurn(rate: number): string {
  if (rate === 0) return '0×';
  // 14.4× stays 14.4× (the page threshold); large rates drop the decimal.
  return rate >= 100 ? `${rate.toFixed(0)}×` : `${Number(rate.toFixed(1))}×`;
}

/** Burn rate as a share of the alert threshold (1 = at the threshold): what the chart plots. */
export function burnShareOfThreshold(window: Pick<SloBurnWindow, 'threshold'>, rate: number): number {
  return window.threshold > 0 ? rate / window.threshold : 0;
}
