// The streaming section of `npm run bench` (also alone: `npm run bench -- --streams`): added time to
// first token, then N concurrent 64-chunk streams through the gateway against the same N sent
// straight to the mock (the upstream's own duration at that concurrency), with stalls, CPU and RSS.
import { Agent, request } from 'node:http';
import { cpuMs, percentile, rssMb, type Target } from './measure';

export const STREAM_CHUNKS = 64;

/** One stream as the client saw it. `maxGapMs`: the longest silence between two reads after the first content. */
export interface StreamSample {
  status: number;
  complete: boolean;
  firstContentMs: number;
  totalMs: number;
  maxGapMs: number;
  contentFrames: number;
  failure?: string;
}

export function streamBody(chunkMs: number, chunks = STREAM_CHUNKS): string {
  return JSON.stringify({ model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: `[mock: chunks=${chunks} chunk-ms=${chunkMs}] stream` }] });
}

/** Occurrences of `needle` in `text` (a content frame is one `"content":"` that is not the role frame's empty one). */
function count(text: string, needle: string): number {
  let found = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) found += 1;
  return found;
}

/**
 * One streamed request; keeps counts and timings, not the body (2,000 streams of text would make
 * the load generator, which shares its core with the mock, the thing measured).
 */
export function timedStream(agent: Agent, target: Target, body: string, chunks = STREAM_CHUNKS): Promise<StreamSample> {
  const started = performance.now();
  return new Promise((resolve) => {
    const call = request(
      `${target.url}/v1/chat/completions`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}`, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let firstContentMs = -1;
        let lastReadMs = 0;
        let maxGapMs = 0;
        let contentFrames = 0;
        let tail = '';
        let carry = '';
        let errorText = '';
        response.setEncoding('utf8');
        response.on('data', (text: string) => {
          const now = performance.now() - started;
          // The role frame carries `"content":""`; content frames carry text. `carry`: a frame split across two reads.
          const seen = carry + text;
          const frames = count(seen, '"content":"') - count(seen, '"content":""');
          carry = seen.slice(-10);
          if (frames > 0 && firstContentMs < 0) firstContentMs = now;
          else if (firstContentMs >= 0) maxGapMs = Math.max(maxGapMs, now - lastReadMs);
          lastReadMs = now;
          contentFrames += frames;
          tail = (tail + text).slice(-64);
          if (response.statusCode !== 200 && errorText.length < 300) errorText += text;
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const complete = status === 200 && tail.includes('[DONE]') && contentFrames >= chunks;
          const failure = complete ? undefined : status === 200 ? 'cut' : `${status} ${/"code":"([a-z_]+)"/.exec(errorText)?.[1] ?? 'error'}`;
          resolve({ status, complete, firstContentMs, totalMs: performance.now() - started, maxGapMs, contentFrames, ...(failure ? { failure } : {}) });
        });
        response.on('error', (error) => resolve({ status: -1, complete: false, firstContentMs, totalMs: Number.NaN, maxGapMs, contentFrames, failure: error.message.slice(0, 60) }));
      },
    );
    call.on('error', (error) => resolve({ status: -1, complete: false, firstContentMs: -1, totalMs: Number.NaN, maxGapMs: 0, contentFrames: 0, failure: error.message.slice(0, 60) }));
    call.end(body);
  });
}

/** Time to first content frame of `samples` sequential streams (one connection), sorted. */
export async function timeToFirstToken(target: Target, body: string, samples: number, chunks: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const sample = await timedStream(agent, target, body, chunks);
    if (!sample.complete) throw new Error(`time to first token: stream failed (${sample.failure})`);
    times.push(sample.firstContentMs);
  }
  agent.destroy();
  return times.sort((a, b) => a - b);
}

export interface ConcurrentStreams {
  samples: StreamSample[];
  cpuPerStreamMs: number;
  peakRssMb: number;
}

/** `streams` streams at once; the gateway's CPU and RSS (sampled every 100 ms) when `gatewayPid` is given. */
export async function concurrentStreams(target: Target, body: string, streams: number, gatewayPid?: number): Promise<ConcurrentStreams> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  let peakRssMb = gatewayPid ? rssMb(gatewayPid) : 0;
  const sampler = gatewayPid ? setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(gatewayPid))), 100) : undefined;
  const cpuAtStart = gatewayPid ? cpuMs(gatewayPid) : 0;
  const samples = await Promise.all(Array.from({ length: streams }, () => timedStream(agent, target, body)));
  const cpuPerStreamMs = gatewayPid ? (cpuMs(gatewayPid) - cpuAtStart) / streams : 0;
  if (sampler) clearInterval(sampler);
  if (gatewayPid) peakRssMb = Math.max(peakRssMb, rssMb(gatewayPid));
  agent.destroy();
  return { samples, cpuPerStreamMs, peakRssMb };
}

/** A stall: a silence inside a stream of this many chunk intervals (at least 250 ms). */
export function stallThresholdMs(chunkMs: number): number {
  return Math.max(250, 10 * chunkMs);
}

export interface StreamsSummary {
  complete: number;
  stalls: number;
  /** Gateway streams whose duration is within 10 % of the direct run's duration at the same rank. */
  withinTenPercent: number;
  durations: { p50: number; p99: number; max: number };
  directDurations: { p50: number; p99: number; max: number };
  maxGapP99: number;
  ttftInRunP50: number;
  ttftInRunP99: number;
  incomplete: string;
}

/**
 * Compares the gateway's streams with the direct ones rank by rank (the k-th shortest with the
 * k-th shortest): a stream has no identity across the two runs, and the mock's own duration at
 * that concurrency (its timers drift under load) is the fair yardstick, not the nominal one.
 */
export function summariseStreams(gateway: readonly StreamSample[], direct: readonly StreamSample[], chunkMs: number): StreamsSummary {
  const sorted = (values: number[]) => values.filter(Number.isFinite).sort((a, b) => a - b);
  const through = sorted(gateway.map((s) => s.totalMs));
  const straight = sorted(direct.map((s) => s.totalMs));
  let withinTenPercent = 0;
  for (let rank = 0; rank < through.length && straight.length > 0; rank += 1) {
    const yardstick = straight[Math.min(straight.length - 1, Math.floor((rank * straight.length) / through.length))] as number;
    if ((through[rank] as number) <= yardstick * 1.1) withinTenPercent += 1;
  }
  const reasons = new Map<string, number>();
  for (const sample of gateway) if (!sample.complete) reasons.set(sample.failure ?? 'incomplete', (reasons.get(sample.failure ?? 'incomplete') ?? 0) + 1);
  const ttfts = sorted(gateway.map((s) => s.firstContentMs).filter((ms) => ms >= 0));
  const gaps = sorted(gateway.map((s) => s.maxGapMs));
  const spread = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99), max: percentile(values, 100) });
  return {
    complete: gateway.filter((s) => s.complete).length,
    stalls: gateway.filter((s) => !s.complete || s.maxGapMs >= stallThresholdMs(chunkMs)).length,
    withinTenPercent,
    durations: spread(through),
    directDurations: spread(straight),
    maxGapP99: percentile(gaps, 99),
    ttftInRunP50: percentile(ttfts, 50),
    ttftInRunP99: percentile(ttfts, 99),
    incomplete: [...reasons].map(([reason, n]) => `${n} × ${reason}`).join(', '),
  };
}
