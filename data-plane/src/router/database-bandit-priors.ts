import type { Database } from '@switchyard/db';
import { tenantPriorsOf, type BanditPriorSource } from './bandit-priors';

const SELECT = { tenantId: true, route: true, upstream: true, stage: true, alpha: true, beta: true, canaryShare: true } as const;

/** Priors from bandit_priors (written by the cost optimizer); platform scope: the data plane serves every tenant. */
export function createDatabaseBanditPriorSource(db: Pick<Database, 'withPlatform'>): BanditPriorSource {
  return {
    async loadAll() {
      return tenantPriorsOf(await db.withPlatform((tx) => tx.banditPrior.findMany({ select: SELECT })));
    },
    async load(tenantId) {
      return tenantPriorsOf(await db.withPlatform((tx) => tx.banditPrior.findMany({ where: { tenantId }, select: SELECT }))).get(tenantId);
    },
  };
}
