// `npm run bench`: measures the data plane against a direct call to the mock provider, in one run,
// with the gateway pinned to core 0 and the load generator (this process) and the mock to core 1.
// Writes BENCHMARKS.md at the repository root. Progress on stderr. Flags: --quick (shorter runs),
// --data-plane-only (keep the other sections), --cpu-prof (V8 profile of the gateway in bench-results/profiles/).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'node:http';
import autocannon from 'autocannon';
import { seed } from '@switchyard/db';
import { createTestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import { bundleService } from '@switchyard/data-plane/service-bundle';
import { startBenchRedis } from './bench-redis';
import { DATA_PLANE_NODE_FLAGS, startPinned } from './processes';
import { chatBody, cpuMs, latencyAtConcurrencyOne, percentile, rssMb, timedRequest, warmUp, type Target } from './measure';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench-results');
const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

if (!process.env.BENCH_PINNED) {
  // Re-run this harness on core 1 so it never competes with the gateway on core 0.
  const result = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } });
  process.exit(result.status ?? 1);
}

const quick = process.argv.includes('--quick');
/** Re-measure the data plane only; the other sections are kept from bench-results/. */
const dataPlaneOnly = process.argv.includes('--data-plane-only');
const LATENCY_REQUESTS = quick ? 500 : 5000;
const THROUGHPUT_SECONDS = quick ? 3 : 10;
const STREAMS = quick ? 200 : 1000;
/** `--cpu-prof`: the gateway writes a V8 CPU profile to bench-results/profiles/ when it stops. */
const cpuProfile = process.argv.includes('--cpu-prof');

