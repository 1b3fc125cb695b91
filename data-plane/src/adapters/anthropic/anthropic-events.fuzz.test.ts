import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../adapter';
import { createAnthropicEventFolder } from './anthropic-events';

/**
 * Protocol fuzzing of the Anthropic Messages stream folder: random sequences of events, each
 * well-formed, subtly wrong or junk. Whatever the upstream sends: events with safe counts, or an
 * UpstreamError; never a TypeError and never a token count billing could not add up.
 */
const junk = fc.jsonValue({ maxDepth: 3 });
const either = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: junk });
const tokens = fc.oneof(fc.nat({ max: 100_000 }), fc.constantFrom(0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, -1, 2.5, null));
const usage = fc.record({ input_tokens: either(tokens), output_tokens: either(tokens), cache_creation_input_tokens: either(tokens), cache_read_input_tokens: either(tokens) }, { requiredKeys: [] });

const event = fc.oneof(
  fc.record({ type: fc.constant('message_start'), message: either(fc.record({ usage: either(usage) }, { requiredKeys: [] })) }),
  fc.record({ type: fc.constant('content_block_delta'), delta: either(fc.record({ type: either(fc.constantFrom('text_delta', 'input_json_delta')), text: either(fc.string()) }, { requiredKeys: [] })) }),
  fc.record({ type: fc.constant('message_delta'), delta: either(fc.record({ stop_reason: either(fc.oneof(fc.constantFrom('end_turn', 'max_tokens', 'tool_use', 'refusal', 'new_reason'), fc.constant(null))) }, { requiredKeys: [] })), usage: either(usage) }, { requiredKeys: ['type'] }),
  fc.constant({ type: 'message_stop' }),
  fc.record({ type: fc.constant('error'), error: either(fc.record({ type: either(fc.constantFrom('overloaded_error', 'api_error')), message: either(fc.string()) }, { requiredKeys: [] })) }),
  fc.constantFrom({ type: 'ping' }, { type: 'content_block_start' }, { type: 'content_block_stop' }, { type: 'brand_new_event' }),
  junk,
);
const payload = fc.oneof({ weight: 6, arbitrary: event.map((e) => JSON.stringify(e)) }, { weight: 1, arbitrary: fc.string() });

describe('the Anthropic event folder under fuzzing', () => {
  it('any sequence of payloads: well-formed events with safe token counts, or an UpstreamError', () => {
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 12 }), (payloads) => {
        const folder = createAnthropicEventFolder();
        try {
          for (const data of payloads) {
            for (const e of folder.next(data)) {
              if (e.type === 'delta') expect(e.content.length).toBeGreaterThan(0);
              if (e.type === 'usage') {
                expect(Number.isSafeInteger(e.promptTokens) && e.promptTokens >= 0, JSON.stringify(e)).toBe(true);
                expect(Number.isSafeInteger(e.completionTokens) && e.completionTokens >= 0, JSON.stringify(e)).toBe(true);
              }
            }
          }
        } catch (error) {
          if (!(error instanceof UpstreamError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
