/** Where one region's database places a tenant (tenants.home_region, region_pinned); undefined: it does not know the tenant. */
export interface RegionPlacement {
  region: string;
  placement: { homeRegion: string | null; pinned: boolean } | undefined;
}

/** Which regions one central run of a tenant reads and writes. */
export interface TenantRegions {
  /** Where priors, settings and the route's candidates are read (the home region when it is configured). */
  primary: string;
  /** Whose usage and feedback count: every region that knows the tenant (read only). */
  sources: string[];
  /** Where snapshots, priors and savings are written and announced: where the tenant may be served. */
  targets: string[];
}

/**
 * The regions of one tenant's run, in configured order. A pinned tenant is written only in its home
 * region (it may be served nowhere else, and nothing of it may be written elsewhere); an unpinned one
 * in every region that knows it (a fail-over serves it there, with that region's priors). Usage is
 * read wherever the tenant was served: what another region served during a fail-over counts.
 * The regions agree on the placement (the coordinator replicates tenants); the first region that knows
 * the tenant is read. Pure.
 */
export function tenantRegions(found: readonly RegionPlacement[]): TenantRegions | { skip: string } {
  const known = found.filter((region) => region.placement !== undefined);
  const placement = known[0]?.placement;
  if (!placement) return { skip: 'no configured region knows the tenant' };
  const sources = known.map((region) => region.region);
  const home = placement.homeRegion !== null && sources.includes(placement.homeRegion) ? placement.homeRegion : undefined;
  if (placement.pinned) {
    if (!home) return { skip: `pinned to region ${placement.homeRegion ?? '(none)'}, which this optimizer does not serve or which does not know the tenant` };
    return { primary: home, sources, targets: [home] };
  }
  return { primary: home ?? sources[0]!, sources, targets: sources };
}
