import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ERROR_REGISTRY } from '../../errors';
import { startHarness, type Harness } from '../../test-support/data-plane-harness';
import { parseResponsesRequest, toInferenceRequest } from './responses-request';

/**
 * Protocol fuzzing of the Responses API request (CI-bounded runs): near-valid requests built field
 * by field, and arbitrary JSON; the parser returns a request or refuses with invalid_request, and
 * the real app never answers 5xx, whatever the body or the `previous_response_id`.
 */
const junk = fc.jsonValue({ maxDepth: 2 });
const either = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: junk });
const text = fc.string({ maxLength: 120 });
const part = fc.oneof(fc.record({ type: fc.constantFrom('input_text', 'output_text'), text }), fc.record({ type: fc.constantFrom('input_image', 'sticker'), image_url: junk }), junk);
const item = fc.oneof(
  fc.record({ role: either(fc.constantFrom('user', 'assistant', 'system', 'developer', 'tool')), content: either(fc.oneof(text, fc.array(part, { maxLength: 3 }))), type: either(fc.constant('message')) }, { requiredKeys: ['role'] }),
  fc.record({ type: fc.constant('function_call_output'), call_id: either(fc.string({ maxLength: 20 })), output: either(text) }),
  fc.record({ type: fc.constant('function_call'), call_id: either(fc.string({ maxLength: 20 })), name: either(fc.string({ maxLength: 70 })), arguments: either(text) }),
  fc.record({ type: fc.constantFrom('item_reference', 'reasoning'), id: fc.string() }),
);
const number = fc.oneof(fc.double({ noNaN: false }), fc.integer(), fc.constantFrom(0, 1, 2, -1, 1e308));
const previousId = fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/).map((hex) => `resp_${hex}`), fc.string({ maxLength: 300 }), fc.constant(null));

export const wireRequest = fc.record(
  {
    model: either(fc.constantFrom('mock-gpt', 'mock-mini', 'nope', '')),
    input: either(fc.oneof(text, fc.array(item, { maxLength: 4 }))),
    instructions: either(fc.oneof(text, fc.constant(null))),
    previous_response_id: either(previousId),
    store: either(fc.boolean()),
    stream: either(fc.boolean()),
    max_output_tokens: either(number),
    temperature: either(number),
    top_p: either(number),
    user: either(fc.string({ maxLength: 300 })),
    metadata: either(fc.dictionary(fc.string({ maxLength: 70 }), fc.string({ maxLength: 20 }), { maxKeys: 18 })),
    tools: either(fc.array(fc.record({ type: either(fc.constantFrom('function', 'web_search')), name: either(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)), parameters: either(fc.constant({ type: 'object' })) }), { maxLength: 3 })),
    tool_choice: either(fc.oneof(fc.constantFrom('none', 'auto', 'required', 'sometimes'), fc.record({ type: fc.constant('function'), name: fc.string({ maxLength: 70 }) }))),
    unknown_field: junk,
  },
  { requiredKeys: [] },
);

describe('parseResponsesRequest under fuzzing', () => {
  it('returns a request or throws invalid_request (with a readable message), for any JSON value or near-valid request', () => {
    fc.assert(
      fc.property(fc.oneof(wireRequest, fc.jsonValue()), (body) => {
        try {
          const wire = parseResponsesRequest(body);
          const request = toInferenceRequest(wire, []);
          const inputs = typeof wire.input === 'string' ? 1 : wire.input.length;
          expect(request.messages).toHaveLength(inputs + (wire.instructions ? 1 : 0));
          expect(request.model).toBe(wire.model);
          expect(JSON.stringify(request)).not.toContain('unknown_field');
        } catch (error) {
          if (!(error instanceof ApiError) || error.code !== 'invalid_request') throw error;
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('POST /v1/responses under fuzzing (the real app, in-process)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ requestsPerMinutePerKey: 1_000_000 });
  });
  afterAll(async () => {
    await h.finish();
  });

  const body = fc.oneof(
    { weight: 6, arbitrary: wireRequest.map((r) => JSON.stringify(r)) },
    { weight: 3, arbitrary: fc.record({ model: fc.constant('mock-gpt'), input: text, stream: fc.boolean(), store: fc.boolean() }).map((r) => JSON.stringify(r)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  );

  it('never answers 5xx; every refusal is an OpenAI error with a registered code', async () => {
    const codes = new Set(Object.keys(ERROR_REGISTRY));
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const response = await fetch(`${h.baseUrl}/responses`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' }, body: payload });
        const answer = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, answer).toBeLessThan(500);
        if (response.status === 200) return;
        const parsed = JSON.parse(answer) as { error?: { code?: string; message?: string } };
        expect(codes.has(parsed.error?.code ?? ''), answer).toBe(true);
        expect(typeof parsed.error?.message).toBe('string');
      }),
      { numRuns: 200 },
    );
    expect(statuses.get(200), JSON.stringify([...statuses])).toBeGreaterThan(0);
    expect(statuses.get(400), JSON.stringify([...statuses])).toBeGreaterThan(0);
  });
});
