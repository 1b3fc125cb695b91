import type { SloDefinition } from '@switchyard/slo';
import type { SloStore } from './slo-store';

/** Every tenant's SLOs, read at most once per `maxAgeMs` (the consumer's and evaluator's view). */
export interface SloDirectory {
  all(): Promise<SloDefinition[]>;
  ofTenant(tenantId: string): Promise<SloDefinition[]>;
  /** Forget the cached list (an SLO was written: slo.changed). */
  invalidate(): void;
}

export function createSloDirectory(store: Pick<SloStore, 'listAll'>, options: { maxAgeMs?: number; clock?: () => number } = {}): SloDirectory {
  const maxAgeMs = options.maxAgeMs ?? 5_000;
  const clock = options.clock ?? Date.now;
  let cached: { at: number; list: Promise<SloDefinition[]>; byTenant: Promise<Map<string, SloDefinition[]>> } | undefined;

  const load = () => {
    if (cached && clock() - cached.at < maxAgeMs) return cached;
    const list = store.listAll();
    const byTenant = list.then((slos) => {
      const map = new Map<string, SloDefinition[]>();
      for (const slo of slos) map.set(slo.tenantId, [...(map.get(slo.tenantId) ?? []), slo]);
      return map;
    });
    const entry = { at: clock(), list, byTenant };
    cached = entry;
    // A failed read is not cached: the next call tries again.
    list.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return entry;
  };

  return {
    all: () => load().list,
    ofTenant: async (tenantId) => (await load().byTenant).get(tenantId) ?? [],
    invalidate() {
      cached = undefined;
    },
  };
}
