import { describe, expect, it } from 'vitest';
import { createCoalescingRefresh } from './coalescing-refresh';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('coalescing refresh', () => {
  it('runs one refresh at a time and folds triggers during a refresh into exactly one more', async () => {
    let state = 0;
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let gate = deferred();
    const stream = createCoalescingRefresh({
      refresh: async () => {
        runs += 1;
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running -= 1;
        return state;
      },
    });
    stream.trigger();
    for (let i = 1; i <= 20; i += 1) {
      state = i;
      stream.trigger();
    }
    gate.resolve();
    expect(await stream.next()).toEqual({ value: 20, done: false });
    expect(await stream.next()).toEqual({ value: 20, done: false });
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
    gate = deferred();
    gate.resolve();
    await stream.return();
  });

  it('keeps only the latest undelivered state', async () => {
    let state = 0;
    const stream = createCoalescingRefresh({ refresh: async () => state });
    state = 1;
    stream.trigger();
    await new Promise((resolve) => setImmediate(resolve));
    state = 2;
    stream.trigger();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await stream.next()).toEqual({ value: 2, done: false });
    await stream.return();
  });

  it('ends at once on return(), even while a next() waits, and calls onClose once', async () => {
    let closes = 0;
    const stream = createCoalescingRefresh({ refresh: async () => 1, onClose: () => (closes += 1) });
    const waiting = stream.next();
    await stream.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    stream.trigger();
    await stream.return();
    expect(closes).toBe(1);
  });

  it('delivers a final state and then ends', async () => {
    const stream = createCoalescingRefresh({ refresh: async () => 'denied', isFinal: (state) => state === 'denied' });
    stream.trigger();
    expect(await stream.next()).toEqual({ value: 'denied', done: false });
    stream.trigger();
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('fails the stream when a refresh throws', async () => {
    let closes = 0;
    const stream = createCoalescingRefresh<number>({
      refresh: async () => {
        throw new Error('boom');
      },
      onClose: () => (closes += 1),
    });
    const waiting = stream.next();
    stream.trigger();
    await expect(waiting).rejects.toThrow('boom');
    expect(closes).toBe(1);
  });
});
