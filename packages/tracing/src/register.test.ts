import { isSpanContextValid, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { tracingConfigFromEnv } from './config';
import { registerTracing, type TracingHandle } from './register';
import { startOtlpReceiver, type OtlpReceiver } from './testing/otlp-receiver';
import { contextFromTraceparent, currentTraceparent, inSpanFrom } from './trace-context';

let handle: TracingHandle | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await handle?.shutdown();
  await receiver?.close();
  handle = receiver = undefined;
});

describe('tracing configuration', () => {
  it('is off without an endpoint, and with OTEL_TRACES_EXPORTER=none or OTEL_SDK_DISABLED=true', () => {
    expect(tracingConfigFromEnv({}).endpoint).toBeUndefined();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).endpoint).toBeUndefined();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).endpoint).toBeUndefined();
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).endpoint).toBeUndefined();
  });

  it('sends traces to <endpoint>/v1/traces, or to the traces endpoint as given', () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({ endpoint: 'http://collector:4318/v1/traces', protocol: 'http/protobuf' });
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({
      endpoint: 'http://tempo:4318/v1/traces',
      protocol: 'http/json',
    });
  });

  it('refuses malformed values, every problem at once', () => {
    expect(() => tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url', OTEL_SPAN_BUDGET_PER_SECOND: '-1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT[\s\S]*OTEL_EXPORTER_OTLP_PROTOCOL[\s\S]*OTEL_SPAN_BUDGET_PER_SECOND/,
    );
  });
});

describe('registerTracing', () => {
  it('registers nothing when off: spans stay no-ops and no traceparent is produced', async () => {
    handle = registerTracing(tracingConfigFromEnv({}), { serviceName: 'test' });
    expect(handle.enabled).toBe(false);
    await inSpanFrom('test', 'nothing', contextFromTraceparent(undefined), {}, async (span) => {
      expect(isSpanContextValid(span.spanContext())).toBe(false);
      expect(currentTraceparent()).toBeUndefined();
    });
  });

  it('exports over OTLP/HTTP to a real receiver, continuing a remote traceparent, one provider per process', async () => {
    receiver = await startOtlpReceiver();
    const config = tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'svc-under-test' });
    handle = registerTracing(config, { serviceName: 'default-name' });
    expect(registerTracing(config, { serviceName: 'other' })).toBe(handle);
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
    let inner: string | undefined;
    await inSpanFrom('test', 'consume', contextFromTraceparent(parent), { attributes: { 'switchyard.route': 'r' } }, async () => {
      inner = currentTraceparent();
      trace.getTracer('test').startSpan('child').end();
    });
    expect(inner).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    await handle.forceFlush();
    const spans = await receiver.waitFor((s) => s.length >= 2);
    const consume = spans.find((s) => s.name === 'consume');
    expect(consume).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', serviceName: 'svc-under-test', attributes: { 'switchyard.route': 'r' } });
  });
});
