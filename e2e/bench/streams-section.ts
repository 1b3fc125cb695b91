// The streaming section of BENCHMARKS.md: the mock's own figures once, then each gateway (this
// commit, and with --baseline-bundle an earlier one) in its own fresh process, one after the
// other on the same core, mock, Redis and database.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { chatBody, cpuMs, percentile, rssMb, warmUp, type Target } from './measure';
import type { BenchProcess } from './processes';
import { concurrentStreams, STREAM_CHUNKS, stallThresholdMs, streamBody, summariseStreams, timeToFirstToken } from './streams';

export interface StreamsSectionOptions {
  direct: Target;
  gateways: ReadonlyArray<{ name: string; bundle: string; flags: readonly string[] }>;
  startGateway: (bundle: string, nodeFlags: readonly string[]) => Promise<BenchProcess<{ url: string; apiKey: string; pid: number }>>;
  streams: number;
  chunkMs: number;
  ttftSamples: number;
  warmUps: number;
  log: (line: string) => void;
}

/**
 * Every stream holds a client socket here and in the gateway, and an upstream socket in the
 * gateway and the mock: refuse to start with too few descriptors rather than measure EMFILE.
 */
function checkDescriptorLimit(streams: number): void {
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
  if (Number.isFinite(limit) && limit < 2 * streams + 512) throw new Error(`ulimit -n is ${limit}: ${streams} streams need at least ${2 * streams + 512} (raise it: ulimit -n 65536)`);
}

const ms = (value: number) => value.toFixed(value < 10 ? 3 : 0);

export async function streamsSection(options: StreamsSectionOptions): Promise<string> {
  const { direct, streams, chunkMs, log } = options;
  checkDescriptorLimit(streams);
  const body = streamBody(chunkMs);
  const ttftBody = streamBody(0, 8);
  const nominalMs = (STREAM_CHUNKS - 1) * chunkMs;

  log(`streams: the mock alone (${streams} concurrent, ${STREAM_CHUNKS} chunks ${chunkMs} ms apart)`);
  await warmUp(direct, chatBody('warm up', true), 300);
  const ttftDirect = await timeToFirstToken(direct, ttftBody, options.ttftSamples, 8);
  const straight = await concurrentStreams(direct, body, streams);

  const rows: string[] = [];
  for (const variant of options.gateways) {
    const gateway = await options.startGateway(variant.bundle, variant.flags);
    try {
      const target: Target = { url: gateway.info.url, apiKey: gateway.info.apiKey };
      const pid = gateway.info.pid;
      // Idle: started, connected, nothing served yet, its background work (key re-validation, price
      // book) running: 2 s after start, and 30 s after (V8's memory reducer has run by then).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const rssStart = rssMb(pid);
      await new Promise((resolve) => setTimeout(resolve, 28_000));
      const rssIdle = rssMb(pid);
      log(`streams: ${variant.name}: warm up`);
      await warmUp(target, chatBody('warm up'), options.warmUps / 2);
      await warmUp(target, chatBody('[mock: chunks=8] warm up the streaming path', true), options.warmUps / 2);
      const rssWarm = rssMb(pid);
      const ttftCpuAtStart = cpuMs(pid);
      const ttftGateway = await timeToFirstToken(target, ttftBody, options.ttftSamples, 8);
      const cpuPerShortStream = (cpuMs(pid) - ttftCpuAtStart) / options.ttftSamples;
      log(`streams: ${variant.name}: ${streams} concurrent`);
      const through = await concurrentStreams(target, body, streams, pid);
      const summary = summariseStreams(through.samples, straight.samples, chunkMs);
      const rssAfter = rssMb(pid);
      const addedTtft = percentile(ttftGateway, 50) - percentile(ttftDirect, 50);
      const addedTtftP99 = percentile(ttftGateway, 99) - percentile(ttftDirect, 99);
      log(`streams: ${variant.name}: ${summary.complete}/${streams} complete, ${summary.withinTenPercent} within 10 %, ttft +${ms(addedTtft)} ms, rss ${rssIdle.toFixed(0)}/${through.peakRssMb.toFixed(0)} MB`);
      rows.push(
        `| ${variant.name}: added time to first token, p50 / p99 | ${ms(addedTtft)} / ${ms(addedTtftP99)} ms | direct p50 ${ms(percentile(ttftDirect, 50))} ms, via gateway p50 ${ms(percentile(ttftGateway, 50))} / p99 ${ms(percentile(ttftGateway, 99))} ms (${options.ttftSamples} sequential 8-chunk streams); gateway CPU ${cpuPerShortStream.toFixed(2)} ms per 8-chunk stream | p50 ≤ 0.5 ms |`,
        `| ${variant.name}: ${streams} concurrent streams | ${summary.complete}/${streams} complete, ${summary.stalls} stalled, ${summary.withinTenPercent} within 10 % of the mock's own | duration p50 / p99 / max ${ms(summary.durations.p50)} / ${ms(summary.durations.p99)} / ${ms(summary.durations.max)} ms against the mock's own ${ms(summary.directDurations.p50)} / ${ms(summary.directDurations.p99)} / ${ms(summary.directDurations.max)} ms (nominal ${nominalMs} ms); longest silence in a stream p99 ${ms(summary.maxGapP99)} ms; first token under this load p50 ${ms(summary.ttftInRunP50)} / p99 ${ms(summary.ttftInRunP99)} ms${summary.incomplete ? `; incomplete: ${summary.incomplete}` : ''} | all complete, no stall, each within 10 % |`,
        `| ${variant.name}: gateway CPU per stream | ${through.cpuPerStreamMs.toFixed(2)} ms | ${((through.cpuPerStreamMs * 1000) / (STREAM_CHUNKS + 3)).toFixed(1)} µs per relayed frame (${STREAM_CHUNKS} content frames, role, finish, [DONE]) | |`,
        `| ${variant.name}: gateway RSS idle / warmed up / peak with ${streams} streams / after | ${rssIdle.toFixed(0)} / ${rssWarm.toFixed(0)} / ${through.peakRssMb.toFixed(0)} / ${rssAfter.toFixed(0)} MB | idle: 30 s after start, nothing served (${rssStart.toFixed(0)} MB 2 s after start); peak sampled every 100 ms | idle ≤ 150 MB, ≤ 300 MB at 2,000 streams |`,
      );
    } finally {
      await gateway.stop();
    }
  }

  return `## Data plane: streams

\`npm run bench -- --streams\` (e2e/bench/streams-section.ts; also part of the full run). The production
gateway process (bundled, plain node, pinned to core 0) relays ${streams} concurrent streams of ${STREAM_CHUNKS}
chunks, ${chunkMs} ms apart, from the bench's mock upstream (core 1, with the load generator and Redis). The
mock's own figures are the same ${streams} streams sent straight to it in the same run: each gateway stream is
compared with the direct one of the same rank (k-th shortest with k-th shortest), since the mock's timers
drift under that load. A stall: a stream that did not complete, or a silence of ≥ ${stallThresholdMs(chunkMs)} ms
inside one. Time to first token: sequential 8-chunk streams on one connection, to the first content frame.
Each gateway is its own fresh process, one after the other. Load average at the end ${os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')} (${os.cpus().length} cores shared with other jobs).

| figure | result | detail | target |
|---|---|---|---|
${rows.join('\n')}
`;
}
