import { describe, expect, it } from 'vitest';
import { createApiKeyLastUsedRecorder, type ApiKeyLastUsedSink } from './api-key-last-used';

function recordingSink() {
  const batches: Array<Array<{ id: string; usedAt: Date }>> = [];
  let failures = 0;
  const sink: ApiKeyLastUsedSink = {
    async touchApiKeys(uses) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('database down');
      }
      batches.push([...uses]);
      return uses.length;
    },
  };
  return { sink, batches, failNext: () => (failures += 1) };
}

describe('API key last-used recorder', () => {
  it('coalesces every use of a key within the interval into one write, batched across keys', async () => {
    const { sink, batches } = recordingSink();
    let now = 1_000_000;
    const recorder = createApiKeyLastUsedRecorder(sink, { perKeyIntervalMs: 60_000, flushEveryMs: 0, clock: () => now });
    for (let i = 0; i < 1000; i += 1) recorder.record('key-a');
    recorder.record('key-b');
    await recorder.flush();
    expect(batches).toEqual([
      [
        { id: 'key-a', usedAt: new Date(1_000_000) },
        { id: 'key-b', usedAt: new Date(1_000_000) },
      ],
    ]);
    // Still inside key-a's minute: nothing more to write.
    now += 59_999;
    recorder.record('key-a');
    await recorder.flush();
    expect(batches).toHaveLength(1);
    // The next minute: one more write.
    now += 1;
    recorder.record('key-a');
    await recorder.close();
    expect(batches[1]).toEqual([{ id: 'key-a', usedAt: new Date(1_060_000) }]);
  });

  it('keeps a failed batch and writes it with the next flush', async () => {
    const { sink, batches, failNext } = recordingSink();
    const errors: unknown[] = [];
    const recorder = createApiKeyLastUsedRecorder(sink, { flushEveryMs: 0, clock: () => 5_000, onError: (error) => errors.push(error) });
    recorder.record('key-a');
    failNext();
    await recorder.flush();
    expect(errors).toHaveLength(1);
    expect(batches).toEqual([]);
    await recorder.flush();
    expect(batches).toEqual([[{ id: 'key-a', usedAt: new Date(5_000) }]]);
  });

  it('bounds what it queues between flushes', async () => {
    const { sink, batches } = recordingSink();
    const recorder = createApiKeyLastUsedRecorder(sink, { flushEveryMs: 0, maxPending: 2 });
    for (const id of ['a', 'b', 'c']) recorder.record(id);
    await recorder.flush();
    expect(batches[0]?.map((use) => use.id)).toEqual(['a', 'b']);
    // c was not queued, so it is not inside a window: its next use is recorded.
    recorder.record('c');
    await recorder.close();
    expect(batches[1]?.map((use) => use.id)).toEqual(['c']);
  });
});
