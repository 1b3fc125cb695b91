import type { CostWindow } from './operations';

export const COST_WINDOW_OPTIONS: ReadonlyArray<{ value: CostWindow; label: string; testId: string }> = [
  { value: 'LAST_15_MINUTES', label: '15 min', testId: 'cost-window-15m' },
  { value: 'LAST_HOUR', label: '1 h', testId: 'cost-window-1h' },
  { value: 'LAST_24_HOURS', label: '24 h', testId: 'cost-window-24h' },
];

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * LLM costs are tiny per request, so small amounts keep six decimals (`$0.004512`) while larger
 * ones read like money (`$1,234.57`). Negative and non-finite input never reaches the UI as `NaN`.
 */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return '$0.000000';
  const sign = amount < 0 ? '-' : '';
  const magnitude = Math.abs(amount);
  if (magnitude < 1) return `${sign}$${magnitude.toFixed(6)}`;
  if (magnitude < 100) return `${sign}$${magnitude.toFixed(4)}`;
  return `${sign}$${new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(magnitude)}`;
}

export function formatInteger(value: number): string {
  return Number.isFinite(value) ? integerFormat.format(Math.round(value)) : '0';
}

/** `12.3k`, `4.5M`: for axis ticks, where space is short. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return '0';
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/** Share of a total as a percentage with one decimal; 0 when the total is 0. */
export function formatShare(part: number, total: number): string {
  if (!(total > 0) || !Number.isFinite(part)) return '0.0%';
  return `${((part / total) * 100).toFixed(1)}%`;
}

/** Axis ticks: enough decimals to tell tiny per-minute costs apart ($0.000088), no more. */
export function formatAxisUsd(value: number): string {
  if (!Number.isFinite(value) || value === 0) return '$0';
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 1 ? 2 : Math.min(8, Math.max(2, Math.ceil(-Math.log10(magnitude)) + 1));
  return `${value < 0 ? '-' : ''}$${magnitude.toFixed(decimals)}`;
}
