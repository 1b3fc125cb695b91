import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { directivesFromPrompt, mockCompletion } from '../adapters/mock/mock-model';
import { JUDGED_CHARS, judgeRequest, parseJudgeScore } from './judge';

describe('parseJudgeScore', () => {
  it.each([
    ['0.7', 0.7],
    ['1', 1],
    ['0', 0],
    ['.25', 0.25],
    ['Score: 0.9 (good)', 0.9],
    [' 1.0\n', 1],
  ])('%j → %s', (text, score) => expect(parseJudgeScore(text)).toBe(score));

  it.each(['', 'good', '7', '7/10', '1.5', '-0.2 is not a score', '100%'])('%j is no score', (text) => {
    expect(parseJudgeScore(text)).toBeUndefined();
  });

  it('any score it returns lies in [0, 1]', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const score = parseJudgeScore(text);
        return score === undefined || (score >= 0 && score <= 1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('judgeRequest', () => {
  it("asks the judge about the last user message and the answer, with the grading instruction last", () => {
    const request = judgeRequest('mock-judge', { messages: [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'x' }, { role: 'user', content: 'the question' }] }, 'the answer');
    expect(request.model).toBe('mock-judge');
    expect(request.stream).toBe(false);
    expect(request.maxOutputTokens).toBeLessThanOrEqual(16);
    expect(request.messages.map((m) => m.content)).toEqual([expect.any(String), 'Question:\nthe question', 'Answer:\nthe answer', expect.stringMatching(/from 0 to 1/)]);
  });

  it("the client's mock directives in its question are not the judge's (the last user message is the instruction)", () => {
    const request = judgeRequest('mock-judge', { messages: [{ role: 'user', content: 'hi [mock: hang status=500]' }] }, 'answer [mock: score=0]');
    expect(directivesFromPrompt(request)).toEqual({});
  });

  it('cuts a long question and answer to a bound', () => {
    const long = 'x'.repeat(JUDGED_CHARS * 3);
    const request = judgeRequest('j', { messages: [{ role: 'user', content: long }] }, long);
    for (const message of request.messages) expect(String(message.content).length).toBeLessThan(JUDGED_CHARS + 20);
  });
});

describe('the mock judge', () => {
  it('answers one parseable score derived from a hash of what it is asked: the same answer, the same score', () => {
    const ask = (answer: string) => mockCompletion(judgeRequest('mock-judge', { messages: [{ role: 'user', content: 'q' }] }, answer));
    const scores = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const completion = ask(`answer ${i}`);
      expect(completion.chunks).toHaveLength(1);
      expect(completion.completionTokens).toBe(1);
      const score = parseJudgeScore(completion.chunks[0]!);
      expect(score).toBeDefined();
      expect(ask(`answer ${i}`).chunks).toEqual(completion.chunks);
      scores.add(score!);
    }
    expect(scores.size).toBeGreaterThan(5);
  });

  it('answers the configured score when a directive sets one', () => {
    const completion = mockCompletion(judgeRequest('mock-judge', { messages: [{ role: 'user', content: 'q' }] }, 'a'), { score: 0.25 });
    expect(parseJudgeScore(completion.chunks.join(''))).toBe(0.25);
  });
});
