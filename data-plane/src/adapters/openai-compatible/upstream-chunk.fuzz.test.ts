import { createParser } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompletionEvent } from '../../domain/completion-event';
import { UpstreamError } from '../adapter';
import { chunkEvents } from './upstream-chunk';

/**
 * Protocol fuzzing of an OpenAI-compatible upstream's stream: the SSE framing (eventsource-parser,
 * as the adapter feeds it) and each `data:` payload (chunkEvents). The upstream is untrusted:
 * whatever it sends, the gateway gets well-formed events or an UpstreamError, never a TypeError.
 */
const junk = fc.jsonValue({ maxDepth: 3 });
const either = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: junk });
const count = fc.oneof(fc.nat(), fc.constantFrom(-1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308));
const chunk = fc.record(
  {
    id: fc.string(),
    choices: either(fc.array(fc.record({ index: fc.nat(), delta: either(fc.record({ content: either(fc.oneof(fc.string(), fc.constant(null))), role: fc.string() }, { requiredKeys: [] })), finish_reason: either(fc.oneof(fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter', 'weird'), fc.constant(null))) }, { requiredKeys: [] }), { maxLength: 3 })),
    usage: either(fc.oneof(fc.constant(null), fc.record({ prompt_tokens: either(count), completion_tokens: either(count) }))),
    error: either(fc.record({ message: either(fc.string()) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

function assertWellFormed(event: CompletionEvent): void {
  switch (event.type) {
    case 'delta':
      expect(typeof event.content === 'string' && event.content.length > 0).toBe(true);
      return;
    case 'finish':
      expect(['stop', 'length', 'content_filter', 'tool_calls']).toContain(event.finishReason);
      return;
    case 'usage':
      expect(Number.isSafeInteger(event.promptTokens) && event.promptTokens >= 0).toBe(true);
      expect(Number.isSafeInteger(event.completionTokens) && event.completionTokens >= 0).toBe(true);
  }
}

function eventsOrUpstreamError(data: string): void {
  try {
    for (const event of chunkEvents(data)) assertWellFormed(event);
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    expect(error.failure).toBe('upstream_error');
  }
}

describe('chunkEvents under fuzzing', () => {
  it('any text: well-formed events or an UpstreamError', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), eventsOrUpstreamError), { numRuns: 3000 });
  });

  it('chunk-shaped JSON with wrong types, unsafe counts and unknown finish reasons: the same', () => {
    fc.assert(fc.property(chunk, (c) => eventsOrUpstreamError(JSON.stringify(c))), { numRuns: 3000 });
  });
});

describe('SSE framing under fuzzing (eventsource-parser as the adapter uses it)', () => {
  it('whatever the chunk boundaries (inside a line, a CRLF, a UTF-8 character), the deltas arrive whole and in order', () => {
    const contents = fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(contents, fc.constantFrom('\n', '\r\n', '\r'), fc.array(fc.nat(), { maxLength: 10 }), (parts, eol, cuts) => {
        const wire = [...parts.map((content) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}${eol}${eol}`), `: keep-alive${eol}`, `data: [DONE]${eol}${eol}`].join('');
        const bytes = new TextEncoder().encode(wire);
        const boundaries = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const decoder = new TextDecoder();
        const received: string[] = [];
        const parser = createParser({
          onEvent: (event) => {
            if (event.data === '[DONE]') return;
            for (const e of chunkEvents(event.data)) if (e.type === 'delta') received.push(e.content);
          },
        });
        let start = 0;
        for (const end of [...boundaries, bytes.length]) {
          parser.feed(decoder.decode(bytes.subarray(start, end), { stream: true }));
          start = end;
        }
        parser.feed(decoder.decode());
        expect(received).toEqual(parts);
      }),
      { numRuns: 1000 },
    );
  });

  it('random bytes fed to the parser: every data payload is handled without a crash', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('data: ', 'event: x\n', '\n\n', '\r\n', 'data: {"choices":[', 'id: 1\n', 'retry: x\n')), { maxLength: 20 }), (pieces) => {
        const parser = createParser({ onEvent: (event) => eventsOrUpstreamError(event.data) });
        for (const piece of pieces) parser.feed(piece);
      }),
      { numRuns: 2000 },
    );
  });
});
