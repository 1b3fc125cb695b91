import { describe, expect, it } from 'vitest';
import type { InferenceRequest } from '../../domain/inference-request';
import { directivesFromPrompt, isMockModel, mockCompletion, parseDirectiveWords } from './mock-model';

const request = (content: string, model = 'mock-gpt', extra: Partial<InferenceRequest> = {}): InferenceRequest => ({
  model,
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content },
  ],
  ...extra,
});

describe('mock model', () => {
  it('is deterministic: same request, same words, chunks and token counts', () => {
    const a = mockCompletion(request('hello'));
    const b = mockCompletion(request('hello'));
    expect(a).toEqual(b);
    expect(a.chunks.join('').split(' ')).toHaveLength(a.completionTokens);
  });

  it('different prompts and different models give different answers', () => {
    const base = mockCompletion(request('hello')).chunks.join('');
    expect(mockCompletion(request('hello!')).chunks.join('')).not.toBe(base);
    expect(mockCompletion(request('hello', 'mock-large')).chunks.join('')).not.toBe(base);
  });

  it('sizes answers by model: mini < large', () => {
    for (const prompt of ['a', 'b', 'c', 'd']) {
      expect(mockCompletion(request(prompt, 'mock-mini')).completionTokens).toBeLessThan(mockCompletion(request(prompt, 'mock-large')).completionTokens);
    }
  });

  it('splits into the requested number of chunks without losing words', () => {
    const whole = mockCompletion(request('x', 'mock-large'));
    const chunked = mockCompletion(request('x', 'mock-large'), { chunks: 3 });
    expect(chunked.chunks).toHaveLength(3);
    expect(chunked.chunks.join('')).toBe(whole.chunks.join(''));
    // More chunks than words: the answer grows so each chunk has a word.
    expect(mockCompletion(request('x', 'mock-mini'), { chunks: 50 }).chunks).toHaveLength(50);
  });

  it('stops at max_tokens with finish_reason length', () => {
    const cut = mockCompletion(request('x', 'mock-large', { maxOutputTokens: 2 }));
    expect(cut.completionTokens).toBe(2);
    expect(cut.finishReason).toBe('length');
  });

  it('counts prompt tokens from the messages', () => {
    expect(mockCompletion(request('a'.repeat(400))).promptTokens).toBeGreaterThan(mockCompletion(request('a')).promptTokens + 90);
  });

  it('recognises mock model ids', () => {
    expect(isMockModel('mock-gpt')).toBe(true);
    expect(isMockModel('gpt-4o')).toBe(false);
  });
});

describe('mock directives', () => {
  it('parses every directive from header-style text', () => {
    expect(parseDirectiveWords('status=503 retry-after=2, fail-after=3 malformed-json hang chunks=5 first-token-ms=10 chunk-ms=4')).toEqual({
      status: 503,
      retryAfterSeconds: 2,
      failAfterChunks: 3,
      malformedJson: true,
      hang: true,
      chunks: 5,
      firstTokenLatencyMs: 10,
      chunkLatencyMs: 4,
    });
  });

  it('ignores unknown words and out-of-range values', () => {
    expect(parseDirectiveWords('status=200 chunks=0 chunk-ms=abc first-token-ms=99999999 explode score=1.5 score=-1 score=x')).toEqual({});
    expect(parseDirectiveWords('score=0.35')).toEqual({ score: 0.35 });
    expect(parseDirectiveWords('score=1')).toEqual({ score: 1 });
  });

  it('reads [mock: ...] groups from the last user message only', () => {
    const req: InferenceRequest = {
      model: 'mock-gpt',
      messages: [
        { role: 'user', content: '[mock: hang]' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'now [mock: status=429] and [MOCK: retry-after=3]' },
      ],
    };
    expect(directivesFromPrompt(req)).toEqual({ status: 429, retryAfterSeconds: 3 });
  });
});
