import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';
import { findPrometheusTool, generateRules } from '@switchyard/slo/prometheus';
import { startHarness, type Harness } from '../test-support/data-plane-harness';

/**
 * The generated SLO rules in a real Prometheus scraping the data plane's operator metrics
 * listener: a fault that raises the error rate makes the fast-burn alert fire. The windows are
 * shrunk to seconds through the rule generator's pair parameters (the production pairs are
 * 1 h / 5 min); everything listens on loopback.
 */
const ci = process.env.CI === 'true';
const prometheus = findPrometheusTool('prometheus', { ci });
const dir = mkdtempSync(join(tmpdir(), 'sy-slo-prometheus-'));
let child: ChildProcess | undefined;
let harness: Harness | undefined;
let listener: Server | undefined;

afterAll(async () => {
  child?.kill('SIGTERM');
  await new Promise((resolve) => (child && child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
  await new Promise((resolve) => (listener ? listener.close(resolve) : resolve(undefined)));
  await harness?.finish();
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.skipIf('skip' in prometheus)('SLO burn-rate rules in a real Prometheus', () => {
  it('fire the fast-burn alert once the mock provider starts failing, not before', async () => {
    harness = await startHarness({ metricsTenantLabels: true });
    const h = harness;
    listener = createMetricsListener({ sources: () => [h.dataPlane.metrics] });
    await new Promise<void>((resolve) => listener?.listen(0, '127.0.0.1', resolve));
    const metricsPort = (listener.address() as AddressInfo).port;

    // A 1-day availability SLO of 90 % on mock-gpt; the fast pair over 20 s / 10 s at a 2× burn
    // (budgetShare chosen so that burnRateThreshold = 2): it fires above a 20 % error ratio.
    const windowSeconds = 86_400;
    const pairs = [{ name: 'fast' as const, severity: 'page' as const, longSeconds: 20, shortSeconds: 10, budgetShare: (2 * 20) / windowSeconds }];
    const { file } = generateRules([{ id: 'mock-availability', tenantId: h.record.tenantId, route: 'mock-gpt', kind: 'availability', objective: 0.9, windowDays: 1 }], { pairs, interval: '1s' });
    writeFileSync(join(dir, 'rules.yml'), JSON.stringify(file));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dir, 'rules.yml')],
        scrape_configs: [{ job_name: 'data-plane', static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }] }],
      }),
    );
    const port = await freePort();
    const binary = 'path' in prometheus ? prometheus.path : 'prometheus';
    child = spawn(binary, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    const api = `http://127.0.0.1:${port}/api/v1`;
    const alerts = async (): Promise<Array<{ labels: Record<string, string>; state: string }>> => {
      const reply = await fetch(`${api}/alerts`).catch(() => null);
      if (!reply?.ok) return [];
      return ((await reply.json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }).data.alerts;
    };
    const errorRatio = async (): Promise<number | null> => {
      const reply = await fetch(`${api}/query?query=${encodeURIComponent('slo:sli_error:ratio_rate10s{slo_id="mock-availability"}')}`).catch(() => null);
      if (!reply?.ok) return null;
      const result = ((await reply.json()) as { data: { result: Array<{ value: [number, string] }> } }).data.result;
      const value = result[0]?.value[1];
      return value === undefined || value === 'NaN' ? null : Number(value);
    };
    const send = (content: string) =>
      fetch(`${h.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content }] }),
      }).then((r) => r.status);

    // Healthy traffic until Prometheus has scraped it and computed a clean error ratio.
    await expect
      .poll(async () => {
        await Promise.all([send('hello'), send('hi there')]);
        return errorRatio();
      }, { timeout: 60_000, interval: 500 })
      .toBe(0);
    expect(await alerts()).toEqual([]);

    // The fault: every request now fails upstream (HTTP 500 from the mock provider).
    await expect
      .poll(async () => {
        const statuses = await Promise.all([send('x [mock: status=500]'), send('y [mock: status=500]')]);
        expect(statuses.every((status) => status >= 500)).toBe(true);
        return (await alerts()).filter((alert) => alert.labels['alertname'] === 'SwitchyardSloFastBurn' && alert.state === 'firing');
      }, { timeout: 60_000, interval: 500 })
      .toEqual([expect.objectContaining({ labels: expect.objectContaining({ slo_id: 'mock-availability', tenant: h.record.tenantId, route: 'mock-gpt', severity: 'page' }) })]);
  }, 150_000);
});