// The gateway's own Postgres database (SWITCHYARD_TEST_POSTGRES_URL's server), migrated, seeded
// and given one API key here, dropped at the end: the gateway process only connects to it.
const benchDb = await createTestDatabase();
const { demoTenantId } = await seed(benchDb.db);
const key = generateApiKeySecret();
await benchDb.db.withTenant(demoTenantId, (tx) => tx.apiKey.create({ data: { tenantId: demoTenantId, name: 'bench', prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));
await benchDb.db.close();

// The gateway runs as a production data plane does (`npm start -w @switchyard/data-plane`): bundled, plain node.
const gatewayBundle = path.join(RESULTS_DIR, 'gateway.mjs');
await bundleService(path.join(REPO_ROOT, 'e2e/bench/gateway.ts'), gatewayBundle);
const redis = await startBenchRedis(1, process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const mock = await startPinned<{ url: string; baseUrl: string }>('mock-upstream.ts', 1, {});
const gateway = await startPinned<{ url: string; apiKey: string; pid: number }>(
  gatewayBundle,
  0,
  { UPSTREAM_BASE_URL: mock.info.baseUrl, DATABASE_URL: benchDb.url, BENCH_API_KEY: key.secret, REDIS_URL: redis.url },
  [...DATA_PLANE_NODE_FLAGS, ...(cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(RESULTS_DIR, 'profiles')}`] : [])],
);
const direct: Target = { url: mock.info.url, apiKey: 'none' };
const viaGateway: Target = { url: gateway.info.url, apiKey: gateway.info.apiKey };
const gatewayPid = gateway.info.pid;
log(`mock ${mock.info.url} (core 1), gateway ${gateway.info.url} (core 0, pid ${gatewayPid}), Redis: ${redis.description}`);

const rows: string[] = [];
try {
  // Warm up JIT (the optimising compiler needs thousands of calls), key cache, price book, connections.
  await warmUp(viaGateway, chatBody('warm up'), quick ? 1000 : 3000);
  await warmUp(direct, chatBody('warm up'), 300);
  const rssIdle = rssMb(gatewayPid);

  // 1. Added latency at concurrency 1 (mock answers at once).
  log(`latency: ${LATENCY_REQUESTS} sequential requests each way`);
  const body = chatBody('[mock: chunks=4] measure the added latency');
  const baseline = await latencyAtConcurrencyOne(direct, body, LATENCY_REQUESTS, (n) => log(`  direct ${n}/${LATENCY_REQUESTS}`));
  const cpuBefore = cpuMs(gatewayPid);
  const through = await latencyAtConcurrencyOne(viaGateway, body, LATENCY_REQUESTS, (n) => log(`  gateway ${n}/${LATENCY_REQUESTS}`));
  const cpuPerRequestSequential = (cpuMs(gatewayPid) - cpuBefore) / LATENCY_REQUESTS;
  const added = (p: number) => percentile(through, p) - percentile(baseline, p);
  rows.push(
    `| added latency p50, concurrency 1 | ${added(50).toFixed(3)} ms | direct p50 ${percentile(baseline, 50).toFixed(3)} ms, via gateway ${percentile(through, 50).toFixed(3)} ms | p99 ≤ 1 ms |`,
    `| added latency p99, concurrency 1 | ${added(99).toFixed(3)} ms | direct p99 ${percentile(baseline, 99).toFixed(3)} ms, via gateway ${percentile(through, 99).toFixed(3)} ms | ≤ 1 ms |`,
    `| gateway CPU per request, concurrency 1 | ${cpuPerRequestSequential.toFixed(2)} ms | user + system time of the gateway process / requests | |`,
  );

  // 2. Throughput with a 20 ms mock, rising connections, while added p99 stays ≤ 10 ms.
  const slowBody = chatBody('[mock: first-token-ms=20 chunks=4] throughput');
  let best = { connections: 0, rps: 0, addedP99: 0 };
  let peakRss = rssIdle;
  // From few connections up: the best rate within the latency bound may lie below 50.
  for (const connections of quick ? [20, 50, 100] : [10, 20, 30, 50, 100, 200, 400]) {
    const load = (target: Target) =>
      autocannon({
        url: `${target.url}/v1/chat/completions`,
        method: 'POST',
        connections,
        duration: THROUGHPUT_SECONDS,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}` },
        body: slowBody,
      });
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(gatewayPid))), 200);
    const cpuAtStart = cpuMs(gatewayPid);
    const viaResult = await load(viaGateway);
    const cpuPerRequest = (cpuMs(gatewayPid) - cpuAtStart) / Math.max(1, viaResult.requests.total);
    clearInterval(sampler);
    const directResult = await load(direct);
    const addedP99 = viaResult.latency.p99 - directResult.latency.p99;
    const errors = viaResult.errors + viaResult.non2xx;
    log(`  ${connections} connections: gateway ${viaResult.requests.average} req/s p99 ${viaResult.latency.p99} ms (direct ${directResult.requests.average} req/s p99 ${directResult.latency.p99} ms), errors ${errors}`);
    if (errors === 0 && addedP99 <= 10 && viaResult.requests.average > best.rps) best = { connections, rps: viaResult.requests.average, addedP99 };
    rows.push(`| throughput, 20 ms mock, ${connections} connections | ${viaResult.requests.average} req/s | direct ${directResult.requests.average} req/s (ratio ${(viaResult.requests.average / directResult.requests.average).toFixed(2)}); added p99 ${addedP99} ms; errors ${errors}${errors > 0 ? ` (${errorKinds(viaResult)})` : ''}; gateway CPU ${cpuPerRequest.toFixed(2)} ms/request | |`);
  }
  rows.push(`| **best throughput with added p99 ≤ 10 ms** | **${best.rps} req/s** | at ${best.connections} connections, added p99 ${best.addedP99} ms | ≥ 2,500 req/s |`);

  // 3. Streaming: 64 chunks, 20 ms apart. Added time to first token, then many concurrent streams.
  const streamBody = chatBody('[mock: chunks=64 chunk-ms=20] stream', true);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ttft = async (target: Target) => {
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 10 : 40); i += 1) samples.push((await timedRequest(agent, target, streamBody)).firstByteMs);
    return samples.sort((a, b) => a - b);
  };
  log('streaming: time to first token');
  const ttftDirect = await ttft(direct);
  const ttftGateway = await ttft(viaGateway);
  agent.destroy();
  rows.push(`| added time to first token (p50), streaming | ${(percentile(ttftGateway, 50) - percentile(ttftDirect, 50)).toFixed(3)} ms | direct ${percentile(ttftDirect, 50).toFixed(3)} ms, via gateway ${percentile(ttftGateway, 50).toFixed(3)} ms | ≤ 1 ms |`);

  log(`streaming: ${STREAMS} concurrent streams`);
  const wide = new Agent({ keepAlive: true, maxSockets: Infinity });
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(gatewayPid))), 200);
  const streamCpuAtStart = cpuMs(gatewayPid);
  const results = await Promise.all(
    Array.from({ length: STREAMS }, () => timedRequest(wide, viaGateway, streamBody).catch((error: unknown) => ({ totalMs: Number.NaN, firstByteMs: -1, status: -1, text: String(error) }))),
  );
  const cpuPerStream = (cpuMs(gatewayPid) - streamCpuAtStart) / STREAMS;
  clearInterval(sampler);
  wide.destroy();
  const complete = results.filter((r) => r.status === 200 && r.text.includes('[DONE]') && (r.text.match(/"content"/g)?.length ?? 0) >= 64).length;
  const durations = results.map((r) => r.totalMs).filter(Number.isFinite).sort((a, b) => a - b);
  // Why a stream did not complete: its status and error code (503 overloaded = shed), or the socket error.
  const incomplete = new Map<string, number>();
  for (const r of results) {
    if (r.status === 200 && r.text.includes('[DONE]') && (r.text.match(/"content"/g)?.length ?? 0) >= 64) continue;
    const reason = r.status < 0 ? r.text.slice(0, 60) : `${r.status} ${/"code":"([a-z_]+)"/.exec(r.text)?.[1] ?? (r.status === 200 ? 'cut' : 'error')}`;
    incomplete.set(reason, (incomplete.get(reason) ?? 0) + 1);
  }
  const why = [...incomplete].map(([reason, count]) => `${count} × ${reason}`).join(', ');
  rows.push(
    `| concurrent streams (64 × 20 ms) | ${complete}/${STREAMS} complete | stream duration p50 ${percentile(durations, 50).toFixed(0)} ms, p99 ${percentile(durations, 99).toFixed(0)} ms, max ${percentile(durations, 100).toFixed(0)} ms (ideal ≈ 1,280 ms)${why ? `; incomplete: ${why}` : ''}; gateway CPU ${cpuPerStream.toFixed(2)} ms/stream | ≥ 1,000, no stall |`,
  );

  rows.push(`| gateway RSS idle / peak under load | ${rssIdle.toFixed(0)} MB / ${peakRss.toFixed(0)} MB | | ≤ 250 MB |`);
} finally {
  await gateway.stop();
  await mock.stop();
  await redis.stop();
  await benchDb.drop();
}

