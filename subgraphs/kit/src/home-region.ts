import type { Database } from '@switchyard/db';
import type { GraphQLError } from 'graphql';

/**
 * One writer per tenant (DESIGN.md §10): a tenant's replicated configuration (settings, API keys,
 * policy versions, routes) is written in its home region and replicated to the others by the
 * federation coordinator, whose receivers only accept a tenant's changes from its home. A write in
 * another region would never reach the home and be overwritten here by the home's next change, so
 * this region's admin plane refuses it up front. Reads stay allowed.
 */

/** Why a write is refused: the tenant is homed in `homeRegion`, this is `region`. */
export interface HomedElsewhere {
  tenantId: string;
  homeRegion: string;
  region: string;
}

/**
 * The rule (pure). `region` undefined: a one-region deployment, every write allowed. A tenant
 * without a home (never placed) is written wherever it is administered, as before regions. The
 * placement itself (a platform admin moving the home) passes where the move works as designed:
 * in the current home, which then publishes the tenant with its new home, or for an unplaced tenant.
 */
export function homedElsewhere(region: string | undefined, tenantId: string, homeRegion: string | null): HomedElsewhere | undefined {
  if (region === undefined || homeRegion === null || homeRegion === region) return undefined;
  return { tenantId, homeRegion, region };
}

/** The message every subgraph answers with: it names the home region, where the change must be made. */
export function homedElsewhereMessage(refusal: HomedElsewhere): string {
  return `Tenant ${refusal.tenantId} is homed in region ${refusal.homeRegion}: its configuration is changed there, and reaches region ${refusal.region} by replication. Make this change in region ${refusal.homeRegion}.`;
}

export interface HomeRegionGuard {
  /** Throws the subgraph's TENANT_HOMED_ELSEWHERE error when `tenantId` is homed in another region; an unknown tenant passes (the operation answers NOT_FOUND itself). */
  assertWritable(tenantId: string): Promise<void>;
}

export interface HomeRegionGuardDeps {
  db: Database;
  /** SWITCHYARD_REGION of this admin plane; undefined: one-region deployment (no check, no query). */
  region: string | undefined;
  /** The subgraph's factory for TENANT_HOMED_ELSEWHERE (its registry holds the code). */
  refuse: (refusal: HomedElsewhere) => GraphQLError;
}

/**
 * Call it after the caller's authorization (so a stranger learns nothing about another tenant's
 * home) and before the write. It reads the home outside the write's transaction, one indexed
 * lookup: a move arriving by replication only ever comes from the home, so it can turn a refusal
 * into an acceptance, not the reverse. Not closed: a write that passed just before a platform
 * admin of this (home) region moved the tenant away commits here after the move.
 */
export function createHomeRegionGuard(deps: HomeRegionGuardDeps): HomeRegionGuard {
  return {
    async assertWritable(tenantId) {
      const region = deps.region;
      if (region === undefined) return;
      const row = await deps.db.withPlatform((tx) => tx.tenant.findUnique({ where: { id: tenantId }, select: { homeRegion: true } }), { transaction: false });
      if (!row) return;
      const refusal = homedElsewhere(region, tenantId, row.homeRegion);
      if (refusal) throw deps.refuse(refusal);
    },
  };
}
