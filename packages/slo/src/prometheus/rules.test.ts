import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SloDefinition } from '../slo-definition';
import { findPromtool } from './promtool';
import { bucketFor, generateRules, type AlertingRule } from './rules';

const tenant = '0b7c9a52-3f5e-4d8e-9c0a-1f2e3d4c5b6a';
const slos: SloDefinition[] = [
  { id: 'avail', tenantId: tenant, route: 'support "chat"', kind: 'availability', objective: 0.99, windowDays: 30 },
  { id: 'fast', tenantId: tenant, route: 'chat', kind: 'latency', objective: 0.95, windowDays: 7, thresholdMs: 800 },
  { id: 'regret', tenantId: tenant, route: 'chat', kind: 'quality', objective: 0.9, windowDays: 30, maxRegret: 0.1 },
];

const dir = mkdtempSync(join(tmpdir(), 'sy-slo-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const promtool = findPromtool({ ci: process.env.CI === 'true' });

describe('generateRules', () => {
  const { file, skipped } = generateRules(slos);

  it('writes SLI, meta and alert groups per measurable SLO and lists the rest', () => {
    expect(file.groups.map((g) => g.name)).toEqual([
      'switchyard-slo-sli-recordings-avail',
      'switchyard-slo-meta-recordings-avail',
      'switchyard-slo-alerts-avail',
      'switchyard-slo-sli-recordings-fast',
      'switchyard-slo-meta-recordings-fast',
      'switchyard-slo-alerts-fast',
      'switchyard-slo-sli-recordings-regret',
      'switchyard-slo-meta-recordings-regret',
      'switchyard-slo-alerts-regret',
    ]);
    expect(skipped).toEqual([]);
    expect(generateRules([{ ...(slos[1] as SloDefinition), id: 'too-fast', kind: 'latency', thresholdMs: 10 } as SloDefinition]).skipped).toEqual([
      { id: 'too-fast', reason: 'threshold 10 ms is below the smallest bucket' },
    ]);
  });

  it('alerts at the evaluator thresholds: 14.4× and 3× of a 30-day budget', () => {
    const alerts = file.groups[2]?.rules as AlertingRule[];
    expect(alerts.map((a) => [a.alert, a.labels.severity, a.labels.slo_alert_window])).toEqual([
      ['SwitchyardSloFastBurn', 'page', '1h/5m'],
      ['SwitchyardSloSlowBurn', 'ticket', '1d/1h'],
    ]);
    expect(alerts[0]?.expr).toContain('> (14.4 * 0.01');
    expect(alerts[1]?.expr).toContain('> (3 * 0.01');
  });

  it('rounds a latency threshold down to a histogram bucket', () => {
    expect(bucketFor(800)).toBe(0.8);
    expect(bucketFor(900)).toBe(0.8);
    expect(bucketFor(10)).toBeUndefined();
  });

  it.skipIf('skip' in promtool)('passes promtool check rules', () => {
    const path = join(dir, 'rules.yml');
    writeFileSync(path, JSON.stringify(file, null, 2));
    const out = execFileSync('promtool', ['check', 'rules', path], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: 36 rules found/);
  });

  it.skipIf('skip' in promtool)('fires the fast burn on a 20 % error rate and not on 0.5 % (promtool test rules)', () => {
    const avail = generateRules([slos[0] as SloDefinition]).file;
    writeFileSync(join(dir, 'avail.yml'), JSON.stringify(avail));
    const series = (status: string, perMinute: number) =>
      `{ series: '${'switchyard_route_requests_total'}{tenant="${tenant}",route="support \\"chat\\"",status="${status}"}', values: '0+${perMinute}x120' }`;
    const test = (errorsPerMinute: number, expected: string) =>
      [
        'rule_files: [avail.yml]',
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        `      - ${series('ok', 100 - errorsPerMinute)}`,
        `      - ${series('error', errorsPerMinute)}`,
        '    alert_rule_test:',
        '      - eval_time: 90m',
        '        alertname: SwitchyardSloFastBurn',
        `        exp_alerts: ${expected}`,
      ].join('\n');
    const firing = `\n          - exp_labels: { slo_id: avail, tenant: "${tenant}", route: 'support "chat"', slo_kind: availability, severity: page, slo_alert_window: 1h/5m }\n            exp_annotations: ${JSON.stringify((avail.groups[2]?.rules[0] as AlertingRule).annotations)}`;
    writeFileSync(join(dir, 'burning.test.yml'), test(20, firing));
    execFileSync('promtool', ['test', 'rules', 'burning.test.yml'], { cwd: dir, encoding: 'utf8' });
    writeFileSync(join(dir, 'calm.test.yml'), test(0.5, '[]'));
    execFileSync('promtool', ['test', 'rules', 'calm.test.yml'], { cwd: dir, encoding: 'utf8' });
    // The test can fail: the calm traffic does not satisfy the firing expectation.
    writeFileSync(join(dir, 'wrong.test.yml'), test(0.5, firing));
    expect(() => execFileSync('promtool', ['test', 'rules', 'wrong.test.yml'], { cwd: dir, stdio: 'pipe' })).toThrow();
  });

  it.skipIf('skip' in promtool)("fires a quality SLO's fast burn while the optimizer's regret stays above its maximum, not below (promtool test rules)", () => {
    const quality: SloDefinition = { id: 'regret99', tenantId: tenant, route: 'chat', kind: 'quality', objective: 0.99, windowDays: 30, maxRegret: 0.1 };
    const rules = generateRules([quality]).file;
    writeFileSync(join(dir, 'quality.yml'), JSON.stringify(rules));
    const test = (regret: number, expected: string) =>
      [
        'rule_files: [quality.yml]',
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        `      - { series: 'switchyard_optimizer_regret_delta{tenant="${tenant}",route="chat"}', values: '${regret}x120' }`,
        '    alert_rule_test:',
        '      - eval_time: 90m',
        '        alertname: SwitchyardSloFastBurn',
        `        exp_alerts: ${expected}`,
      ].join('\n');
    const firing = `\n          - exp_labels: { slo_id: regret99, tenant: "${tenant}", route: chat, slo_kind: quality, severity: page, slo_alert_window: 1h/5m }\n            exp_annotations: ${JSON.stringify((rules.groups[2]?.rules[0] as AlertingRule).annotations)}`;
    writeFileSync(join(dir, 'regretful.test.yml'), test(0.5, firing));
    execFileSync('promtool', ['test', 'rules', 'regretful.test.yml'], { cwd: dir, encoding: 'utf8' });
    writeFileSync(join(dir, 'content.test.yml'), test(0.05, '[]'));
    execFileSync('promtool', ['test', 'rules', 'content.test.yml'], { cwd: dir, encoding: 'utf8' });
    writeFileSync(join(dir, 'wrong-quality.test.yml'), test(0.05, firing));
    expect(() => execFileSync('promtool', ['test', 'rules', 'wrong-quality.test.yml'], { cwd: dir, stdio: 'pipe' })).toThrow();
  });
});
