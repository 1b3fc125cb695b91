import { describe, expect, it } from 'vitest';
import { costMicros, createDatabasePriceBookSource, type PriceBook } from './price-book';

const book: PriceBook = { version: 7, prices: [{ model: 'm', inputPer1kMicros: 500n, outputPer1kMicros: 1500n }] };

describe('cost arithmetic', () => {
  it('is ceil((prompt × in + completion × out) / 1000) micro-USD', () => {
    expect(costMicros(book, 'm', 1000, 1000)).toBe(2000n);
    expect(costMicros(book, 'm', 1, 0)).toBe(1n); // 0.5 rounds up
    expect(costMicros(book, 'm', 2, 0)).toBe(1n);
    expect(costMicros(book, 'm', 3, 1)).toBe(3n); // 1500 + 1500 = 3000 exactly
    expect(costMicros(book, 'm', 3, 2)).toBe(5n); // 1500 + 3000 = 4500 → 4.5 rounds up
  });

  it('is exact for huge token counts (bigint)', () => {
    expect(costMicros(book, 'm', 0, 9_007_199_254_740_991)).toBe(13_510_798_882_111_487n);
  });

  it('charges nothing for a model without a price', () => {
    expect(costMicros(book, 'unknown', 100, 100)).toBe(0n);
  });
});

describe('database price book source', () => {
  it('caches the latest version; once stale, serves it while the next one is fetched in the background', async () => {
    let now = 0;
    let calls = 0;
    let version = 1;
    const source = createDatabasePriceBookSource(
      {
        async latestPriceBook() {
          calls += 1;
          return { version, prices: [] };
        },
      },
      { refreshMs: 1_000, clock: () => now },
    );
    expect((await source.current())?.version).toBe(1);
    version = 2;
    now = 999;
    expect((await source.current())?.version).toBe(1);
    expect(calls).toBe(1);
    now = 1_000;
    expect((await source.current())?.version).toBe(1); // stale, not waited for
    expect((await source.current())?.version).toBe(1); // one fetch scheduled, not two
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await source.current())?.version).toBe(2);
    expect(calls).toBe(2);
  });

  it('the first read waits for the database and fails with it; a failed refresh keeps the last book', async () => {
    let now = 0;
    let failing = true;
    const source = createDatabasePriceBookSource(
      {
        async latestPriceBook() {
          if (failing) throw new Error('database down');
          return { version: 3, prices: [] };
        },
      },
      { refreshMs: 1_000, clock: () => now },
    );
    await expect(source.current()).rejects.toThrow('database down');
    failing = false;
    expect((await source.current())?.version).toBe(3);
    failing = true;
    now = 5_000;
    expect((await source.current())?.version).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await source.current())?.version).toBe(3);
  });
});
