import { describe, expect, it } from 'vitest';
import { createConcurrencyGate, DEFAULT_AIMD_OPTIONS, OverloadedError, type Release } from './adaptive-concurrency';

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

  describe('slow start: a burst a healthy upstream can take', () => {
    /**
     * 512 callers at once against an upstream that answers every call: each round trip, every
     * call in flight succeeds and its caller calls again at once (a closed loop, as a load
     * generator does). Counts refusals and the calls in flight per round trip.
     */
    async function burst(gate: ReturnType<typeof createConcurrencyGate>, clients: number, rounds: number): Promise<{ refused: number; inFlight: number[] }> {
      let refused = 0;
      let granted: Release[] = [];
      const call = (): void => {
        gate.acquire(never).then(
          (release) => granted.push(release),
          () => {
            refused += 1;
          },
        );
      };
      for (let i = 0; i < clients; i++) call();
      const inFlight: number[] = [];
      for (let round = 0; round < rounds; round++) {
        await Promise.resolve();
        await new Promise((resolve) => setImmediate(resolve));
        inFlight.push(gate.inFlight());
        const answered = granted;
        granted = [];
        for (const release of answered) {
          release('success');
          call();
        }
      }
      return { refused, inFlight };
    }

    it('with the defaults, 512 concurrent callers are queued, never refused, and the limit doubles per round trip', async () => {
      const gate = createConcurrencyGate('p/m');
      expect(gate.limit()).toBe(DEFAULT_AIMD_OPTIONS.initialLimit);
      const { refused, inFlight } = await burst(gate, 512, 8);
      expect(refused).toBe(0);
      expect(inFlight.slice(0, 6)).toEqual([20, 40, 80, 160, 320, 512]);
      expect(inFlight.at(-1)).toBe(512);
      expect(gate.queued()).toBe(0);
    });

    it('after the upstream first signals overload, the limit grows by about one per round trip and the queue holds twice the limit', async () => {
      const gate = createConcurrencyGate('p/m');
      (await gate.acquire(never))('overload');
      expect(gate.limit()).toBe(10);
      const { refused, inFlight } = await burst(gate, 512, 3);
      // 10 in flight, 40 waiting (twice the initial limit, more than twice 10): the rest is shed.
      expect(refused).toBeGreaterThanOrEqual(512 - 50);
      // +1/limit per success: just under one more slot per round trip.
      expect(inFlight).toEqual([10, 10, 11]);
    });

    it('in slow start, a call the upstream accepted (first event) opens a slot before it ends; once per call', async () => {
      const gate = createConcurrencyGate('p/m', { initialLimit: 4 });
      const running = await Promise.all([0, 1, 2, 3].map(() => gate.acquire(never)));
      let woken = 0;
      for (let i = 0; i < 4; i++) void gate.acquire(never).then(() => (woken += 1));
      for (const release of running) release.accepted();
      running[0]!.accepted();
      expect(gate.limit()).toBe(8);
      await Promise.resolve();
      expect(woken).toBe(4);
      expect(gate.inFlight()).toBe(8);
      // Their success does not count a second time.
      for (const release of running) release('success');
      expect(gate.limit()).toBe(8);
    });

    it('after an overload signal, accepted() does not grow the limit (growth waits for the success, +1/limit)', async () => {
      const gate = createConcurrencyGate('p/m', { initialLimit: 4 });
      (await gate.acquire(never))('overload');
      const release = await gate.acquire(never);
      release.accepted();
      expect(gate.limit()).toBe(2);
      release('success');
      expect(gate.limit()).toBe(2.5);
    });

    it('a mostly idle gate grows by 1/limit per success only (light traffic does not inflate the limit)', async () => {
      const gate = createConcurrencyGate('p/m');
      for (let i = 0; i < 100; i++) (await gate.acquire(never))('success');
      expect(gate.limit()).toBeGreaterThan(20);
      expect(gate.limit()).toBeLessThan(25);
    });

    it('an explicit maxQueue still bounds the queue in slow start', async () => {
      const gate = createConcurrencyGate('p/m', { initialLimit: 2, maxQueue: 3 });
      const { refused } = await burst(gate, 10, 1);
      expect(refused).toBe(5);
    });
  });
});
