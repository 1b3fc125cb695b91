import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { parsePlatformEnv } from './config';
import { startPlatform, type RunningPlatform } from './platform';

/**
 * `npm start`'s one operator metrics listener (SECURITY.md "Metrics exposure"): the data plane's
 * and the dp subgraph's metrics together on METRICS_PORT, behind METRICS_TOKEN, and neither
 * component's own port answers /metrics.
 */
const TOKEN = 'platform-metrics-token-0123456789';
const environment = (extra: Record<string, string>) =>
  parsePlatformEnv({
    DATABASE_URL: database?.url,
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_MASTER_KEYS: `main:${generateMasterKey()}`,
    SWITCHYARD_COMPONENTS: 'dp,data-plane,cost-optimizer',
    DATA_PLANE_PORT: '0',
    DP_SUBGRAPH_PORT: '0',
    LOG_LEVEL: 'silent',
    ...extra,
  });
let database: TestDatabase | undefined;
let dataDir: string | undefined;
let platform: RunningPlatform | undefined;
const lines: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-metrics-'));
  platform = await startPlatform({ env: environment({ METRICS_PORT: '0', METRICS_TOKEN: TOKEN }), progress: (line) => lines.push(line) });
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The URL a component's progress line names (its port was 0). */
function urlOf(component: string): string {
  const line = lines.find((candidate) => candidate.startsWith(`${component}: http://`));
  if (!line) throw new Error(`no progress line for ${component} in:\n${lines.join('\n')}`);
  return line.slice(component.length + 2);
}

describe('npm start serves metrics on one operator listener only', () => {
  it('the data plane and the dp subgraph answer /metrics with 404 on their own ports', async () => {
    expect((await fetch(`${urlOf('data plane')}/metrics`)).status).toBe(404);
    expect((await fetch(`${urlOf('dp subgraph')}/metrics`)).status).toBe(404);
  });

  it('the operator listener needs the token and serves both registries', async () => {
    const metricsUrl = platform?.metricsUrl;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    if (!metricsUrl) return;
    expect(lines).toContain(`operator metrics: ${metricsUrl} (bearer token)`);
    expect((await fetch(metricsUrl)).status).toBe(401);
    const response = await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('switchyard_http_requests_total');
    expect(text).toContain('# TYPE dp_budgets gauge');
    // The cost optimizer's registry on the same listener (savings, regret).
    expect(text).toContain('# TYPE switchyard_optimizer_savings_pct gauge');
    expect(text).toContain('# TYPE switchyard_optimizer_regret_delta gauge');
  });

  it('a taken METRICS_PORT fails the start with a message naming it', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      await expect(startPlatform({ env: environment({ METRICS_PORT: String(port) }), progress: () => undefined })).rejects.toThrow(
        `operator metrics listener: cannot listen on 127.0.0.1:${port}`,
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
