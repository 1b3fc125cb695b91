import { describe, expect, it } from 'vitest';
import { budgetEdit, parseThresholds } from './dp-budget-edit';

describe('parseThresholds', () => {
  it('reads comma-separated percentages, sorted', () => {
    expect(parseThresholds(' 95, 50 ,80')).toEqual([50, 80, 95]);
  });

  it('refuses empty, out-of-range, fractional, duplicate or too many values', () => {
    for (const text of ['', ' , ', '0', '101', '50.5', '50,50', 'abc', '1,2,3,4,5,6,7,8,9,10,11']) expect(parseThresholds(text)).toBeNull();
  });
});

describe('budgetEdit', () => {
  const current = { cap: '1', alertThresholds: [50, 80, 95] };

  it('sends only what changed', () => {
    expect(budgetEdit(current, '2', '50,80,95')).toEqual({ ok: true, input: { cap: '2', alertThresholds: null } });
    expect(budgetEdit(current, '1.0', '60, 90')).toEqual({ ok: true, input: { cap: null, alertThresholds: [60, 90] } });
  });

  it('says why it sends nothing', () => {
    expect(budgetEdit(current, '1', '95,80,50')).toEqual({ ok: false, message: 'Nothing changed.' });
    expect(budgetEdit(current, '-1', '50')).toMatchObject({ ok: false, message: expect.stringContaining('positive decimal') });
    expect(budgetEdit(current, '2', '50,50')).toMatchObject({ ok: false, message: expect.stringContaining('thresholds') });
  });
});
