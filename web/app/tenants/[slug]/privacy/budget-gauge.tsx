import type { DpBudget } from '../../../../lib/operations';
import type { ReactNode } from 'react';
import styles from './privacy.module.css';

const RADIUS = 52;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;

/** Share of the cap still available, 0..1 (from exact micro-unit strings). */
export function remainingShare(budget: Pick<DpBudget, 'remainingMicros' | 'capMicros'>): number {
  const cap = Number(budget.capMicros);
  return cap > 0 ? Math.min(1, Math.max(0, Number(budget.remainingMicros) / cap)) : 0;
}

function tone(share: number, thresholds: readonly number[]): 'ok' | 'warn' | 'danger' {
  const used = (1 - share) * 100;
  const highest = thresholds.length > 0 ? Math.max(...thresholds) : 95;
  if (used >= highest) return 'danger';
  if (thresholds.some((threshold) => used >= threshold)) return 'warn';
  return 'ok';
}

/** A radial gauge of what remains of one budget, with the threshold ticks. Plain SVG: renders on the server too. */
export function BudgetGauge({ budget, children }: { budget: DpBudget; children?: ReactNode }) {
  const share = remainingShare(budget);
  const unit = budget.mode === 'ZCDP' ? 'ρ' : 'ε';
  const level = tone(share, budget.alertThresholds);
  return (
    <figure className={styles.gauge} data-testid="dp-gauge" data-dataset={budget.dataset} data-remaining-share={share.toFixed(6)}>
      <svg viewBox="0 0 128 128" width="128" height="128" role="img" aria-label={`${budget.dataset}: ${budget.remaining} of ${budget.cap} ${unit} remaining`}>
        <circle cx="64" cy="64" r={RADIUS} className={styles.gaugeTrack} />
        <circle
          cx="64"
          cy="64"
          r={RADIUS}
          className={`${styles.gaugeValue} ${styles[level]}`}
          strokeDasharray={`${(share * CIRCUMFERENCE).toFixed(3)} ${CIRCUMFERENCE.toFixed(3)}`}
          transform="rotate(-90 64 64)"
        />
        {budget.alertThresholds.map((threshold) => {
          // Ticks where use reaches a threshold, i.e. where remaining = 100 − threshold %.
          const angle = ((100 - threshold) / 100) * 2 * Math.PI - Math.PI / 2;
          return (
            <line
              key={threshold}
              x1={64 + (RADIUS - 8) * Math.cos(angle)}
              y1={64 + (RADIUS - 8) * Math.sin(angle)}
              x2={64 + (RADIUS + 8) * Math.cos(angle)}
              y2={64 + (RADIUS + 8) * Math.sin(angle)}
              className={styles.gaugeTick}
            />
          );
        })}
        <text x="64" y="62" textAnchor="middle" className={styles.gaugePercent}>
          {Math.round(share * 100)}%
        </text>
        <text x="64" y="80" textAnchor="middle" className={styles.gaugeCaption}>
          left
        </text>
      </svg>
      <figcaption className={styles.gaugeText}>
        <strong className={styles.dataset}>{budget.dataset}</strong>
        <span>
          <span data-testid="dp-remaining">{budget.remaining}</span> of {budget.cap} {unit} remaining
        </span>
        <span className="muted">
          spent {budget.spent} · reserved {budget.reserved} · {budget.mode === 'ZCDP' ? 'zCDP' : 'pure ε'}
        </span>
        {budget.capEpsilonDelta ? (
          <span className="muted">
            cap ≈ ({budget.capEpsilonDelta.epsilon.toFixed(3)}, {budget.capEpsilonDelta.delta.toExponential(0)})-DP
          </span>
        ) : null}
        {children}
      </figcaption>
    </figure>
  );
}
