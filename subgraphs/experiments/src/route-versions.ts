import type { Prisma, TenantTx } from '@switchyard/db';
import type { RouteRecord } from './route-record';

/** Why a route version exists, as its history shows it. */
export type VersionReason = 'create' | 'update' | 'rollback' | 'experiment.start' | 'experiment.stop' | 'experiment.promote' | 'experiment.revert' | 'experiment.guardrail';

export interface RouteVersionRecord {
  id: string;
  tenantId: string;
  routeId: string;
  version: number;
  definition: unknown;
  reason: string;
  createdBy: string;
  createdAt: Date;
}

/** The route's row, locked until the transaction ends: every change of one route is serialized on it. */
export async function lockRoute(tx: TenantTx, tenantId: string, name: string): Promise<RouteRecord | null> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM routes WHERE tenant_id = ${tenantId}::uuid AND name = ${name} FOR UPDATE`;
  if (rows.length === 0) return null;
  return tx.route.findUnique({ where: { id: rows[0]!.id } });
}

/**
 * Appends a version to a locked route: the new definition becomes the route's (what the data
 * plane loads) and an immutable history row with the same number is written, in the caller's
 * transaction, so a crash leaves either both or neither.
 */
export async function appendVersion(
  tx: TenantTx,
  route: RouteRecord,
  change: { definition: Prisma.InputJsonValue; reason: VersionReason; actor: string; at: Date },
): Promise<RouteRecord> {
  const version = route.version + 1;
  const updated = await tx.route.update({
    where: { id: route.id },
    data: { definition: change.definition, version, updatedBy: change.actor, updatedAt: change.at },
  });
  await tx.routeVersion.create({
    data: { tenantId: route.tenantId, routeId: route.id, version, definition: change.definition, reason: change.reason, createdBy: change.actor, createdAt: change.at },
  });
  return updated;
}

/** The definition without its experiment (what a stop, a rollback or a revert serves). */
export function withoutExperiment(definition: unknown): Prisma.InputJsonValue {
  const { experiment: _experiment, ...rest } = definition as Record<string, unknown>;
  return rest as Prisma.InputJsonValue;
}

export function experimentOf(definition: unknown): Record<string, unknown> | undefined {
  const experiment = (definition as { experiment?: unknown }).experiment;
  return typeof experiment === 'object' && experiment !== null ? (experiment as Record<string, unknown>) : undefined;
}
