import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { CompletionEvent } from '../../domain/completion-event';
import { UpstreamError } from '../adapter';
import { chunkEvents } from './upstream-chunk';

/** Events parsed ahead of the reader before the upstream body is paused (a slow client pushes back). */
const QUEUE_HIGH_WATER = 256;

export interface UpstreamEventStreamHooks {
  /** Every network read (re-arms the idle timer). */
  onActivity: () => void;
  /** Once, when the stream has ended, failed or been cancelled. */
  cleanUp: () => void;
  /** The error the reader sees for a failure of the body or of a chunk. */
  failure: (error: unknown, phase: string) => UpstreamError;
}

/**
 * An upstream's event stream as adapter events. Hand-written instead of an async generator over
 * the body's async iterator: that cost a Readable read, several promise hops per event (the
 * generator's own `yield` and `yield*` into the chunk parser) and a nextTick per read, on the
 * hottest path of a stream (CPU per relayed frame in BENCHMARKS.md, "Data plane: streams"). Here the
 * body flows: each read is parsed at once into queued events, and the reader takes them with one
 * already-settled promise each; it waits only when it has caught up with the upstream.
 *
 * Same contract as before: events in order; a chunk that fails to parse fails the stream where it
 * stood (the events before it are delivered first); after `[DONE]` the rest of the body is read and
 * dropped so its connection returns to the pool; a body that ends without `[DONE]` fails; `return()`
 * (the caller cancels) destroys an unfinished body, which closes its connection.
 */
export class UpstreamEventStream implements AsyncIterableIterator<CompletionEvent> {
  private readonly queue: CompletionEvent[] = [];
  /** Index of the next event to hand out (the queue is compacted when it empties). */
  private head = 0;
  private readonly decoder = new StringDecoder('utf8');
  private readonly parser: EventSourceParser;
  private sawDone = false;
  private ended = false;
  private error: UpstreamError | undefined;
  private cleanedUp = false;
  private paused = false;
  private waiting: { resolve: (result: IteratorResult<CompletionEvent>) => void; reject: (error: unknown) => void } | undefined;

  constructor(
    private readonly body: Readable,
    private readonly hooks: UpstreamEventStreamHooks,
  ) {
    this.parser = createParser({ onEvent: (event) => this.onData(event.data) });
    body.on('data', this.onBytes);
    body.once('end', this.onEnd);
    body.on('error', this.onError);
    body.once('close', this.onClose);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<CompletionEvent>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++] as CompletionEvent;
      // While paused the upstream is held back by us, not silent: each event handed out re-arms
      // the idle timer, so a slow but reading client is not cut as an upstream timeout.
      if (this.paused) this.hooks.onActivity();
      if (this.head === this.queue.length) this.drained();
      return Promise.resolve({ done: false, value });
    }
    if (this.error) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<CompletionEvent>> {
    if (!this.ended && !this.error) {
      this.ended = true;
      this.body.destroy();
    }
    this.queue.length = 0;
    this.head = 0;
    this.finish();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ done: true, value: undefined });
    return Promise.resolve({ done: true, value: undefined });
  }

  private readonly onBytes = (bytes: Buffer): void => {
    this.hooks.onActivity();
    if (this.sawDone || this.error) return;
    this.parser.feed(this.decoder.write(bytes));
    if (this.waiting && this.head < this.queue.length) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ done: false, value: this.queue[this.head++] as CompletionEvent });
      if (this.head === this.queue.length) this.drained();
    } else if (this.error) this.settleWaiting();
    if (!this.paused && this.queue.length - this.head >= QUEUE_HIGH_WATER) {
      this.paused = true;
      this.body.pause();
    }
  };

  /** One `data:` field of the event stream. */
  private onData(data: string): void {
    if (this.sawDone || this.error) return;
    if (data === '[DONE]') {
      this.sawDone = true;
      return;
    }
    try {
      chunkEvents(data, this.queue);
    } catch (error) {
      this.fail(error);
      this.body.destroy();
    }
  }

  private drained(): void {
    this.queue.length = 0;
    this.head = 0;
    if (this.paused) {
      this.paused = false;
      this.body.resume();
    }
  }

  private readonly onEnd = (): void => {
    if (this.error) return;
    if (!this.sawDone) this.fail(new UpstreamError('upstream_error', 'upstream stream ended before [DONE]'));
    else {
      this.ended = true;
      this.finish();
    }
    this.settleWaiting();
  };

  private readonly onError = (error: Error): void => {
    if (this.ended || this.error) return;
    this.fail(error);
    this.settleWaiting();
  };

  /** Destroyed without an error (and not by `return()`): cut short, as a for-await over it would report. */
  private readonly onClose = (): void => {
    if (this.ended || this.error) return;
    this.fail(new Error('premature close'));
    this.settleWaiting();
  };

  private fail(error: unknown): void {
    this.error = this.hooks.failure(error, 'mid-stream');
    this.finish();
  }

  /** Hands a waiting reader the failure or the end; queued events go first, so only when none are left. */
  private settleWaiting(): void {
    const waiting = this.waiting;
    if (!waiting || this.head < this.queue.length) return;
    this.waiting = undefined;
    if (this.error) waiting.reject(this.error);
    else if (this.ended) waiting.resolve({ done: true, value: undefined });
    else this.waiting = waiting;
  }

  private finish(): void {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    this.hooks.cleanUp();
  }
}
