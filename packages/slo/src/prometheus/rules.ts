import { burnRateThreshold, DEFAULT_WINDOW_PAIRS, windowsOf, type WindowPair } from '../burn-rate';
import { latencyPercentile, type SloDefinition } from '../slo-definition';
import { OPTIMIZER_REGRET_DELTA_METRIC, OPTIMIZER_SAVINGS_PCT_METRIC, ROUTE_DURATION_BUCKETS, ROUTE_DURATION_METRIC, ROUTE_REQUESTS_METRIC } from './metric-names';
import { promDuration } from './promql-duration';

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}
export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Array<RecordingRule | AlertingRule>;
}
export interface RuleFile {
  groups: RuleGroup[];
}

export interface GenerateOptions {
  /** The burn-rate pairs (the defaults: the same as the evaluator's); tests shrink them to seconds. */
  pairs?: readonly WindowPair[];
  /** Group evaluation interval (Prometheus' global one when absent). */
  interval?: string;
}

export interface Generated {
  file: RuleFile;
  /** SLOs no Prometheus metric can compute (a latency threshold below the smallest bucket), by id with the reason. */
  skipped: Array<{ id: string; reason: string }>;
}

/** A PromQL string literal (label values are tenant data: quotes and backslashes escaped). */
const quote = (value: string) => JSON.stringify(value);

/** The largest histogram bucket at or below the threshold: counting fewer requests good, never more. */
export function bucketFor(thresholdMs: number): number | undefined {
  const seconds = thresholdMs / 1000;
  return [...ROUTE_DURATION_BUCKETS].reverse().find((b) => b <= seconds + 1e-9);
}

function errorRatioExpr(slo: SloDefinition, window: string): string | undefined {
  const selector = `tenant=${quote(slo.tenantId)},route=${quote(slo.route)}`;
  const total = `sum(rate(${ROUTE_REQUESTS_METRIC}{${selector}}[${window}]))`;
  // `or on() vector(0)`: a series that never occurred yet (no error so far, no fast answer) is 0, not an empty result.
  if (slo.kind === 'availability') return `(sum(rate(${ROUTE_REQUESTS_METRIC}{${selector},status="error"}[${window}])) or on() vector(0)) / ${total}`;
  if (slo.kind === 'latency') {
    const le = bucketFor(slo.thresholdMs);
    if (le === undefined) return undefined;
    return `(${total} - (sum(rate(${ROUTE_DURATION_METRIC}_bucket{${selector},le=${quote(String(le))}}[${window}])) or on() vector(0))) / ${total}`;
  }
  // Quality and cost are time-slice SLIs here: the share of the window during which the optimizer's
  // latest run of the route breached the threshold (the evaluator counts runs; Prometheus sees only
  // the gauge the newest run set). No run yet: nothing breached.
  if (slo.kind === 'quality') return `avg_over_time(((max(${OPTIMIZER_REGRET_DELTA_METRIC}{${selector}}) > bool ${slo.maxRegret}) or on() vector(0))[${window}:])`;
  if (slo.kind === 'cost') return `avg_over_time(((max(${OPTIMIZER_SAVINGS_PCT_METRIC}{${selector}}) < bool ${slo.minSavingsPct}) or on() vector(0))[${window}:])`;
  return undefined;
}

/**
 * Recording and alerting rules for the SLOs in the form Sloth generates: per SLO an SLI group
 * (`slo:sli_error:ratio_rate<window>` for every alert window), a meta group (objective, budget,
 * period burn rate, budget remaining) and an alert group with one multi-window burn-rate alert per
 * pair, at the same thresholds the evaluator uses.
 */
