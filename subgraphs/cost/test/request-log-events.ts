import { randomUUID } from 'node:crypto';
import type { RequestLogEvent } from '@switchyard/events/request-log';

/** A served request's entry; override what the test is about. */
export function requestLogEvent(tenantId: string, overrides: Partial<RequestLogEvent> = {}): RequestLogEvent {
  return {
    requestId: randomUUID(),
    tenantId,
    apiKeyId: null,
    userId: null,
    endpoint: 'chat_completions',
    route: 'mock-gpt',
    model: 'mock-gpt',
    provider: 'mock',
    status: 200,
    errorCode: null,
    refused: false,
    latencyMs: 100,
    ttftMs: 40,
    promptTokens: 10,
    completionTokens: 5,
    costMicros: '150',
    traceId: null,
    startedAt: new Date().toISOString(),
    policyDecisions: [],
    ...overrides,
  };
}
