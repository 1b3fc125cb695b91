/**
 * Micro-benchmark: what other regions' evidence costs a routing decision. `router.decide` on a
 * platform bandit route of 4 candidates, without a federation view and with one holding evidence
 * for every candidate (the blended priors are built per decision). Run alone from the repo root:
 * `npx tsx data-plane/src/router/bench-federated-decide.ts` (BENCHMARKS.md).
 */
import os from 'node:os';
import { pino } from 'pino';
import { FEDERATION_VIEW_FORMAT } from '@switchyard/events/federation';
import { createProviderRegistry } from '../adapters/provider-registry';
import { createMetrics } from '../telemetry/metrics';
import { createFederatedViewCache, type FederatedViewCache } from './federated-view';
import { seededRandom } from './random';
import { parseRoutes } from './route';
import { createInMemoryRouteTable } from './route-table';
import { createRouter } from './router';

const WARMUP = 20_000;
const SAMPLES = 200_000;
const MODELS = ['mock-gpt', 'mock-mini', 'mock-large', 'mock-embed'];

async function measure(label: string, federation: FederatedViewCache | undefined): Promise<void> {
  const router = createRouter({
    routes: createInMemoryRouteTable(parseRoutes([{ name: 'smart', strategy: { kind: 'bandit', reward: { success: 1, latency: 0.5, cost: 0.5 } }, candidates: MODELS.map((model) => ({ model })) }])),
    providers: createProviderRegistry([{ name: 'mock', kind: 'mock', models: MODELS }]),
    priceBook: { current: async () => null },
    metrics: createMetrics(),
    logger: pino({ level: 'silent' }),
    random: seededRandom(1),
    ...(federation ? { federation } : {}),
  });
  const target = router.resolve('smart', 'tenant-1')!;
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += (await router.decide(target)).plan.upstreams.length;
  const samples = new Float64Array(SAMPLES);
  // CPU time is immune to being descheduled on a shared machine; wall-clock percentiles are not.
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < SAMPLES; i++) {
    const start = process.hrtime.bigint();
    sink += (await router.decide(target)).plan.upstreams.length;
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  const cpu = process.cpuUsage(cpuBefore);
  samples.sort();
  const at = (q: number): string => (samples[Math.min(SAMPLES - 1, Math.floor(q * SAMPLES))] ?? NaN).toFixed(2);
  console.log(`${label}: p50 ${at(0.5)} µs, p99 ${at(0.99)} µs; mean CPU ${((cpu.user + cpu.system) / SAMPLES).toFixed(2)} µs (${sink > 0 ? 'ok' : '?'})`);
}

const view = createFederatedViewCache();
view.apply({
  format: FEDERATION_VIEW_FORMAT,
  region: 'region-a',
  version: 1,
  issuedAt: 0,
  ttlMs: 86_400_000,
  entries: MODELS.map((model, i) => ({ route: 'smart', upstream: `mock/${model}`, successRate: 0.5 + i / 10, latencyMs: 100 * (i + 1), quality: null, volume: 50, regions: ['region-b'] })),
});
const [l1, l5, l15] = os.loadavg().map((n) => n.toFixed(1));
console.log(`${os.cpus().length} cores, Node ${process.version}; load average before: ${l1} / ${l5} / ${l15}`);
await measure('platform bandit route, 4 candidates, no federation view', undefined);
await measure('same, a view with evidence for every candidate', view);
await measure('no view again (order effects)', undefined);
console.log(`load average after: ${os.loadavg().map((n) => n.toFixed(1)).join(' / ')}`);
