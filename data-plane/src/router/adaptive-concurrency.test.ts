import { describe, expect, it } from 'vitest';
import { createConcurrencyGate, OverloadedError } from './adaptive-concurrency';

const never = new AbortController().signal;

describe('adaptive concurrency (AIMD) gate', () => {
  it('grants up to the limit, queues up to maxQueue, then refuses with OverloadedError at once', async () => {
    const gate = createConcurrencyGate('p/m', { initialLimit: 2, maxQueue: 1 });
    const first = await gate.acquire(never);
    await gate.acquire(never);
    let queuedGranted = false;
    const queued = gate.acquire(never).then((release) => {
      queuedGranted = true;
      return release;
    });
    expect(gate.queued()).toBe(1);
    const refused = await gate.acquire(never).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OverloadedError);
    expect((refused as OverloadedError).retryAfterSeconds).toBeGreaterThan(0);
    expect(queuedGranted).toBe(false);
    first('ignore');
    await queued;
    expect(queuedGranted).toBe(true);
    expect(gate.inFlight()).toBe(2);
  });

  it('increases additively on success and halves on overload, within bounds', async () => {
    const gate = createConcurrencyGate('p/m', { initialLimit: 4, minLimit: 1, maxLimit: 5 });
    for (let i = 0; i < 4; i++) (await gate.acquire(never))('success');
    expect(gate.limit()).toBeGreaterThan(4.9);
    for (let i = 0; i < 20; i++) (await gate.acquire(never))('success');
    expect(gate.limit()).toBe(5);
    (await gate.acquire(never))('overload');
    expect(gate.limit()).toBe(2.5);
    for (let i = 0; i < 10; i++) (await gate.acquire(never))('overload');
    expect(gate.limit()).toBe(1);
  });

  it('releasing twice counts once', async () => {
    const gate = createConcurrencyGate('p/m', { initialLimit: 3 });
    const release = await gate.acquire(never);
    release('success');
    release('overload');
    expect(gate.inFlight()).toBe(0);
    expect(gate.limit()).toBeGreaterThan(3);
  });

  it('a queued caller that gives up leaves the queue', async () => {
    const gate = createConcurrencyGate('p/m', { initialLimit: 1, maxQueue: 1 });
    await gate.acquire(never);
    const controller = new AbortController();
    const waiting = gate.acquire(controller.signal);
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    expect(gate.queued()).toBe(0);
  });
});
