import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SliCounters } from './sli-counters';

/** Every SliCounters implementation passes this suite (in-memory and Redis). */
export function runSliCountersContract(name: string, make: () => SliCounters) {
  describe(`SliCounters contract: ${name}`, () => {
    const minute = 60_000;

    const add = (counters: SliCounters, series: string, at: Date, counts: { good: number; total: number }) => counters.record(randomUUID(), [{ series, at, counts }]);

    it('sums each window from the buckets it covers', async () => {
      const counters = make();
      const series = randomUUID();
      const now = new Date();
      await add(counters, series, new Date(now.getTime() - 2 * minute), { good: 9, total: 10 });
      await add(counters, series, new Date(now.getTime() - 30 * minute), { good: 5, total: 10 });
      await add(counters, series, new Date(now.getTime() - 5 * 60 * minute), { good: 0, total: 10 });
      const totals = await counters.totals(series, now, [300, 3_600, 86_400]);
      expect(totals.get(300)).toEqual({ good: 9, total: 10 });
      expect(totals.get(3_600)).toEqual({ good: 14, total: 20 });
      expect(totals.get(86_400)).toEqual({ good: 14, total: 30 });
    });

    it('answers zeros for a series nobody wrote', async () => {
      const totals = await make().totals(randomUUID(), new Date(), [300]);
      expect(totals.get(300)).toEqual({ good: 0, total: 0 });
    });

    it('keeps series apart', async () => {
      const counters = make();
      const [a, b] = [randomUUID(), randomUUID()];
      const now = new Date();
      await add(counters, a, now, { good: 1, total: 1 });
      expect((await counters.totals(b, now, [300])).get(300)).toEqual({ good: 0, total: 0 });
    });

    it('loses no count when many writers add at once', async () => {
      const counters = make();
      const series = randomUUID();
      const now = new Date();
      await Promise.all(Array.from({ length: 50 }, (_, i) => add(counters, series, now, { good: i % 2, total: 1 })));
      expect((await counters.totals(series, now, [300])).get(300)).toEqual({ good: 25, total: 50 });
    });

    it('counts an event once however often it is replayed, even concurrently, across its series', async () => {
      const counters = make();
      const [a, b] = [randomUUID(), randomUUID()];
      const now = new Date();
      const eventId = randomUUID();
      const adds = [
        { series: a, at: now, counts: { good: 1, total: 1 } },
        { series: b, at: now, counts: { good: 0, total: 1 } },
      ];
      const results = await Promise.all(Array.from({ length: 10 }, () => counters.record(eventId, adds)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await counters.record(eventId, adds)).toBe(false);
      expect((await counters.totals(a, now, [300])).get(300)).toEqual({ good: 1, total: 1 });
      expect((await counters.totals(b, now, [300])).get(300)).toEqual({ good: 0, total: 1 });
    });
  });
}
