// Closed-loop load for the admin-plane benchmark: `connections` callers each run one operation
// after another for a fixed time; every call is timed. Used for the gateway and for the same
// operation sent to the subgraphs directly, so both are measured by the same code.
import { request, type Agent } from 'node:http';
import { percentile } from './measure';

export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  firstError: string | null;
}

/** POSTs a GraphQL body; resolves with the parsed reply (throws on a non-200 or an `errors` entry). */
export function postGraphQL(agent: Agent, url: string, authorization: string, body: string, extraHeaders: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization, 'content-length': Buffer.byteLength(body), ...extraHeaders },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`));
          const reply = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
          if (reply.errors && reply.errors.length > 0) return reject(new Error(`GraphQL errors: ${JSON.stringify(reply.errors).slice(0, 300)}`));
          resolve(reply.data);
        });
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** Runs `operation` from `connections` concurrent callers for `seconds`. */
export async function closedLoop(operation: () => Promise<unknown>, connections: number, seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const started = process.hrtime.bigint();
  const endAt = Date.now() + seconds * 1000;
  const caller = async () => {
    while (Date.now() < endAt) {
      const t0 = process.hrtime.bigint();
      try {
        await operation();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, caller));
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    perSecond: Math.round((latencies.length / elapsedS) * 10) / 10,
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    firstError,
  };
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
