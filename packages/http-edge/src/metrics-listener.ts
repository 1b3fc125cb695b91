import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';

/** Something that renders Prometheus text (a prom-client `Registry` fits). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface MetricsListenerOptions {
  /** Rendered in order and concatenated (metric names must not repeat across sources). Read at each scrape, so sources may be added later. */
  sources: () => readonly MetricsSource[];
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>` (401 otherwise). */
  token?: string | undefined;
}

export const METRICS_PATH = '/metrics';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time comparison of the presented bearer token with the configured one. */
function authorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}

/**
 * The operator's metrics listener (SECURITY.md "Metrics exposure"): `GET /metrics` and nothing
 * else, on its own port (METRICS_HOST:METRICS_PORT, loopback by default), never on a public port.
 * Returned not listening, like every other server here.
 */
export function createMetricsListener(options: MetricsListenerOptions): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== METRICS_PATH) return sendText(response, 404, 'Not found: this listener serves GET /metrics only.\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'Use GET.\n', { allow: 'GET, HEAD' });
    if (options.token !== undefined && !authorized(request.headers.authorization, options.token)) {
      return sendText(response, 401, 'Send the operator metrics token as Authorization: Bearer <METRICS_TOKEN>.\n', { 'www-authenticate': 'Bearer realm="metrics"' });
    }
    const sources = options.sources();
    Promise.all(sources.map((source) => source.metrics())).then(
      (texts) => {
        const body = texts.map((text) => (text.endsWith('\n') || text === '' ? text : `${text}\n`)).join('');
        response.writeHead(200, { 'content-type': sources[0]?.contentType ?? 'text/plain; version=0.0.4; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      () => sendText(response, 500, 'Metrics could not be collected.\n'),
    );
  });
}