/** autocannon's failures by kind: HTTP status codes other than 2xx, timeouts, socket errors. */
function errorKinds(result: autocannon.Result): string {
  const kinds: string[] = [];
  for (const [status, count] of Object.entries(result.statusCodeStats ?? {})) if (!status.startsWith('2')) kinds.push(`${count.count} × HTTP ${status}`);
  if (result.timeouts > 0) kinds.push(`${result.timeouts} timeouts`);
  const socketErrors = result.errors - result.timeouts;
  if (socketErrors > 0) kinds.push(`${socketErrors} socket errors`);
  return kinds.join(', ');
}

const dataPlaneSection = `## Data plane (request path)

The gateway (data plane with key auth against Postgres, Redis rate limits, Redis Streams usage events,
PII redaction, policy decision point, router, the OpenAI-compatible adapter) runs pinned to core 0;
the mock provider and the load generator share core 1. The harness creates, migrates and seeds the
gateway's own Postgres database, so the gateway process carries no embedded PGlite, as a production
data plane on Postgres does not. Every figure is measured in the same run against the baseline: the
same request sent directly to the mock. "Gateway CPU" is the gateway process's user + system time
divided by the requests (or streams) served: the cost of the work itself, which queueing behind
other processes on a shared machine does not inflate the way it inflates latency.

| figure | result | baseline and detail | target |
|---|---|---|---|
${rows.join('\n')}

Profiled with \`npm run bench -- --quick --cpu-prof\` (profiles in bench-results/profiles/). The
performance pass of issue 3 removed the largest costs the profile showed: the six limit checks are
one atomic Redis script per request (EVALSHA, all or nothing) instead of six sequential round trips;
the OpenAI-compatible adapter calls its upstream through an undici keep-alive Pool with Node streams
instead of fetch with three WHATWG streams per call (fetch, web streams and their transferable
objects were the largest share of a request's CPU after PGlite); Redis clients auto-pipeline; streamed
chunks are written from a per-stream template without a promise per chunk; PGlite left the
process (RSS 578 MB idle / 741 MB peak before, about 270–330 MB now). Measured A/B in one time window on this shared machine (the commit
before the pass against this one, same harness, \`--quick\`), gateway CPU per request fell by about 40%
(concurrency 1: 6.6–7.2 ms → 4.0–4.6 ms; 50 connections: 4.1–4.8 ms → 2.3–2.8 ms).

The 1,000-stream failure (241/1000 before) was the router's per-upstream adaptive concurrency gate:
it starts an unknown upstream at 20 concurrent calls with a queue of 40 and answers the rest with 503
overloaded at once, by design. The benchmark's upstream is known to take 1,000+ concurrent streams,
so the bench gateway configures its gate to start there (routing.concurrency), as an operator would;
the gate still runs on every call. Streams that remain incomplete are listed by reason in the table;
503 overloaded there comes from the gateway's own event-loop-lag shedding (interactive class sheds
past 500 ms of lag), which is what a CPU-starved gateway should do. With the gate configured and
the machine less loaded, all 1,000 streams completed in a manual run; under a load average of 12
the gateway, given a fraction of a core, shed most of the burst of 1,000 simultaneous stream starts.

A second pass (same method: \`--cpu-prof\`, fix the top item, re-measure gateway CPU) took the rest
of the per-request work the profile attributed to our own code: usage events are batched per flush
window (a lone request's event goes out in the next event-loop turn; while requests keep completing,
at most one flush per 5 ms: one price book read and all their XADDs in one socket write; the client
never waits, and an event counts as recorded only once Redis acknowledged it) and are built from typed
values instead of a zod parse of our own output; upstream chunks are checked by a type guard that
accepts exactly what the former zod schema accepted (differential test), without copying each chunk;
request steps no longer allocate an OpenTelemetry context when no tracing SDK is registered; routing
legs link their abort signals to the request's with one listener instead of AbortSignal.any. Request
validation stays zod at the edge. Measured A/B in one time window (the commit before this pass
against it, \`--quick\`, no profiler, two runs each, load average 6–10): gateway CPU per request at
concurrency 1 3.94 / 4.48 ms → 3.38 / 3.74 ms; 50 connections 2.68 / 2.52 → 2.03 / 1.51 ms; 100
connections 2.06 / 1.75 → 1.80 / 1.07 ms, i.e. roughly 15–35% less. Per stream the runs disagree
(4.90 / 5.30 → 7.25 / 6.65 ms); the two profiles of the streaming phase have the same distribution
(socket writes, JSON.parse of upstream chunks, the upstream parser, GC), so that gap is the shared
machine, not the code: per stream the work is 64 upstream reads and 64 client writes, which this
pass did not change (profiles before / after, gitignored, on the bench machine: bench-results/profiles/CPU.20261126.080822.* / CPU.20261126.081725.*). The full run below (same harness, no profiler, load average 4–8 against 12–13 for the
previous full run at commit 92924da, so part of the difference is the quieter machine) gives gateway
CPU per request 3.16 → 1.98 ms at concurrency 1 and 1.20 / 1.33 / 1.00 / 0.98 → 0.82 / 0.83 / 0.72 /
0.98 ms at 50 / 100 / 200 / 400 connections; 1,000/1,000 streams completed (377 before, shed by a
CPU-starved gateway), at 4.86 ms of CPU per 64-chunk stream.

What limits the figures now: CPU per network exchange. A request is four network exchanges in one
Node process (client, Redis script, upstream, Redis XADD); at concurrency 1 each arrives after the
process slept, so each costs a wake-up and a socket read or write that nothing amortises: the profile
at concurrency 1 is socket writes (ioredis and undici write paths, writev), undici's HTTP parser and
Node's HTTP server, with no function of ours above 2% of the time. That is why concurrency 1 costs
2–3x the CPU per request of 100 connections, where one wake-up serves many requests and auto-pipelined
Redis commands share a write; the bench client does keep connections alive. Under load the remaining
cost is likewise Node's HTTP server and undici, ioredis command objects, prom-client histograms per
step, zod on the client's request and PII scanning, each a few percent. At ≈ 0.7–1 ms/request one
core serves ≈ 1,000–1,400 req/s (measured: ≈ 900 req/s on the share of core 0 the gateway got, with
queueing pushing added p99 far past 10 ms); 2,500 req/s needs ≈ 0.4 ms, which this architecture does not reach in
one Node process: it would take fewer exchanges per request (rate limits decided locally from
periodically reconciled Redis budgets, which changes how strict a limit is across replicas) or a
leaner HTTP stack than node:http + undici; both are design changes, not tuning. The measured
figures are also inflated by the shared machine (the gateway got a fraction of core 0 at a load
average of 6–16; latency figures are dominated by that queueing). RSS under load is the V8 heap
growing with 1,000 open streams (two sockets, an upstream parser and a generator each) plus
Prisma's query engine; it grows further when GC threads are starved.
`;
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(path.join(RESULTS_DIR, 'data-plane.md'), dataPlaneSection);

