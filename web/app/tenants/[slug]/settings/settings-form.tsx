'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import type { ConsoleError } from '../../../../lib/console-error';
import { DATA_CLASSIFICATIONS, updateTenantSettingsMutation, type DataClassification, type QuotaDefaults, type TenantSettings } from '../../../../lib/settings-operations';
import { settingsInputFrom, type SettingsFormValues } from '../../../../lib/tenant-settings-form';
import styles from './settings.module.css';

const QUOTAS = [
  { field: 'requestsPerMinute', label: 'Requests per minute' },
  { field: 'tokensPerMinute', label: 'Tokens per minute' },
  { field: 'tokensPerDay', label: 'Tokens per day' },
] as const;

const formatNumber = (value: number): string => value.toLocaleString('en-US');

function valuesOf(settings: TenantSettings): SettingsFormValues {
  return {
    regions: settings.allowedRegions.join(', '),
    classification: settings.defaultDataClassification,
    requestsPerMinute: settings.quotas.requestsPerMinute?.toString() ?? '',
    tokensPerMinute: settings.quotas.tokensPerMinute?.toString() ?? '',
    tokensPerDay: settings.quotas.tokensPerDay?.toString() ?? '',
  };
}

/**
 * The tenant's allowed regions, default data classification and quotas: shown to every member,
 * a form for tenant admins and platform admins. Tenant admins may set quotas up to the platform
 * default; more takes a platform admin (the API refuses it either way).
 */
export function SettingsForm(props: { tenantId: string; settings: TenantSettings; defaults: QuotaDefaults; canEdit: boolean; canRaiseQuotas: boolean }) {
  const { tenantId, defaults, canEdit, canRaiseQuotas } = props;
  const router = useRouter();
  const [saved, setSaved] = useState<TenantSettings>(props.settings);
  const [values, setValues] = useState<SettingsFormValues>(() => valuesOf(props.settings));
  const [error, setError] = useState<(ConsoleError & { field?: string }) | null>(null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const set = (field: keyof SettingsFormValues) => (value: string) => {
    setDone(false);
    setValues((current) => ({ ...current, [field]: value }));
  };

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = settingsInputFrom(tenantId, values, defaults, canRaiseQuotas, saved.quotas);
    if (!parsed.ok) {
      setError({ code: 'BAD_USER_INPUT', message: parsed.message, field: parsed.field });
      return;
    }
    setPending(true);
    setError(null);
    setDone(false);
    const result = await callConsoleApi(updateTenantSettingsMutation, { input: parsed.input });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setSaved(result.data.updateTenantSettings);
    setValues(valuesOf(result.data.updateTenantSettings));
    setDone(true);
    router.refresh();
  }

  return (
    <section className="card" aria-label="Tenant settings">
      <div className="cardHeader">
        <h2>Data handling and quotas</h2>
      </div>
      <dl className={styles.summary} data-testid="settings-summary">
        <dt>Allowed regions</dt>
        <dd data-testid="settings-regions">{saved.allowedRegions.length === 0 ? 'any region' : saved.allowedRegions.join(', ')}</dd>
        <dt>Default data classification</dt>
        <dd data-testid="settings-classification">{saved.defaultDataClassification}</dd>
        {QUOTAS.map(({ field, label }) => (
          <div key={field} className={styles.row}>
            <dt>{label}</dt>
            <dd data-testid={`settings-quota-${field}`}>
              {saved.quotas[field] === null ? `platform default (${formatNumber(defaults[field])})` : formatNumber(saved.quotas[field])}
            </dd>
          </div>
        ))}
      </dl>
      {canEdit ? (
        <form className="stack" style={{ gap: 10 }} onSubmit={(event) => void save(event)} noValidate aria-label="Change the tenant settings" data-testid="settings-form">
          <label className="label">
            Allowed regions (comma-separated; empty = any region)
            <input
              className="input"
              name="regions"
              value={values.regions}
              onChange={(event) => set('regions')(event.target.value)}
              placeholder="eu-west-1, eu-central-1"
              spellCheck={false}
              autoComplete="off"
              aria-invalid={error?.field === 'regions'}
              data-testid="settings-regions-input"
            />
          </label>
          <label className="label">
            Default data classification (a request header may raise it, never lower it)
            <select
              className="input"
              name="classification"
              value={values.classification}
              onChange={(event) => set('classification')(event.target.value as DataClassification)}
              data-testid="settings-classification-input"
            >
              {DATA_CLASSIFICATIONS.map((classification) => (
                <option key={classification} value={classification}>
                  {classification}
                </option>
              ))}
            </select>
          </label>
          <div className={styles.quotas}>
            {QUOTAS.map(({ field, label }) => (
              <label key={field} className="label">
                {label}
                <input
                  className="input"
                  name={field}
                  inputMode="numeric"
                  value={values[field]}
                  onChange={(event) => set(field)(event.target.value)}
                  placeholder={`default ${formatNumber(defaults[field])}`}
                  aria-invalid={error?.field === field}
                  data-testid={`settings-${field}-input`}
                />
              </label>
            ))}
          </div>
          <p className="muted" style={{ margin: 0 }}>
            {canRaiseQuotas
              ? 'Empty = the platform default. As a platform admin you may set quotas above it.'
              : 'Empty = the platform default. You may lower quotas below it; only a platform admin may set more.'}
          </p>
          {error ? (
            <div className="alert" role="alert" data-testid="settings-error">
              {error.message} <span className={styles.code}>({error.code})</span>
            </div>
          ) : null}
          {done ? (
            <div className="muted" role="status" data-testid="settings-saved">
              Saved.
            </div>
          ) : null}
          <div>
            <button className="button" type="submit" disabled={pending} data-testid="settings-save">
              {pending ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
