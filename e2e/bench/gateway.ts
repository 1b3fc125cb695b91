// The data plane as the benchmark runs it: composed by the data plane's one composition root
// (composeDataPlane), as the standalone data plane and `npm start` compose it, over the production
// backends: key auth against Postgres (cached), Redis rate limits, Redis Streams usage events and
// the Redis feedback log, tenant policies (decision point and decision log), tenant routes,
// settings and provider credentials, PII redaction, the router and the OpenAI-compatible adapter
// to the mock upstream. The database is the harness's own throw-away Postgres database (run.ts
// creates, migrates and seeds it): a production data plane talks to Postgres, so this process
// must not carry an embedded PGlite. run.ts bundles this file (service-bundle) and runs it under
// plain node, as `npm start -w @switchyard/data-plane` runs the data plane.
import { composeDataPlane, openDataPlaneBackends } from '@switchyard/data-plane/composition';
import { loadDataPlaneConfig } from '@switchyard/data-plane/config';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { listen } from '@switchyard/platform/listen';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const upstream = process.env.UPSTREAM_BASE_URL;
const databaseUrl = process.env.DATABASE_URL;
const apiKey = process.env.BENCH_API_KEY;
if (!upstream || !databaseUrl || !apiKey) throw new Error('UPSTREAM_BASE_URL, DATABASE_URL and BENCH_API_KEY are required');
const huge = String(1_000_000_000);
const hugeTokens = String(1_000_000_000_000);

// The variables an operator would set for a standalone data plane, parsed by its own schema.
const config = loadDataPlaneConfig({
  DATABASE_URL: databaseUrl,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX ?? `sy-bench-${process.pid}:`,
  // A throw-away keyring: no tenant of the bench database stores provider credentials.
  SWITCHYARD_MASTER_KEYS: `bench:${generateMasterKey()}`,
  // BENCH_UPSTREAM=stream: non-streaming requests read the upstream as a stream too (as before issue 15's pass), for an A/B of whole answers.
  DATA_PLANE_PROVIDERS: JSON.stringify([{ name: 'upstream', kind: 'openai-compatible', baseUrl: upstream, apiKey: 'bench', models: ['mock-gpt', 'mock-burst'], ...(process.env.BENCH_UPSTREAM === 'stream' ? { wholeAnswers: false } : {}) }]),
  DATA_PLANE_ROUTES: '[]',
  // Far above any rate the benchmark reaches: every limit (all six, one Redis script) runs on every request, none refuses.
  DATA_PLANE_REQUESTS_PER_MINUTE: huge,
  DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT: huge,
  DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY: hugeTokens,
  DATA_PLANE_TOKENS_PER_MINUTE_PER_TENANT: hugeTokens,
  DATA_PLANE_TOKENS_PER_DAY_PER_KEY: hugeTokens,
  DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: hugeTokens,
  LOG_LEVEL: 'warn',
});
// BENCH_SETTLE=separate: every token settlement is its own Redis script call at once (as before
// issue 15's pass), for an A/B of settlements riding along with the tenant's next reservation.
const opened = await openDataPlaneBackends(process.env.BENCH_SETTLE === 'separate' ? { ...config, rateLimitSettleLingerMs: 0 } : config);
// `mock-burst` is the same mock under its own gate (one per provider/model): the burst section
// meets a gate that has not learnt anything yet.
const app = await composeDataPlane(config, opened.backends, {
  // The router's per-upstream adaptive concurrency gate runs at its defaults, as an operator
  // deploys it: it starts at 20 and slow-starts (issue 15), so the sweep and the 1,000 streams
  // measure what the defaults let through. BENCH_GATE=configured: as configured before issue 15
  // (start at 1,200, at most 2,000, queue 400), for an A/B of the defaults.
  ...(process.env.BENCH_GATE === 'configured' ? { routing: { concurrency: { initialLimit: 1_200, maxLimit: 2_000, maxQueue: 400 } } } : {}),
  // BENCH_REQUEST_LOG=off: every request-log entry is dropped at once (drafts are still filled),
  // so an A/B run shows what appending one entry per request costs.
  ...(process.env.BENCH_REQUEST_LOG === 'off' ? { requestLog: { maxQueued: 0 } } : {}),
});
const port = await listen(app.server, 0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, apiKey, pid: process.pid })}\n`);
// BENCH_EVENT_LOOP_FILE: the harness brackets a phase with SIGUSR2; the first signal starts an
// event-loop delay histogram (1 ms resolution), the second writes its percentiles to the file.
const eventLoopFile = process.env.BENCH_EVENT_LOOP_FILE;
if (eventLoopFile) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let sequence = 0;
  let on = false;
  // BENCH_ALLOCATION_PROFILE: a sampling heap profile of the same phase that keeps what young- and
  // old-generation collections freed (allocation by function, not what survived), written there.
  const allocationFile = process.env.BENCH_ALLOCATION_PROFILE;
  const session = allocationFile ? new Session() : undefined;
  session?.connect();
  process.on('SIGUSR2', () => {
    if (!on) {
      histogram.reset();
      histogram.enable();
      on = true;
      void session?.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      return;
    }
    histogram.disable();
    on = false;
    if (session && allocationFile) void session.post('HeapProfiler.stopSampling').then(({ profile }) => writeFileSync(allocationFile, JSON.stringify(profile)));
    sequence += 1;
    const ms = (ns: number) => Number((ns / 1e6).toFixed(3));
    writeFileSync(
      eventLoopFile,
      JSON.stringify({ sequence, count: histogram.count, p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), p999: ms(histogram.percentile(99.9)), max: ms(histogram.max), over5ms: histogram.count - countBelow(histogram, 5e6) }),
    );
  });
}
/** Samples of the histogram below `ns` (its percentiles map is cumulative). */
function countBelow(histogram: ReturnType<typeof monitorEventLoopDelay>, ns: number): number {
  let below = 0;
  for (const [percent, value] of histogram.percentiles) if (value < ns) below = Math.max(below, Math.round((percent / 100) * histogram.count));
  return below;
}
process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await opened.close();
    process.exit(0);
  })();
});