export function generateRules(slos: readonly SloDefinition[], options: GenerateOptions = {}): Generated {
  const pairs = options.pairs ?? DEFAULT_WINDOW_PAIRS;
  const windows = windowsOf(pairs);
  const shortest = windows[0];
  if (shortest === undefined) throw new Error('at least one window pair is needed');
  const groups: RuleGroup[] = [];
  const skipped: Generated['skipped'] = [];
  const interval = options.interval === undefined ? {} : { interval: options.interval };

  for (const slo of slos) {
    if (errorRatioExpr(slo, '1m') === undefined) {
      skipped.push({ id: slo.id, reason: slo.kind === 'latency' ? `threshold ${slo.thresholdMs} ms is below the smallest bucket` : `no Prometheus metric measures ${slo.kind}` });
      continue;
    }
    const labels = { slo_id: slo.id, tenant: slo.tenantId, route: slo.route, slo_kind: slo.kind };
    const sloSelector = `{slo_id=${quote(slo.id)}}`;
    const period = promDuration(slo.windowDays * 86_400);
    const budget = 1 - slo.objective;

    groups.push({
      name: `switchyard-slo-sli-recordings-${slo.id}`,
      ...interval,
      rules: windows.map((seconds) => {
        const window = promDuration(seconds);
        return { record: `slo:sli_error:ratio_rate${window}`, expr: errorRatioExpr(slo, window) ?? '', labels: { ...labels, slo_window: window } };
      }),
    });

    const shortestRecord = `slo:sli_error:ratio_rate${promDuration(shortest)}`;
    groups.push({
      name: `switchyard-slo-meta-recordings-${slo.id}`,
      ...interval,
      rules: [
        { record: 'slo:objective:ratio', expr: `vector(${slo.objective})`, labels },
        { record: 'slo:error_budget:ratio', expr: `vector(1 - ${slo.objective})`, labels },
        { record: 'slo:time_period:days', expr: `vector(${slo.windowDays})`, labels },
        { record: 'slo:current_burn_rate:ratio', expr: `${shortestRecord}${sloSelector} / on(slo_id) group_left slo:error_budget:ratio${sloSelector}`, labels },
        {
          record: 'slo:period_error_ratio:ratio',
          expr: `sum_over_time(${shortestRecord}${sloSelector}[${period}]) / ignoring(slo_window) count_over_time(${shortestRecord}${sloSelector}[${period}])`,
          labels,
        },
        { record: 'slo:period_burn_rate:ratio', expr: `slo:period_error_ratio:ratio${sloSelector} / on(slo_id) group_left slo:error_budget:ratio${sloSelector}`, labels },
        { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${sloSelector}`, labels },
      ],
    });

    groups.push({
      name: `switchyard-slo-alerts-${slo.id}`,
      ...interval,
      rules: pairs.map((pair): AlertingRule => {
        const factor = burnRateThreshold(pair, slo.windowDays * 86_400);
        const long = promDuration(pair.longSeconds);
        const short = promDuration(pair.shortSeconds);
        const limit = `(${factor} * ${budget})`;
        const objectiveText =
          slo.kind === 'latency'
            ? `p${latencyPercentile(slo)} within ${slo.thresholdMs} ms`
            : slo.kind === 'quality'
              ? `regret at most ${slo.maxRegret} ${slo.objective * 100} % of the time`
              : slo.kind === 'cost'
                ? `savings at least ${slo.minSavingsPct} % ${slo.objective * 100} % of the time`
                : `${slo.objective * 100} % available`;
        return {
          alert: pair.severity === 'page' ? 'SwitchyardSloFastBurn' : 'SwitchyardSloSlowBurn',
          expr:
            `max(slo:sli_error:ratio_rate${long}${sloSelector} > ${limit}) without (slo_window)\n` +
            `and\n` +
            `max(slo:sli_error:ratio_rate${short}${sloSelector} > ${limit}) without (slo_window)`,
          labels: { ...labels, severity: pair.severity, slo_alert_window: `${long}/${short}` },
          annotations: {
            summary: `SLO ${slo.id} (${objectiveText} over ${period}) on route ${slo.route} burns its error budget ${factor}× too fast`,
            description: `Over ${long} and ${short} the error ratio is above ${factor} × ${budget.toPrecision(3)}: ${pair.budgetShare * 100} % of the ${period} budget in ${long} at this rate.`,
          },
        };
      }),
    });
  }
  return { file: { groups }, skipped };
}
