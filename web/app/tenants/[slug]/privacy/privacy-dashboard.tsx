'use client';

import type { DpBudget } from '../../../../lib/operations';
import { BudgetActions } from './budget-actions';
import { BudgetGauge } from './budget-gauge';
import { CreateBudgetForm } from './create-budget-form';
import styles from './privacy.module.css';
import { useLiveBudgets } from './use-live-budgets';

export function PrivacyDashboard(props: { tenantId: string; wsUrl: string; initialBudgets: DpBudget[] | null }) {
  const { budgets, status, error, refresh } = useLiveBudgets(props);
  return (
    <div className={styles.layout}>
      <div className="stack">
        <div className={styles.toolbar}>
          <span className="muted">Remaining budget per dataset; updates as charges and noisy releases happen.</span>
          <span className={`badge ${status === 'live' ? 'badgeSuccess' : 'badgeWarning'}`} role="status" aria-live="polite">
            <span className={styles.liveDot} aria-hidden="true" />
            <span data-testid="live-status">{status}</span>
          </span>
        </div>
        {error ? (
          <div className="alert" role="alert" data-testid="live-error">
            Live updates failed: {error}
          </div>
        ) : null}
        <section className="card" aria-label="Privacy budgets">
          <div className="cardHeader">
            <h2>Budgets</h2>
            <span className="muted">{budgets ? `${budgets.length} dataset${budgets.length === 1 ? '' : 's'}` : ''}</span>
          </div>
          <div className={styles.gauges}>
            {(budgets ?? []).map((budget) => (
              <BudgetGauge key={budget.id} budget={budget}>
                <BudgetActions budget={budget} onChanged={() => void refresh()} />
              </BudgetGauge>
            ))}
            {budgets && budgets.length === 0 ? <p className="empty">No privacy budgets yet.</p> : null}
            {budgets === null ? <p className="empty">Loading budgets…</p> : null}
          </div>
        </section>
      </div>
      <section className="card" aria-label="Create privacy budget">
        <div className="cardHeader">
          <h2>New budget</h2>
        </div>
        <CreateBudgetForm tenantId={props.tenantId} onCreated={() => void refresh()} />
      </section>
    </div>
  );
}
