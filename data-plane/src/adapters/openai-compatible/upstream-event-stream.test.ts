import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CompletionEvent } from '../../domain/completion-event';
import { UpstreamError } from '../adapter';
import { UpstreamEventStream } from './upstream-event-stream';

const delta = (content: string): string => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;

function open(): { body: PassThrough; stream: UpstreamEventStream; calls: { activity: number; cleanUps: number } } {
  const body = new PassThrough();
  const calls = { activity: 0, cleanUps: 0 };
  const stream = new UpstreamEventStream(body, {
    onActivity: () => calls.activity++,
    cleanUp: () => calls.cleanUps++,
    failure: (error) => (error instanceof UpstreamError ? error : new UpstreamError('upstream_error', `mid-stream: ${error instanceof Error ? error.message : String(error)}`)),
  });
  return { body, stream, calls };
}

async function readAll(stream: UpstreamEventStream): Promise<{ events: CompletionEvent[]; error?: unknown }> {
  const events: CompletionEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events };
}

describe('UpstreamEventStream', () => {
  it('yields the events in order, whether they arrive before or while the reader waits, split anywhere', async () => {
    const { body, stream, calls } = open();
    const text = delta('Hé') + delta('llo') + `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2 } })}\n\ndata: [DONE]\n\n`;
    const bytes = Buffer.from(text);
    body.write(bytes.subarray(0, 11)); // before anyone reads, and inside the first event
    const reading = readAll(stream);
    for (let at = 11; at < bytes.length; at += 7) {
      await new Promise((resolve) => setImmediate(resolve));
      body.write(bytes.subarray(at, Math.min(at + 7, bytes.length)));
    }
    body.end();
    const { events, error } = await reading;
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'delta', content: 'Hé' },
      { type: 'delta', content: 'llo' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', promptTokens: 3, completionTokens: 2 },
    ]);
    expect(calls.activity).toBeGreaterThan(1);
    expect(calls.cleanUps).toBe(1);
  });

  it('reads the body to its end after [DONE] (so its connection is reused) and drops what follows', async () => {
    const { body, stream, calls } = open();
    body.write(delta('a') + 'data: [DONE]\n\n');
    const reading = readAll(stream);
    body.end(delta('ignored'));
    expect(await reading).toEqual({ events: [{ type: 'delta', content: 'a' }] });
    expect(body.readableEnded).toBe(true);
    expect(calls.cleanUps).toBe(1);
  });

  it('fails a body that ends without [DONE], after the events it did send', async () => {
    const { body, stream, calls } = open();
    body.end(delta('a'));
    const { events, error } = await readAll(stream);
    expect(events).toEqual([{ type: 'delta', content: 'a' }]);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toMatch(/ended before \[DONE\]/);
    expect(calls.cleanUps).toBe(1);
  });

  it('fails at a malformed chunk: the events before it first, then the error; the body is cut', async () => {
    const { body, stream, calls } = open();
    body.write(delta('a') + 'data: {not json\n\n' + delta('b'));
    const { events, error } = await readAll(stream);
    expect(events).toEqual([{ type: 'delta', content: 'a' }]);
    expect((error as UpstreamError).message).toMatch(/not valid JSON/);
    expect(body.destroyed).toBe(true);
    expect(calls.cleanUps).toBe(1);
  });

  it('fails a reader waiting on a body that errors or is destroyed', async () => {
    const errored = open();
    const reading = readAll(errored.stream);
    errored.body.destroy(new Error('socket hang up'));
    expect(((await reading).error as Error).message).toMatch(/socket hang up/);
    expect(errored.calls.cleanUps).toBe(1);

    const closed = open();
    const waiting = readAll(closed.stream);
    closed.body.destroy();
    expect(((await waiting).error as Error).message).toMatch(/premature close/);
  });

  it('cancelled by the reader: destroys the unfinished body and cleans up once', async () => {
    const { body, stream, calls } = open();
    body.write(delta('a') + delta('b'));
    for await (const event of stream) {
      expect(event).toEqual({ type: 'delta', content: 'a' });
      break;
    }
    expect(body.destroyed).toBe(true);
    expect(calls.cleanUps).toBe(1);
  });

  it('pauses the body while a slow reader is far behind, and resumes it when the reader catches up', async () => {
    const { body, stream, calls } = open();
    body.write(Array.from({ length: 300 }, (_, i) => delta(String(i))).join(''));
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.isPaused()).toBe(true);
    const first = await stream.next();
    expect(first).toEqual({ done: false, value: { type: 'delta', content: '0' } });
    for (let i = 1; i < 300; i++) await stream.next();
    expect(body.isPaused()).toBe(false);
    // One read arrived, but the idle timer was re-armed for every event handed out while the body
    // was held back: a slow reader is not the upstream falling silent.
    expect(calls.activity).toBeGreaterThanOrEqual(300);
    body.end('data: [DONE]\n\n');
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });
});
