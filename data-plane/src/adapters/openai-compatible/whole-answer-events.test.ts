import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../adapter';
import { wholeAnswerEvents } from './whole-answer-events';

const failure = (error: unknown, phase: string): UpstreamError => (error instanceof UpstreamError ? error : new UpstreamError('upstream_error', `${phase}: ${String(error)}`));
const ANSWER = JSON.stringify({ choices: [{ message: { content: 'héllo' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2 } });

async function all(events: AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('wholeAnswerEvents', () => {
  it('reads the body only when asked, in any number of chunks, and yields its events in order; cleans up once', async () => {
    const bytes = Buffer.from(ANSWER);
    const body = Readable.from([bytes.subarray(0, 40), bytes.subarray(40, 41), bytes.subarray(41)]);
    const cleanUp = vi.fn();
    const events = wholeAnswerEvents(body, 1 << 20, cleanUp, failure);
    expect(cleanUp).not.toHaveBeenCalled();
    expect(await all(events)).toEqual([
      { type: 'delta', content: 'héllo' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', promptTokens: 3, completionTokens: 2 },
    ]);
    expect(cleanUp).toHaveBeenCalledTimes(1);
  });

  it('refuses an answer past the size bound and stops reading it', async () => {
    const body = Readable.from([Buffer.from('{"choices":['), Buffer.from(' '.repeat(100))]);
    const cleanUp = vi.fn();
    await expect(all(wholeAnswerEvents(body, 50, cleanUp, failure))).rejects.toThrow('larger than 50 bytes');
    expect(body.destroyed).toBe(true);
    expect(cleanUp).toHaveBeenCalledTimes(1);
  });

  it('fails with the failure of a body cut before its end, or malformed; then is over', async () => {
    const cut = new PassThrough();
    const iterator = wholeAnswerEvents(cut, 1 << 20, () => undefined, failure)[Symbol.asyncIterator]();
    const first = iterator.next();
    cut.write('{"choices":');
    cut.destroy();
    await expect(first).rejects.toThrow('reading the answer');
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
    await expect(all(wholeAnswerEvents(Readable.from([Buffer.from('{"choices":')]), 1 << 20, () => undefined, failure))).rejects.toThrow('not valid JSON');
  });

  it('given up before it was read: the body is dropped and the timers stop', async () => {
    const body = new PassThrough();
    const cleanUp = vi.fn();
    const iterator = wholeAnswerEvents(body, 1 << 20, cleanUp, failure)[Symbol.asyncIterator]();
    await iterator.return?.();
    expect(body.destroyed).toBe(true);
    expect(cleanUp).toHaveBeenCalledTimes(1);
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
  });
});
