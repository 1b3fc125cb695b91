import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '@switchyard/tracing/testing';
import { parsePlatformEnv } from './config';
import { startPlatform, type RunningPlatform } from './platform';

/**
 * Traces leave the process: `npm start` with OTEL_EXPORTER_OTLP_ENDPOINT pointed at a real OTLP/HTTP
 * receiver. A request sent with the official openai client and a client traceparent becomes one
 * trace: the data plane's server span (child of the client's span), its ingress, policy,
 * routing_decision and adapter_call steps, and the spans of the cost usage consumer and the audit
 * consumer that handled its usage event, joined through the event's traceparent.
 */
const CLIENT_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN_ID = 'b7ad6b7169203331';

let database: TestDatabase | undefined;
let dataDir: string | undefined;
let platform: RunningPlatform | undefined;
let receiver: OtlpReceiver | undefined;
let secret = '';
const lines: string[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  database = await createTestDatabase();
  const { demoTenantId } = await seed(database.db);
  const key = generateApiKeySecret();
  await database.db.withTenant(demoTenantId, (tx) => tx.apiKey.create({ data: { tenantId: demoTenantId, name: 'tracing', prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));
  secret = key.secret;
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-tracing-'));
  const env = parsePlatformEnv({
    DATABASE_URL: database.url,
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_MASTER_KEYS: `main:${generateMasterKey()}`,
    SWITCHYARD_COMPONENTS: 'cost,audit,data-plane',
    DATA_PLANE_PORT: '0',
    COST_SUBGRAPH_PORT: '0',
    AUDIT_SUBGRAPH_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'switchyard-under-test',
  });
  platform = await startPlatform({ env, progress: (line) => lines.push(line) });
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await receiver?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const inTrace = (spans: ReceivedSpan[]) => spans.filter((span) => span.traceId === CLIENT_TRACE_ID);

describe('OpenTelemetry export under npm start', () => {
  it('says where traces go', () => {
    expect(lines).toContain(`traces: OTLP/HTTP to ${receiver?.endpoint}/v1/traces`);
  });

  it('one request is one trace across the data plane and the consumers of its usage event', async () => {
    const dataPlaneLine = lines.find((line) => line.startsWith('data plane: http://'));
    expect(dataPlaneLine).toBeDefined();
    const client = new OpenAI({ apiKey: secret, baseURL: `${dataPlaneLine!.slice('data plane: '.length)}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create(
      { model: 'mock-gpt', messages: [{ role: 'user', content: 'trace this request' }] },
      { headers: { traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01` } },
    );
    expect(completion.choices[0]?.message.content).toBeTruthy();

    // The batch processor exports every few seconds; the consumers write the event a moment after the answer.
    const wanted = ['ingress', 'policy', 'routing_decision', 'adapter_call', 'usage.record', 'audit.append'];
    const spans = inTrace(await receiver!.waitFor((all) => wanted.every((name) => inTrace(all).some((span) => span.name === name)), 60_000));

    const root = spans.find((span) => span.name === 'POST /v1/chat/completions');
    expect(root).toMatchObject({
      parentSpanId: CLIENT_SPAN_ID,
      kind: 2, // SERVER
      serviceName: 'switchyard-under-test',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'mock-gpt',
        'gen_ai.response.model': 'mock-gpt',
        'gen_ai.provider.name': 'mock',
        'switchyard.route': 'mock-gpt',
        'switchyard.fallback': false,
        'http.response.status_code': 200,
      },
    });
    expect(root?.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(root?.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(root?.attributes['switchyard.tenant_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(root?.attributes['switchyard.decision']).toMatch(/mock\/mock-gpt/);

    for (const step of ['ingress', 'policy', 'routing_decision', 'adapter_call']) {
      expect(spans.find((span) => span.name === step)?.parentSpanId, step).toBe(root?.spanId);
    }
    const leg = spans.find((span) => span.name === 'adapter_call');
    expect(leg).toMatchObject({ kind: 3, attributes: { 'gen_ai.provider.name': 'mock', 'gen_ai.request.model': 'mock-gpt', 'switchyard.leg.kind': 'primary', 'switchyard.leg.outcome': 'won' } });
    expect(leg?.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);

    // The consumers continue the trace from the usage event: children of the request's server span.
    for (const consumer of ['usage.record', 'audit.append']) {
      expect(spans.find((span) => span.name === consumer), consumer).toMatchObject({ kind: 5, parentSpanId: root?.spanId }); // CONSUMER
    }
  });
});
