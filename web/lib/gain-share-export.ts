import type { GainShareMonth, RouteSavings } from './savings-operations';

/**
 * The gain-share report as a download: CSV (one header row, one row per month) and a
 * self-contained HTML page laid out for printing to PDF (no scripts, no external assets).
 */

const csvCell = (value: string | number): string => {
  const text = String(value);
  // RFC 4180 quoting; a leading =, +, - or @ is neutralised so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

const usd = (amount: number): string => amount.toFixed(6);

export function gainShareCsv(tenantSlug: string, month: GainShareMonth, routes: readonly RouteSavings[]): string {
  const rows: (string | number)[][] = [
    ['tenant', 'month', 'requests', 'actual_cost_usd', 'baseline_cost_usd', 'savings_usd', 'share_pct', 'share_usd'],
    [tenantSlug, month.month, month.requests, usd(month.actualCostUsd), usd(month.baselineCostUsd), usd(month.savingsUsd), month.sharePct, usd(month.shareUsd)],
    [],
    ['route', 'baseline', 'baseline_model', 'requests', 'actual_cost_usd', 'baseline_cost_usd', 'savings_usd', 'savings_pct', 'regret_delta'],
    ...routes.map((r) => [r.route, r.baseline, r.baselineModel, r.requests, usd(r.actualCostUsd), usd(r.baselineCostUsd), usd(r.savingsUsd), r.savingsPct.toFixed(2), r.regretDelta.toFixed(4)]),
  ];
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
// Sub-dollar amounts (small tenants, cheap models) keep micro-dollar precision instead of showing $0.00.
const money = (amount: number): string => `${amount < 0 ? '-' : ''}$${Math.abs(amount).toFixed(amount !== 0 && Math.abs(amount) < 1 ? 6 : 2)}`;

export function gainShareHtml(tenant: { slug: string; name: string }, month: GainShareMonth, routes: readonly RouteSavings[]): string {
  const routeRows = routes
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.route)}</td><td>${escapeHtml(r.baselineModel)}</td><td class="n">${r.requests}</td><td class="n">${money(r.actualCostUsd)}</td><td class="n">${money(r.baselineCostUsd)}</td><td class="n">${money(r.savingsUsd)}</td><td class="n">${r.savingsPct.toFixed(1)} %</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gain-share report ${escapeHtml(tenant.slug)} ${escapeHtml(month.month)}</title>
<style>
@page { size: A4; margin: 18mm; }
body { font: 12px/1.45 system-ui, sans-serif; color: #1d2330; }
h1 { font-size: 18px; margin: 0 0 4px; } .muted { color: #5d6675; }
table { border-collapse: collapse; width: 100%; margin-top: 14px; } th, td { border-bottom: 1px solid #dfe3e8; padding: 5px 6px; text-align: left; }
.n { text-align: right; font-variant-numeric: tabular-nums; } .total td { font-weight: 600; }
</style></head>
<body>
<h1>Gain-share report · ${escapeHtml(tenant.name)}</h1>
<div class="muted">Tenant ${escapeHtml(tenant.slug)} · month ${escapeHtml(month.month)} (UTC) · agreed share ${month.sharePct} %</div>
<table><tbody>
<tr><td>Requests on optimised routes</td><td class="n">${month.requests}</td></tr>
<tr><td>What they would have cost at the baseline</td><td class="n">${money(month.baselineCostUsd)}</td></tr>
<tr><td>What they cost</td><td class="n">${money(month.actualCostUsd)}</td></tr>
<tr><td>Savings</td><td class="n">${money(month.savingsUsd)}</td></tr>
<tr class="total"><td>Gain share (${month.sharePct} % of positive savings)</td><td class="n" data-testid="share-usd">${money(month.shareUsd)}</td></tr>
</tbody></table>
<h2 style="font-size:14px;margin-top:22px">Routes (newest optimizer run)</h2>
<table><thead><tr><th>route</th><th>baseline model</th><th class="n">requests</th><th class="n">cost</th><th class="n">baseline</th><th class="n">savings</th><th class="n">savings %</th></tr></thead>
<tbody>${routeRows || '<tr><td colspan="7" class="muted">No optimizer run yet.</td></tr>'}</tbody></table>
</body></html>
`;
}
