'use client';

import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../../../components/confirm-dialog';
import { callConsoleApi } from '../../../../lib/browser-api';
import { budgetEdit } from '../../../../lib/dp-budget-edit';
import { deleteDpBudgetMutation, updateDpBudgetMutation, type DpBudget } from '../../../../lib/operations';
import styles from './privacy.module.css';

/** Edit a budget's cap and alert thresholds in place, or delete it after a confirmation; the API's refusals show inline. */
export function BudgetActions({ budget, onChanged }: { budget: DpBudget; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [cap, setCap] = useState(budget.cap);
  const [thresholds, setThresholds] = useState(budget.alertThresholds.join(', '));
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const unit = budget.mode === 'ZCDP' ? 'ρ' : 'ε';

  function startEditing() {
    setCap(budget.cap);
    setThresholds(budget.alertThresholds.join(', '));
    setError(null);
    setEditing(true);
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const edit = budgetEdit(budget, cap, thresholds);
    if (!edit.ok) return setError(edit.message);
    setPending(true);
    setError(null);
    const result = await callConsoleApi(updateDpBudgetMutation, { input: { id: budget.id, ...edit.input } });
    setPending(false);
    if (!result.ok) return setError(result.error.message);
    setEditing(false);
    onChanged();
  }

  async function remove() {
    setPending(true);
    setError(null);
    const result = await callConsoleApi(deleteDpBudgetMutation, { id: budget.id });
    setPending(false);
    setConfirmingDelete(false);
    if (!result.ok) return setError(result.error.message);
    onChanged();
  }

  return (
    <div className={styles.budgetActions}>
      {editing ? (
        <form className={styles.editForm} onSubmit={(event) => void save(event)} noValidate aria-label={`Edit ${budget.dataset}`}>
          <label className="label">
            Cap ({unit})
            <input className="input" value={cap} onChange={(event) => setCap(event.target.value)} inputMode="decimal" data-testid="dp-edit-cap" />
          </label>
          <label className="label">
            Alert at % used
            <input className="input" value={thresholds} onChange={(event) => setThresholds(event.target.value)} data-testid="dp-edit-thresholds" />
          </label>
          <div className={styles.editButtons}>
            <button className="button" type="submit" disabled={pending} data-testid="dp-edit-save">
              {pending ? 'Saving…' : 'Save'}
            </button>
            <button className="button buttonSecondary" type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className={styles.editButtons}>
          <button className="button buttonSecondary" type="button" onClick={startEditing} data-testid="dp-edit" aria-label={`Edit ${budget.dataset}`}>
            Edit
          </button>
          <button className="button buttonDanger" type="button" onClick={() => setConfirmingDelete(true)} data-testid="dp-delete" aria-label={`Delete ${budget.dataset}`}>
            Delete
          </button>
        </div>
      )}
      {error ? (
        <div className="alert" role="alert" data-testid="dp-action-error">
          {error}
        </div>
      ) : null}
      <ConfirmDialog
        open={confirmingDelete}
        title={`Delete the budget of “${budget.dataset}”?`}
        confirmLabel={pending ? 'Deleting…' : 'Delete budget'}
        pending={pending}
        onCancel={() => setConfirmingDelete(false)}
        onConfirm={() => void remove()}
      >
        Its ledger of charges goes with it ({budget.spent} {unit} spent). The audit log keeps what was spent; a new budget for the dataset starts from zero.
      </ConfirmDialog>
    </div>
  );
}
