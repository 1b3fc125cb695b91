import { formatMicroUnits, zcdpToEpsilon, MICRO } from '@switchyard/ledger';

/** A budget as the store returns it; amounts in integer micro-units of ε (pure-ε) or ρ (zCDP). */
export interface DpBudget {
  id: string;
  tenantId: string;
  dataset: string;
  mode: 'pure_epsilon' | 'zcdp';
  capMicros: bigint;
  spentMicros: bigint;
  reservedMicros: bigint;
  delta: number | null;
  alertThresholds: number[];
  createdAt: Date;
}

export type DpChargeState = 'reserved' | 'committed' | 'released';

export interface DpCharge {
  id: string;
  budgetId: string;
  tenantId: string;
  idempotencyKey: string;
  amountMicros: bigint;
  mechanism: string;
  state: DpChargeState;
  noiseDrawn: boolean;
  noisyValue: string | null;
  expiresAt: Date;
  createdAt: Date;
}

export const DEFAULT_ALERT_THRESHOLDS = [50, 80, 95] as const;

export function remainingMicros(budget: Pick<DpBudget, 'capMicros' | 'spentMicros' | 'reservedMicros'>): bigint {
  return budget.capMicros - budget.spentMicros - budget.reservedMicros;
}

/** Thresholds (percent of the cap) that use crossed going from `before` to `after` micro-units, ascending. */
export function crossedThresholds(thresholds: readonly number[], capMicros: bigint, before: bigint, after: bigint): number[] {
  if (after <= before) return [];
  // Exact integer comparison: used ≥ p% of cap ⇔ used·100 ≥ p·cap.
  const reached = (used: bigint, percent: number) => used * 100n >= BigInt(percent) * capMicros;
  return [...thresholds].sort((a, b) => a - b).filter((percent) => !reached(before, percent) && reached(after, percent));
}

export interface EpsilonDelta {
  epsilon: number;
  delta: number;
}

/** (ε, δ) shown for a zCDP amount (display only: accounting stays in integer ρ). */
export function epsilonDeltaOf(budget: Pick<DpBudget, 'mode' | 'delta'>, rhoMicros: bigint): EpsilonDelta | null {
  if (budget.mode !== 'zcdp' || budget.delta === null) return null;
  return { epsilon: zcdpToEpsilon(Number(rhoMicros) / Number(MICRO), budget.delta), delta: budget.delta };
}

/** The budget as the GraphQL API shows it. */
export function budgetView(budget: DpBudget) {
  const remaining = remainingMicros(budget);
  const used = budget.spentMicros + budget.reservedMicros;
  return {
    id: budget.id,
    tenantId: budget.tenantId,
    dataset: budget.dataset,
    mode: budget.mode === 'zcdp' ? 'ZCDP' : 'PURE_EPSILON',
    capMicros: budget.capMicros.toString(),
    spentMicros: budget.spentMicros.toString(),
    reservedMicros: budget.reservedMicros.toString(),
    remainingMicros: remaining.toString(),
    cap: formatMicroUnits(budget.capMicros),
    spent: formatMicroUnits(budget.spentMicros),
    reserved: formatMicroUnits(budget.reservedMicros),
    remaining: formatMicroUnits(remaining),
    usedPercent: Number((used * 10_000n) / budget.capMicros) / 100,
    delta: budget.delta,
    capEpsilonDelta: epsilonDeltaOf(budget, budget.capMicros),
    spentEpsilonDelta: epsilonDeltaOf(budget, budget.spentMicros),
    alertThresholds: [...budget.alertThresholds].sort((a, b) => a - b),
    createdAt: budget.createdAt,
  };
}

export function chargeView(charge: DpCharge) {
  return {
    id: charge.id,
    budgetId: charge.budgetId,
    idempotencyKey: charge.idempotencyKey,
    amountMicros: charge.amountMicros.toString(),
    mechanism: charge.mechanism,
    state: charge.state.toUpperCase(),
    noiseDrawn: charge.noiseDrawn,
    expiresAt: charge.expiresAt,
    createdAt: charge.createdAt,
  };
}
