import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import { registerTracing, tracingConfigFromEnv, type TracingHandle } from '@switchyard/tracing';
import { startOtlpReceiver, type OtlpReceiver } from '@switchyard/tracing/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startGatewayUnderTest, type GatewayUnderTest } from './test-support/gateway-under-test';

/**
 * W3C trace context through the admin plane: the gateway's server span continues the client's
 * traceparent, and every subgraph call carries the trace on to the subgraph (whose server span, in
 * the kit, continues it). Exported to a real OTLP/HTTP receiver.
 */
const TRACE_ID = '5b8aa5a2d2c872e8321cf37308d69df2';
const CLIENT_SPAN = '051581bf3cb55c13';

let issuer: TestIssuer;
let gateway: GatewayUnderTest;
let receiver: OtlpReceiver;
let tracing: TracingHandle;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracing = registerTracing(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', SWITCHYARD_TRACE_SAMPLING: 'all' }), { serviceName: 'gateway-under-test' });
  issuer = await startTestIssuer();
  gateway = await startGatewayUnderTest(issuer);
});

afterAll(async () => {
  await gateway?.close();
  await issuer?.close();
  await tracing?.shutdown();
  await receiver?.close();
});

describe('trace context from the client through the gateway to the subgraphs', () => {
  it('the gateway continues the client trace and passes it to the subgraph it calls', async () => {
    const token = (await issuer.loginAsAdmin()).accessToken;
    const response = await postGraphQL(gateway.url, { query: '{ viewer { subject } }' }, { token, headers: { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` } });
    expect(response.status).toBe(200);

    const sent = gateway.standIns.traceparents.filter((header) => header.includes(TRACE_ID));
    expect(sent).toHaveLength(1);
    // The subgraph's parent is a gateway span, not the client's.
    expect(sent[0]).toMatch(new RegExp(`^00-${TRACE_ID}-(?!${CLIENT_SPAN})[0-9a-f]{16}-01$`));

    await tracing.forceFlush();
    const spans = await receiver.waitFor((all) => all.some((span) => span.traceId === TRACE_ID && span.parentSpanId === CLIENT_SPAN));
    const root = spans.find((span) => span.traceId === TRACE_ID && span.parentSpanId === CLIENT_SPAN);
    expect(root).toMatchObject({ name: 'POST /graphql', kind: 2, attributes: { 'http.response.status_code': 200 } });
    const parentOfSubgraphCall = sent[0]!.split('-')[2];
    expect(spans.some((span) => span.traceId === TRACE_ID && span.spanId === parentOfSubgraphCall)).toBe(true);
  });
});