// The other suites: each is its own command; their output becomes a section of the report.
const suites: Array<{ name: string; title: string; command: string[]; writesFile?: string }> = [
  { name: 'policy', title: 'Policy decision latency (200 policies, target p99 ≤ 50 µs)', command: ['npx', 'tsx', 'data-plane/src/policy/bench-decide.ts'] },
  { name: 'pii', title: 'PII redaction: recall and false-positive rate on the generated labelled corpus', command: ['npx', 'tsx', 'data-plane/src/ingress/pii/evaluate-cli.ts'] },
  { name: 'audit', title: 'Audit ledger', command: ['npm', 'run', '-s', '-w', '@switchyard/subgraph-audit', 'bench'], writesFile: 'audit.md' },
];
for (const suite of suites) {
  if (dataPlaneOnly || (quick && suite.name === 'audit')) continue;
  log(`${suite.name}: ${suite.command.join(' ')}`);
  const output = execFileSync(suite.command[0] as string, suite.command.slice(1), { cwd: REPO_ROOT, env: { ...process.env, BENCH_PINNED: '1' }, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  if (!suite.writesFile) {
    writeFileSync(path.join(RESULTS_DIR, `${suite.name}.md`), `## ${suite.title}\n\nCommand: \`${suite.command.join(' ')}\`\n\n\`\`\`text\n${output.trim()}\n\`\`\`\n`);
  }
}

const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown';
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT }).toString().trim();
const sections = ['data-plane', 'policy', 'pii', 'audit']
  .map((name) => path.join(RESULTS_DIR, `${name}.md`))
  .filter((file) => existsSync(file))
  .map((file) => readFileSync(file, 'utf8').trim());
const report = `# Benchmarks

Measured by \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (e2e/bench/run.ts) at commit ${commit}, ${new Date().toISOString()}${dataPlaneOnly ? ' (data plane re-measured; the other sections are kept from the last full run, files in bench-results/)' : ''}.
Machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version};
load average at the end ${os.loadavg().map((value) => value.toFixed(1)).join(' / ')}.

${sections.join('\n\n')}
`;
writeFileSync(path.join(REPO_ROOT, 'BENCHMARKS.md'), report);
log('wrote BENCHMARKS.md');
process.stdout.write(report);
