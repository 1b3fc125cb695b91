import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { tracingConfigFromEnv } from './config';
import { registerTracing, type TracingHandle } from './register';
import { startServerSpan } from './server-span';
import { startOtlpReceiver, type OtlpReceiver } from './testing/otlp-receiver';

let handle: TracingHandle | undefined;
let receiver: OtlpReceiver | undefined;
let server: Server | undefined;
afterEach(async () => {
  server?.close();
  await handle?.shutdown();
  await receiver?.close();
  handle = receiver = server = undefined;
});

const TRACE_ID = 'a3ce929d0e0e47364bf92f3577b34da6';
const PARENT = '00f067aa0ba902b7';

describe('startServerSpan', () => {
  it('continues the caller traceparent, makes the span active for the handler, and marks 5xx as errors but not 4xx', async () => {
    receiver = await startOtlpReceiver();
    handle = registerTracing(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', SWITCHYARD_TRACE_SAMPLING: 'all' }), { serviceName: 'server-span-test' });
    const activeInHandler: string[] = [];
    server = createServer((req, res) =>
      startServerSpan('test', req, res, '/thing').run(() => {
        activeInHandler.push(trace.getActiveSpan()?.spanContext().traceId ?? 'none');
        res.writeHead(req.headers['x-status'] === '500' ? 500 : 404).end();
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/thing`;
    for (const status of ['500', '404']) await fetch(url, { headers: { traceparent: `00-${TRACE_ID}-${PARENT}-01`, 'x-status': status } });
    expect(activeInHandler).toEqual([TRACE_ID, TRACE_ID]);
    await handle.forceFlush();
    const spans = await receiver.waitFor((all) => all.length >= 2);
    expect(spans.map((s) => ({ name: s.name, parent: s.parentSpanId, status: s.attributes['http.response.status_code'], error: s.statusCode === 2 }))).toEqual([
      { name: 'GET /thing', parent: PARENT, status: 500, error: true },
      { name: 'GET /thing', parent: PARENT, status: 404, error: false },
    ]);
  });
});
