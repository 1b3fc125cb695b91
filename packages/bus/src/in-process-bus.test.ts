import { describe, expect, it } from 'vitest';
import { runBusContract } from './bus.contract';
import { createInProcessBus } from './in-process-bus';

runBusContract('in-process', () => createInProcessBus());

describe('in-process bus specifics', () => {
  it('keeps ids monotonic when the clock stalls or steps back', async () => {
    let now = 1_000;
    const bus = createInProcessBus({ clock: () => now });
    const a = await bus.append('s', 'a');
    const b = await bus.append('s', 'b');
    now = 500;
    const c = await bus.append('s', 'c');
    expect([a, b, c]).toEqual(['1000-0', '1000-1', '1000-2']);
    await bus.close();
  });

  it('measures idle time with the injected clock', async () => {
    let now = 0;
    const bus = createInProcessBus({ clock: () => now });
    await bus.ensureGroup('s', 'g');
    await bus.append('s', 'x');
    await bus.readGroup('s', 'g', 'a', { count: 1, blockMs: 0 });
    now = 999;
    expect(await bus.claimStale('s', 'g', 'b', 1_000, 10)).toEqual([]);
    now = 1_000;
    expect((await bus.claimStale('s', 'g', 'b', 1_000, 10)).map((e) => e.payload)).toEqual(['x']);
    // The claim resets the idle time, so a third consumer cannot steal it straight away.
    expect(await bus.claimStale('s', 'g', 'c', 1_000, 10)).toEqual([]);
    await bus.close();
  });

  it('close wakes blocked readers and refuses further use', async () => {
    const bus = createInProcessBus();
    await bus.ensureGroup('s', 'g');
    const reading = bus.readGroup('s', 'g', 'a', { count: 1, blockMs: 60_000 });
    await bus.close();
    await expect(reading).resolves.toEqual([]);
    await expect(bus.append('s', 'x')).rejects.toThrow(/closed/);
  });
});
