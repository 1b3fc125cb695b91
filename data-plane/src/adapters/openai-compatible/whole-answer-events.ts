import type { Readable } from 'node:stream';
import type { CompletionEvent } from '../../domain/completion-event';
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
          events = answerEvents(await bodyText(body, maxBytes));
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

/** The whole body as text; an UpstreamError past `maxBytes` (the rest is not read: the body is destroyed). */
function bodyText(body: Readable, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    const onData = (bytes: Buffer): void => {
      size += bytes.length;
      if (size > maxBytes) {
        finish();
        body.destroy();
        reject(new UpstreamError('upstream_error', `upstream answer larger than ${maxBytes} bytes`));
        return;
      }
      if (first === undefined) first = bytes;
      else (more ??= [first]).push(bytes);
    };
    const onEnd = (): void => {
      finish();
      resolve(more ? Buffer.concat(more, size).toString('utf8') : first === undefined ? '' : first.toString('utf8'));
    };
    const onError = (error: Error): void => {
      finish();
      reject(error);
    };
    const onClose = (): void => {
      // Closed before its end (aborted, or the connection dropped): what the stream iterator reported.
      finish();
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    const finish = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    if (body.readableEnded) return resolve('');
    if (body.destroyed) return onClose();
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
  });
}
