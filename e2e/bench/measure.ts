import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index] as number;
}

export interface Target {
  url: string;
  apiKey: string;
}

export function chatBody(prompt: string, stream = false): string {
  return JSON.stringify({ model: 'mock-gpt', stream, messages: [{ role: 'user', content: prompt }] });
}

/** One request over a keep-alive agent; resolves with ms to the end of the body and to the first body byte. */
export function timedRequest(agent: Agent, target: Target, body: string): Promise<{ totalMs: number; firstByteMs: number; status: number; text: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const call = request(
      `${target.url}/v1/chat/completions`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}`, 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let firstByteMs = -1;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (firstByteMs < 0 && chunk.includes('"content"')) firstByteMs = Number(process.hrtime.bigint() - started) / 1e6;
          text += chunk;
        });
        response.on('end', () => resolve({ totalMs: Number(process.hrtime.bigint() - started) / 1e6, firstByteMs, status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/**
 * Warm-up: `count` sequential requests that must succeed. A fresh gateway may shed while its
 * start-up (module compilation, first database reads) still shows as event-loop lag; such 503s
 * are waited out (their Retry-After), for up to a minute, and are not counted.
 */
export async function warmUp(target: Target, body: string, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const giveUpAt = Date.now() + 60_000;
  try {
    for (let done = 0; done < count; ) {
      const result = await timedRequest(agent, target, body);
      if (result.status === 200) done += 1;
      else if (result.status === 503 && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 250));
      else throw new Error(`warm-up: HTTP ${result.status}: ${result.text.slice(0, 300)}`);
    }
  } finally {
    agent.destroy();
  }
}

/** Sequential requests at concurrency 1: the latency distribution with µs resolution. */
export async function latencyAtConcurrencyOne(target: Target, body: string, count: number, onProgress: (done: number) => void): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const result = await timedRequest(agent, target, body);
    if (result.status !== 200) throw new Error(`HTTP ${result.status}: ${result.text.slice(0, 300)}`);
    samples.push(result.totalMs);
    if (i % 500 === 0) onProgress(i);
  }
  agent.destroy();
  return samples.sort((a, b) => a - b);
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/**
 * CPU time (user + system, ms) the process has used so far. Differences of it divide into work
 * done: a cost per request that queueing on a shared machine does not inflate the way latency is.
 */
export function cpuMs(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command name), in clock ticks.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}
