import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ERROR_REGISTRY } from '../errors';
import { startHarness, type Harness } from '../test-support/data-plane-harness';
import { parseChatCompletionRequest, toInferenceRequest } from './chat-completion-request';

/**
 * Protocol fuzzing of the OpenAI wire format (CI-bounded: a fixed number of runs, each ms-cheap).
 * Requests are built field by field from the right type or arbitrary JSON, so most are nearly
 * valid and reach deep into the schema; whatever arrives, the answer is a result or a client error.
 */
const junk = fc.jsonValue({ maxDepth: 2 });
const either = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: junk });

const part = fc.oneof(fc.record({ type: fc.constant('text'), text: fc.string() }), fc.record({ type: fc.string(), image_url: junk }), junk);
const message = fc.record(
  {
    role: either(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'wizard')),
    content: either(fc.oneof(fc.string({ maxLength: 200 }), fc.constant(null), fc.array(part, { maxLength: 3 }))),
    name: either(fc.string({ maxLength: 70 })),
    tool_call_id: either(fc.string({ maxLength: 20 })),
  },
  { requiredKeys: ['role'] },
);
const toolName = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 70 }));
const number = fc.oneof(fc.double({ noNaN: false }), fc.integer(), fc.constantFrom(0, 1, 2, -1, 1e308, Number.MAX_SAFE_INTEGER + 2));

export const wireRequest = fc.record(
  {
    model: either(fc.constantFrom('mock-gpt', 'mock-mini', 'mock-large', 'nope', '')),
    messages: either(fc.array(message, { maxLength: 4 })),
    stream: either(fc.boolean()),
    stream_options: either(fc.record({ include_usage: either(fc.boolean()) }, { requiredKeys: [] })),
    temperature: either(number),
    top_p: either(number),
    n: either(number),
    max_tokens: either(number),
    max_completion_tokens: either(number),
    stop: either(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 6 }))),
    presence_penalty: either(number),
    frequency_penalty: either(number),
    seed: either(number),
    user: either(fc.string({ maxLength: 300 })),
    tools: either(fc.array(fc.record({ type: either(fc.constant('function')), function: either(fc.record({ name: toolName })) }), { maxLength: 3 })),
    tool_choice: either(fc.oneof(fc.constantFrom('none', 'auto', 'required', 'sometimes'), fc.record({ type: fc.constant('function'), function: fc.record({ name: toolName }) }))),
    unknown_field: junk,
  },
  { requiredKeys: [] },
);

/** Requests inside every documented range: always accepted. */
const validRequest = fc.record(
  {
    model: fc.constantFrom('mock-gpt', 'mock-mini', 'mock-large'),
    messages: fc.array(fc.record({ role: fc.constantFrom('system', 'developer', 'user', 'assistant'), content: fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.record({ type: fc.constant('text'), text: fc.string({ maxLength: 50 }) }), { minLength: 1, maxLength: 3 })) }), { minLength: 1, maxLength: 3 }),
    stream: fc.boolean(),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    max_tokens: fc.integer({ min: 1, max: 4096 }),
    max_completion_tokens: fc.integer({ min: 1, max: 4096 }),
    stop: fc.oneof(fc.string({ maxLength: 10 }), fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 })),
    seed: fc.integer(),
    user: fc.string({ maxLength: 256 }),
    unknown_field: junk,
  },
  { requiredKeys: ['model', 'messages'] },
);

describe('parseChatCompletionRequest under fuzzing', () => {
  it('accepts every request inside the documented ranges', () => {
    fc.assert(
      fc.property(validRequest, (body) => {
        expect(toInferenceRequest(parseChatCompletionRequest(body)).model).toBe(body.model);
      }),
      { numRuns: 1000 },
    );
  });

  it('returns a request or throws invalid_request (with a readable message), for any JSON value or near-valid request', () => {
    fc.assert(
      fc.property(fc.oneof(wireRequest, fc.jsonValue()), (body) => {
        try {
          const wire = parseChatCompletionRequest(body);
          const request = toInferenceRequest(wire);
          expect(request.messages).toHaveLength(wire.messages.length);
          expect(request.model).toBe(wire.model);
          // max_completion_tokens wins over max_tokens, and only a positive integer gets through.
          const limit = wire.max_completion_tokens ?? wire.max_tokens ?? undefined;
          expect(request.maxOutputTokens).toBe(limit);
          if (limit !== undefined) expect(Number.isSafeInteger(limit) && limit > 0).toBe(true);
          expect(JSON.stringify(request)).not.toContain('unknown_field');
        } catch (error) {
          if (!(error instanceof ApiError) || error.code !== 'invalid_request') throw error;
          expect(error.message.length).toBeGreaterThan(0);
          expect(error.status).toBe(400);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('POST /v1/chat/completions under fuzzing (the real app, in-process)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ requestsPerMinutePerKey: 1_000_000 });
  });
  afterAll(async () => {
    await h.finish();
  });

  const body = fc.oneof(
    { weight: 3, arbitrary: validRequest.map((r) => JSON.stringify(r)) },
    { weight: 6, arbitrary: wireRequest.map((r) => JSON.stringify(r)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );

  it('never answers 5xx; every refusal is an OpenAI error with a registered code', async () => {
    const codes = new Set(Object.keys(ERROR_REGISTRY));
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const response = await fetch(`${h.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
          body: text,
        });
        const answer = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, answer).toBeLessThan(500);
        if (response.status === 200) return;
        const parsed = JSON.parse(answer) as { error?: { code?: string; message?: string; type?: string } };
        expect(codes.has(parsed.error?.code ?? ''), answer).toBe(true);
        expect(typeof parsed.error?.message).toBe('string');
        expect(typeof parsed.error?.type).toBe('string');
      }),
      { numRuns: 200 },
    );
    // The generator reaches both sides: completions served and requests refused.
    expect(statuses.get(200), JSON.stringify([...statuses])).toBeGreaterThan(0);
    expect(statuses.get(400), JSON.stringify([...statuses])).toBeGreaterThan(0);
  });
});
