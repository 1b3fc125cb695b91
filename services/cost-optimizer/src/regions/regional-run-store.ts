import { randomUUID } from 'node:crypto';
import type { Bus } from '@switchyard/bus';
import type { RunBus, RunStore } from '../run/run-tenant';
import type { FeatureRow, OptimizerStore } from '../store/optimizer-store';
import { mergeRegionFeatures } from './merge-features';
import type { TenantRegions } from './tenant-regions';

/** One region as the central optimizer holds it: its store (its database) and its bus (its Redis). */
export interface OptimizerRegion {
  name: string;
  store: OptimizerStore;
  bus: Bus;
}

/**
 * The store and bus one central run of one tenant uses (run/run-tenant.ts is the same code as in one
 * region): the snapshot's features are read from every source region and merged here, then written
 * under one snapshot id (the run id) to every target; priors, canary steps and savings go to every
 * target with the same canary start, so each target's data planes load the same priors and a later
 * promotion names the same canary everywhere; announcements go to every target's bus. A target that
 * fails fails the run (the next run writes again). Usage rows are only read, never copied.
 */
export function regionalRun(regions: ReadonlyMap<string, OptimizerRegion>, plan: TenantRegions): { store: RunStore; bus: RunBus } {
  const region = (name: string): OptimizerRegion => {
    const found = regions.get(name);
    if (!found) throw new Error(`region ${name} is not configured`);
    return found;
  };
  const primary = region(plan.primary).store;
  const sources = plan.sources.map((name) => region(name).store);
  const targets = plan.targets.map((name) => region(name));
  const others = targets.filter((target) => target.name !== plan.primary);
  let frozen: { snapshotId: string; features: FeatureRow[] } | undefined;
  /** The other targets' priors of a route become the primary's, rows and canary start alike. */
  const mirror = async (tenantId: string, route: string): Promise<void> => {
    if (others.length === 0) return;
    const rows = (await primary.priors(tenantId)).filter((row) => row.route === route);
    for (const target of others) await target.store.replaceRoutePriors(tenantId, route, rows);
  };

  const store: RunStore = {
    async createSnapshot(tenantId, windowStart, windowEnd) {
      const features = mergeRegionFeatures(await Promise.all(sources.map((source) => source.windowFeatures(tenantId, windowStart, windowEnd))));
      const snapshotId = randomUUID();
      for (const target of targets) await target.store.storeSnapshot(tenantId, snapshotId, windowStart, windowEnd, features);
      frozen = { snapshotId, features };
      return snapshotId;
    },
    async features(tenantId, snapshotId) {
      return frozen?.snapshotId === snapshotId ? frozen.features : primary.features(tenantId, snapshotId);
    },
    /**
     * The primary's priors, which every other target is first made to hold too: a target that missed
     * an earlier step (it was down) catches up on the next run instead of serving stale priors.
     */
    async priors(tenantId) {
      const rows = await primary.priors(tenantId);
      const routes = new Set(rows.map((row) => row.route));
      for (const target of others) {
        for (const route of new Set([...routes, ...(await target.store.priors(tenantId)).map((row) => row.route)])) {
          await target.store.replaceRoutePriors(tenantId, route, rows.filter((row) => row.route === route));
        }
      }
      return rows;
    },
    settings: (tenantId) => primary.settings(tenantId),
    prices: () => primary.prices(),
    routeCandidates: (tenantId, route) => primary.routeCandidates(tenantId, route),
    /** Both cohorts wherever the tenant was served since the canary started, newest first. */
    async cohortRequests(tenantId, route, since, limit) {
      const all = (await Promise.all(sources.map((source) => source.cohortRequests(tenantId, route, since, limit)))).flat();
      return all.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).slice(0, limit);
    },
    async startCanary(tenantId, route, snapshotId, share, arms) {
      await primary.startCanary(tenantId, route, snapshotId, share, arms);
      await mirror(tenantId, route);
    },
    async promoteCanary(tenantId, route, startedAt) {
      // The primary decides (a concurrent run that replaced the canary there wins); the others follow.
      if (!(await primary.promoteCanary(tenantId, route, startedAt))) return false;
      await mirror(tenantId, route);
      return true;
    },
    async discardCanary(tenantId, route, startedAt) {
      if (!(await primary.discardCanary(tenantId, route, startedAt))) return false;
      await mirror(tenantId, route);
      return true;
    },
    async writeSavings(tenantId, snapshotId, rows) {
      for (const target of targets) await target.store.writeSavings(tenantId, snapshotId, rows);
    },
  };
  const bus: RunBus = {
    async publish(channel, message) {
      for (const target of targets) await target.bus.publish(channel, message);
    },
    async append(stream, payload) {
      let id = '';
      for (const target of targets) id = await target.bus.append(stream, payload);
      return id;
    },
  };
  return { store, bus };
}
