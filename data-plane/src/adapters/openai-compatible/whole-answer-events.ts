import type { Readable } from 'node:stream';
import type { CompletionEvent } from '../../domain/completion-event';
import { bodyText } from '../../http/body-text';
import { UpstreamError } from '../adapter';
import { answerEvents } from './upstream-answer';

/**
 * The events of an answer asked for whole, read when they are first asked for: the body to its end
 * (at most `maxBytes`), then its events one by one. Hand-written rather than an async generator
 * over `for await`: that costs a stream iterator, an end-of-stream watcher and a promise per chunk
 * and per event on every non-streaming request. `cleanUp` runs once the body is read (or given up).
 */
export function wholeAnswerEvents(
  body: Readable,
  maxBytes: number,
  cleanUp: () => void,
  failure: (error: unknown, phase: string) => UpstreamError,
): AsyncIterable<CompletionEvent> {
  let events: CompletionEvent[] | undefined;
  let at = 0;
  let over = false;
  const end = (): IteratorResult<CompletionEvent> => {
    over = true;
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterator<CompletionEvent> = {
    async next() {
      if (over) return end();
      if (events === undefined) {
        try {
          events = answerEvents(await bodyText(body, maxBytes, () => new UpstreamError('upstream_error', `upstream answer larger than ${maxBytes} bytes`), destroy));
        } catch (error) {
          over = true;
          throw failure(error, 'reading the answer');
        } finally {
          cleanUp();
        }
      }
      return at < events.length ? { value: events[at++]!, done: false } : end();
    },
    async return() {
      // Given up before the body was read: it is not read (its connection closes), and the timers stop.
      if (events === undefined && !over) {
        body.destroy();
        cleanUp();
      }
      return end();
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

// The rest of an oversized answer is not read: its connection closes.
const destroy = (body: Readable): void => {
  body.destroy();
};
