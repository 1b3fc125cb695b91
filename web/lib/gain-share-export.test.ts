import { describe, expect, it } from 'vitest';
import { gainShareCsv, gainShareHtml } from './gain-share-export';
import type { GainShareMonth, RouteSavings } from './savings-operations';

const month: GainShareMonth = { tenantId: 't', month: '2026-03', requests: 3, actualCostUsd: 0.0195, baselineCostUsd: 0.054, savingsUsd: 0.0345, sharePct: 20, shareUsd: 0.0069 };
const route = (name: string): RouteSavings => ({
  route: name,
  baseline: 'CHAMPION',
  baselineModel: 'mock-large',
  requests: 3,
  actualCostUsd: 0.0195,
  baselineCostUsd: 0.054,
  savingsUsd: 0.0345,
  savingsPct: 63.9,
  regret: 0.1,
  regretDelta: 0.01,
  computedAt: '2026-03-31T00:00:00Z',
});

describe('gain-share export', () => {
  it('CSV: the month row and one row per route, quoted and formula-safe', () => {
    const csv = gainShareCsv('demo', month, [route('smart'), route('=HYPERLINK("x"),a')]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('tenant,month,requests,actual_cost_usd,baseline_cost_usd,savings_usd,share_pct,share_usd');
    expect(lines[1]).toBe('demo,2026-03,3,0.019500,0.054000,0.034500,20,0.006900');
    expect(lines[4]).toBe('smart,CHAMPION,mock-large,3,0.019500,0.054000,0.034500,63.90,0.0100');
    expect(lines[5]?.startsWith(`"'=HYPERLINK(""x""),a",`)).toBe(true);
  });

  it('HTML: print-ready, escapes tenant-chosen text', () => {
    const html = gainShareHtml({ slug: 'demo', name: '<script>alert(1)</script>' }, month, [route('<b>r</b>')]);
    expect(html).toContain('@page');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;b&gt;r&lt;/b&gt;');
    expect(html).toContain('$0.006900</td>');
  });
});
