'use client';

import { useState, type FormEvent } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { createDpBudgetMutation, type DpAccountingMode } from '../../../../lib/operations';

const DECIMAL = /^\d+(\.\d+)?$/;

/** Creates a budget (tenant admins; the API refuses anyone else with a clear message). */
export function CreateBudgetForm({ tenantId, onCreated }: { tenantId: string; onCreated: () => void }) {
  const [dataset, setDataset] = useState('');
  const [mode, setMode] = useState<DpAccountingMode>('PURE_EPSILON');
  const [cap, setCap] = useState('1');
  const [delta, setDelta] = useState('0.000001');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (dataset.trim() === '') return setError('Name the dataset this budget protects.');
    if (!DECIMAL.test(cap.trim()) || Number(cap) <= 0) return setError('The cap is a positive decimal, e.g. 1 or 0.5.');
    const deltaValue = Number(delta);
    if (mode === 'ZCDP' && !(deltaValue > 0 && deltaValue < 1)) return setError('δ must be between 0 and 1, e.g. 0.000001.');
    setPending(true);
    setError(null);
    const result = await callConsoleApi(createDpBudgetMutation, {
      input: { tenantId, dataset: dataset.trim(), mode, cap: cap.trim(), ...(mode === 'ZCDP' ? { delta: deltaValue } : {}) },
    });
    setPending(false);
    if (!result.ok) return setError(result.error.message);
    setDataset('');
    onCreated();
  }

  return (
    <form className="stack" style={{ gap: 10 }} onSubmit={(event) => void submit(event)} noValidate>
      <label className="label">
        Dataset
        <input className="input" value={dataset} onChange={(event) => setDataset(event.target.value)} placeholder="patient-visits" autoComplete="off" data-testid="dp-dataset" />
      </label>
      <label className="label">
        Accounting
        <select className="input" value={mode} onChange={(event) => setMode(event.target.value as DpAccountingMode)} data-testid="dp-mode">
          <option value="PURE_EPSILON">pure ε (basic composition)</option>
          <option value="ZCDP">zCDP (ρ, shown as (ε, δ))</option>
        </select>
      </label>
      <label className="label">
        Cap ({mode === 'ZCDP' ? 'ρ' : 'ε'})
        <input className="input" value={cap} onChange={(event) => setCap(event.target.value)} inputMode="decimal" data-testid="dp-cap" />
      </label>
      {mode === 'ZCDP' ? (
        <label className="label">
          δ
          <input className="input" value={delta} onChange={(event) => setDelta(event.target.value)} inputMode="decimal" data-testid="dp-delta" />
        </label>
      ) : null}
      <div>
        <button className="button" type="submit" disabled={pending} data-testid="dp-create-submit">
          {pending ? 'Creating…' : 'Create budget'}
        </button>
      </div>
      {error ? (
        <div className="alert" role="alert" data-testid="dp-form-error">
          {error}
        </div>
      ) : null}
    </form>
  );
}
