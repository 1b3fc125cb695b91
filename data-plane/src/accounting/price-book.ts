/**
 * The price book port and the cost arithmetic (pure). Prices are integer micro-USD per 1,000
 * tokens; cost is computed in bigint and rounded up once per request, so a request is never
 * under-charged and the sum is exact.
 */
export interface ModelPrice {
  model: string;
  inputPer1kMicros: bigint;
  outputPer1kMicros: bigint;
}

export interface PriceBook {
  version: number;
  prices: readonly ModelPrice[];
}

export interface PriceBookSource {
  /** The price book in force now; null when none has been published yet. */
  current(): Promise<PriceBook | null>;
}

/** What the database-backed source needs from `@switchyard/db`'s Database. */
export interface PriceBookStore {
  latestPriceBook(): Promise<PriceBook | null>;
}

/** ceil((promptTokens × input + completionTokens × output) / 1000); 0 for a model without a price. */
export function costMicros(book: PriceBook, model: string, promptTokens: number, completionTokens: number): bigint {
  const price = book.prices.find((p) => p.model === model);
  if (!price) return 0n;
  const numerator = BigInt(promptTokens) * price.inputPer1kMicros + BigInt(completionTokens) * price.outputPer1kMicros;
  return (numerator + 999n) / 1000n;
}

export function createStaticPriceBookSource(book: PriceBook | null): PriceBookSource {
  return { current: async () => book };
}

export interface DatabasePriceBookOptions {
  /** How long a fetched book is served before it is fetched again (default 5 s). */
  refreshMs?: number;
  clock?: () => number;
}

/**
 * Caches the latest version: price books change rarely and cost is computed off the hot path,
 * so a few seconds of staleness is fine (the version is recorded with every usage event). Only
 * the first read waits for the database; after that a stale book is served while the next one is
 * fetched in the background (the router reads the book on every request, so a blocking refresh
 * would put two queries on some request's path every few seconds), and a failed fetch keeps the
 * last book until the next one succeeds.
 */
export function createDatabasePriceBookSource(db: PriceBookStore, options: DatabasePriceBookOptions = {}): PriceBookSource {
  const refreshMs = options.refreshMs ?? 5_000;
  const clock = options.clock ?? Date.now;
  let cached: { book: PriceBook | null; fetchedAt: number } | undefined;
  let inFlight: Promise<PriceBook | null> | undefined;

  const fetchBook = (): Promise<PriceBook | null> =>
    (inFlight ??= db
      .latestPriceBook()
      .then((book) => {
        cached = { book, fetchedAt: clock() };
        return book;
      })
      .finally(() => {
        inFlight = undefined;
      }));

  let scheduled = false;
  return {
    async current() {
      if (!cached) return fetchBook();
      if (clock() - cached.fetchedAt >= refreshMs && !scheduled && !inFlight) {
        // After this turn: the query's own CPU (building it, the driver) then runs while the
        // request that noticed the staleness waits on its upstream, not before it is sent.
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          fetchBook().catch(() => undefined);
        });
      }
      return cached.book;
    },
  };
}
