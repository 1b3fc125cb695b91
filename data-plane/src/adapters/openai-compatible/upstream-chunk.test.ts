import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chunkEvents, isUpstreamChunk } from './upstream-chunk';

/** The zod schema the adapter used before the type guard: the guard must accept exactly what it accepted. */
const formerSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullable().optional() }).nullable().optional(),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .optional(),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative(), completion_tokens: z.number().int().nonnegative() }).nullable().optional(),
  error: z.object({ message: z.string().optional() }).loose().optional(),
});

const samples: unknown[] = [
  {},
  { choices: [] },
  { choices: [{}] },
  { choices: [{ delta: { content: 'hi' } }] },
  { choices: [{ delta: { content: null }, finish_reason: null }] },
  { choices: [{ delta: null, finish_reason: 'stop' }] },
  { choices: [{ delta: {}, finish_reason: 'weird' }], usage: null },
  { choices: [{ delta: { content: 'x', role: 'assistant', extra: [1] }, index: 0, logprobs: null }], id: 'c1', object: 'chat.completion.chunk' },
  { usage: { prompt_tokens: 3, completion_tokens: 0 } },
  { usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } },
  { error: {} },
  { error: { message: 'boom', code: 'x' } },
  // rejected
  null,
  [],
  'text',
  42,
  true,
  [{ choices: [] }],
  { choices: null },
  { choices: {} },
  { choices: [null] },
  { choices: ['a'] },
  { choices: [[]] },
  { choices: [{ delta: 'hi' }] },
  { choices: [{ delta: [] }] },
  { choices: [{ delta: { content: 5 } }] },
  { choices: [{ delta: { content: ['a'] } }] },
  { choices: [{ finish_reason: 1 }] },
  { choices: [{ finish_reason: {} }] },
  { choices: [{ delta: { content: 'ok' } }, { delta: { content: 1 } }] },
  { usage: {} },
  { usage: [] },
  { usage: 'x' },
  { usage: { prompt_tokens: -1, completion_tokens: 0 } },
  { usage: { prompt_tokens: 1.5, completion_tokens: 0 } },
  { usage: { prompt_tokens: '1', completion_tokens: 0 } },
  { usage: { prompt_tokens: 1 } },
  { usage: { prompt_tokens: Number.MAX_SAFE_INTEGER + 1, completion_tokens: 0 } },
  { usage: { prompt_tokens: Number.NaN, completion_tokens: 0 } },
  { usage: { prompt_tokens: Number.POSITIVE_INFINITY, completion_tokens: 0 } },
  { error: null },
  { error: 'boom' },
  { error: [] },
  { error: { message: 1 } },
];

describe('upstream chunk check', () => {
  it.each(samples.map((sample) => [JSON.stringify(sample) ?? String(sample), sample]))('agrees with the former zod schema on %s', (_label, sample) => {
    expect(isUpstreamChunk(sample)).toBe(formerSchema.safeParse(sample).success);
  });

  it('turns a chunk into delta, finish and usage events; an unknown finish reason reads as stop', () => {
    const events = [...chunkEvents(JSON.stringify({ choices: [{ delta: { content: 'Hi' }, finish_reason: 'odd' }], usage: { prompt_tokens: 2, completion_tokens: 1 } }))];
    expect(events).toEqual([
      { type: 'delta', content: 'Hi' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', promptTokens: 2, completionTokens: 1 },
    ]);
  });

  it('fails malformed JSON, a wrong shape and an upstream error event as upstream errors', () => {
    expect(() => [...chunkEvents('{not json')]).toThrow(/not valid JSON/);
    expect(() => [...chunkEvents('{"choices":[{"delta":{"content":5}}]}')]).toThrow(/unexpected shape/);
    expect(() => [...chunkEvents('{"error":{"message":"quota"}}')]).toThrow(/upstream error: quota/);
  });
});
