import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/**
 * An OTLP/HTTP trace receiver for tests: `POST /v1/traces` with the OTLP JSON encoding (what
 * `@opentelemetry/exporter-trace-otlp-http` sends; set OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json),
 * decoded into flat spans. Loopback, port 0. Protobuf bodies are answered 415: a real collector
 * takes both, and the JSON encoding's field names make the assertions readable.
 */
const anyValue: z.ZodType<unknown> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: z.union([z.number(), z.string()]).optional(),
      doubleValue: z.number().optional(),
      arrayValue: z.object({ values: z.array(anyValue).optional() }).optional(),
    })
    .transform((v) => v.stringValue ?? v.boolValue ?? (v.intValue === undefined ? undefined : Number(v.intValue)) ?? v.doubleValue ?? v.arrayValue?.values),
);
const keyValues = z.array(z.object({ key: z.string(), value: anyValue })).optional();
const otlpSpan = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.number().optional(),
  startTimeUnixNano: z.union([z.string(), z.number()]),
  endTimeUnixNano: z.union([z.string(), z.number()]),
  attributes: keyValues,
  status: z.object({ code: z.number().optional() }).optional(),
});
const exportRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: keyValues }).optional(),
      scopeSpans: z.array(z.object({ spans: z.array(otlpSpan).optional() })).optional(),
    }),
  ),
});

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  serviceName: string | undefined;
  attributes: Record<string, unknown>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  durationMs: number;
}

export interface OtlpReceiver {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (`http://127.0.0.1:<port>`). */
  endpoint: string;
  spans(): ReceivedSpan[];
  /** Resolves once `predicate` holds for the received spans (checked on every export), rejects after `waitMs`. */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, waitMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

const toObject = (pairs: { key: string; value: unknown }[] | undefined): Record<string, unknown> => Object.fromEntries((pairs ?? []).map((p) => [p.key, p.value]));

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') return void response.writeHead(404).end();
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return void response.writeHead(415).end();
      const parsed = exportRequest.safeParse(JSON.parse(await bodyOf(request)));
      if (!parsed.success) return void response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: parsed.error.message }));
      for (const resourceSpans of parsed.data.resourceSpans) {
        const resource = toObject(resourceSpans.resource?.attributes);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            received.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: span.kind ?? 0,
              serviceName: typeof resource['service.name'] === 'string' ? resource['service.name'] : undefined,
              attributes: toObject(span.attributes),
              statusCode: span.status?.code ?? 0,
              durationMs: Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6,
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      for (const wake of waiters) wake();
    })().catch(() => response.writeHead(400).end());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => [...received],
    waitFor(predicate, waitMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!predicate(received)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...received]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the OTLP receiver did not get the expected spans; it has ${received.map((s) => s.name).join(', ') || 'none'}`));
        }, waitMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.close();
      server.closeAllConnections();
      await once(server, 'close').catch(() => undefined);
    },
  };
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
