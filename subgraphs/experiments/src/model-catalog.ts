import type { Database } from '@switchyard/db';

/**
 * What a route may name: models the platform can price (the price book) and the platform's
 * configured routes (for fallbacks). A route naming anything else is refused when written, so a
 * typo never reaches the data plane as a route that cannot serve.
 */
export interface ModelCatalog {
  models(): Promise<ReadonlySet<string>>;
  platformRoutes(): ReadonlySet<string>;
}

/** Models from the newest price book version; platform route names as configured. */
export function createPriceBookModelCatalog(db: Pick<Database, 'latestPriceBook'>, platformRouteNames: readonly string[] = []): ModelCatalog {
  const platformRoutes = new Set(platformRouteNames);
  return {
    async models() {
      const book = await db.latestPriceBook();
      return new Set(book.prices.map((price) => price.model));
    },
    platformRoutes: () => platformRoutes,
  };
}
