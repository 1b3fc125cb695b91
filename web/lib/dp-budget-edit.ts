/** What the privacy page's edit form checks before it asks the API (which checks again). */
export type BudgetEditResult = { ok: true; input: { cap: string | null; alertThresholds: number[] | null } } | { ok: false; message: string };

const DECIMAL = /^\d+(\.\d+)?$/;

/** `"50, 80 ,95"` → [50, 80, 95]; null when not 1..10 distinct whole percentages 1..100. */
export function parseThresholds(text: string): number[] | null {
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0 || parts.length > 10 || parts.some((part) => !/^\d{1,3}$/.test(part))) return null;
  const values = parts.map(Number);
  if (values.some((value) => value < 1 || value > 100) || new Set(values).size !== values.length) return null;
  return [...values].sort((a, b) => a - b);
}

/** Only what changed is sent: a cap equal to the current one is left out, and so are unchanged thresholds. */
export function budgetEdit(current: { cap: string; alertThresholds: readonly number[] }, capText: string, thresholdsText: string): BudgetEditResult {
  const cap = capText.trim();
  if (!DECIMAL.test(cap) || Number(cap) <= 0) return { ok: false, message: 'The cap is a positive decimal, e.g. 1 or 0.5.' };
  const thresholds = parseThresholds(thresholdsText);
  if (!thresholds) return { ok: false, message: 'Alert thresholds are 1 to 10 different percentages from 1 to 100, separated by commas (e.g. 50, 80, 95).' };
  const capChanged = Number(cap) !== Number(current.cap);
  const thresholdsChanged = thresholds.join(',') !== [...current.alertThresholds].sort((a, b) => a - b).join(',');
  if (!capChanged && !thresholdsChanged) return { ok: false, message: 'Nothing changed.' };
  return { ok: true, input: { cap: capChanged ? cap : null, alertThresholds: thresholdsChanged ? thresholds : null } };
}
