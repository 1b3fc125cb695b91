import type { Database, TenantTx } from '@switchyard/db';
import { API_KEY_CHANGED_CHANNEL, TENANT_SETTINGS_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import { POLICY_CHANGED_CHANNEL } from '@switchyard/events/policy';
import { ROUTES_CHANGED_CHANNEL } from '@switchyard/events/routing';
import { authorizeConfigOp, type ConfigRefusal, type KnownTenant } from './config-authority';
import { tenantOf, type ConfigDelta, type ConfigOp } from './config-delta';

/**
 * The receiver's side, on its database: a verified delta is applied in one transaction together
 * with the peer's cursor, so it is applied exactly once (a replayed or older version finds the
 * cursor past it and changes nothing) and never half. Each op is authorised against what this
 * database knows of the tenant (config-authority.ts); a refused op is counted and skipped, the
 * rest of the delta still applies (a tenant may have moved while the delta travelled). The
 * transaction sets switchyard.replicating so the capture triggers do not queue these rows for
 * publication here: this region is not their writer.
 */

/** A key-only bus message that tells this region's data planes to reload or evict. */
export interface Invalidation {
  channel: string;
  message: string;
}

export type ConfigApplyResult =
  | { outcome: 'applied'; applied: number; refused: Partial<Record<ConfigRefusal, number>>; invalidations: Invalidation[] }
  | { outcome: 'replayed_or_stale' };

export interface ConfigApplyOptions {
  platformWriter: string | undefined;
}

const date = (value: string): Date => new Date(value);
const dateOrNull = (value: string | null): Date | null => (value === null ? null : new Date(value));

export async function applyConfigDelta(db: Database, delta: ConfigDelta, options: ConfigApplyOptions): Promise<ConfigApplyResult> {
  return db.withPlatform(async (tx) => {
    await tx.$queryRaw`SELECT set_config('switchyard.replicating', 'on', true)`;
    await tx.$executeRaw`INSERT INTO "config_replication_cursors" ("region", "version") VALUES (${delta.region}, 0) ON CONFLICT ("region") DO NOTHING`;
    // The row lock orders two pollers of the same peer (two coordinator replicas): the second waits, then finds the version passed.
    const [cursor] = await tx.$queryRaw<Array<{ version: bigint }>>`SELECT "version" FROM "config_replication_cursors" WHERE "region" = ${delta.region} FOR UPDATE`;
    if (cursor !== undefined && cursor.version >= BigInt(delta.version)) return { outcome: 'replayed_or_stale' as const };

    const tenantIds = [...new Set(delta.ops.map(tenantOf).filter((id): id is string => id !== undefined))];
    const known = new Map<string, KnownTenant>(
      (await tx.tenant.findMany({ where: { id: { in: tenantIds } }, select: { id: true, homeRegion: true, regionPinned: true } })).map((row) => [row.id, { home: row.homeRegion, pinned: row.regionPinned }]),
    );
    const context = { source: delta.region, platformWriter: options.platformWriter, known: (id: string) => known.get(id) };
    const refused: Partial<Record<ConfigRefusal, number>> = {};
    const invalidations = new Map<string, Invalidation>();
    const invalidate = (channel: string, body: Record<string, string>) => {
      const message = JSON.stringify(body);
      invalidations.set(`${channel}\u0000${message}`, { channel, message });
    };
    let applied = 0;
    for (const op of delta.ops) {
      const verdict = authorizeConfigOp(op, context);
      if (verdict !== 'ok') {
        refused[verdict] = (refused[verdict] ?? 0) + 1;
        continue;
      }
      await applyOp(tx, op, known, invalidate);
      applied += 1;
    }
    await tx.$executeRaw`UPDATE "config_replication_cursors" SET "version" = ${BigInt(delta.version)}, "applied_at" = now() WHERE "region" = ${delta.region}`;
    return { outcome: 'applied' as const, applied, refused, invalidations: [...invalidations.values()] };
  });
}

/** The last version applied from `region` (0: none yet): where its next poll starts. */
export async function lastAppliedConfigVersion(db: Database, region: string): Promise<number> {
  const row = await db.withPlatform((tx) => tx.configReplicationCursor.findUnique({ where: { region }, select: { version: true } }), { transaction: false });
  return Number(row?.version ?? 0n);
}

async function asTenant(tx: TenantTx, tenantId: string): Promise<void> {
  await tx.$queryRaw`SELECT set_config('app.tenant_id', ${tenantId}, true)`;
}

async function applyOp(tx: TenantTx, op: ConfigOp, known: Map<string, KnownTenant>, invalidate: (channel: string, body: Record<string, string>) => void): Promise<void> {
  switch (op.op) {
    case 'tenant.upsert': {
      const { id, createdAt, ...settings } = op.tenant;
      await tx.tenant.upsert({ where: { id }, create: { id, createdAt: date(createdAt), ...settings }, update: settings });
      known.set(id, { home: settings.homeRegion, pinned: settings.regionPinned });
      invalidate(TENANT_SETTINGS_CHANGED_CHANNEL, { tenantId: id });
      if (settings.regionPinned) {
        // Pinned: never served here, so nothing of its configuration stays here.
        await asTenant(tx, id);
        await tx.route.deleteMany({ where: { tenantId: id } });
        await tx.policyVersion.deleteMany({ where: { tenantId: id } });
        invalidate(POLICY_CHANGED_CHANNEL, { tenantId: id });
        invalidate(ROUTES_CHANGED_CHANNEL, { tenantId: id });
      }
      return;
    }
    case 'tenant.delete': {
      await asTenant(tx, op.tenantId);
      const keys = await tx.apiKey.findMany({ where: { tenantId: op.tenantId }, select: { hash: true } });
      await tx.tenant.deleteMany({ where: { id: op.tenantId } });
      known.delete(op.tenantId);
      for (const key of keys) invalidate(API_KEY_CHANGED_CHANNEL, { keyHash: key.hash });
      invalidate(TENANT_SETTINGS_CHANGED_CHANNEL, { tenantId: op.tenantId });
      invalidate(POLICY_CHANGED_CHANNEL, { tenantId: op.tenantId });
      invalidate(ROUTES_CHANGED_CHANNEL, { tenantId: op.tenantId });
      return;
    }
    case 'api_key.upsert': {
      const { id, tenantId, createdAt, expiresAt, revokedAt, ...rest } = op.apiKey;
      await asTenant(tx, tenantId);
      const before = await tx.apiKey.findUnique({ where: { id }, select: { hash: true } });
      const fields = { ...rest, expiresAt: dateOrNull(expiresAt), revokedAt: dateOrNull(revokedAt) };
      await tx.apiKey.upsert({ where: { id }, create: { id, tenantId, createdAt: date(createdAt), ...fields }, update: fields });
      if (before && before.hash !== rest.hash) invalidate(API_KEY_CHANGED_CHANNEL, { keyHash: before.hash });
      invalidate(API_KEY_CHANGED_CHANNEL, { keyHash: rest.hash });
      return;
    }
    case 'api_key.delete': {
      await asTenant(tx, op.tenantId);
      const before = await tx.apiKey.findFirst({ where: { id: op.id, tenantId: op.tenantId }, select: { hash: true } });
      await tx.apiKey.deleteMany({ where: { id: op.id, tenantId: op.tenantId } });
      if (before) invalidate(API_KEY_CHANGED_CHANNEL, { keyHash: before.hash });
      return;
    }
    case 'policy_version.upsert': {
      const { id, tenantId, createdAt, activatedAt, ...rest } = op.policyVersion;
      await asTenant(tx, tenantId);
      // The home's rows win: a version number used here by a local write gives way, and at most one version is active.
      await tx.policyVersion.deleteMany({ where: { tenantId, version: rest.version, id: { not: id } } });
      if (rest.status === 'active') await tx.policyVersion.updateMany({ where: { tenantId, status: 'active', id: { not: id } }, data: { status: 'superseded' } });
      const fields = { ...rest, activatedAt: dateOrNull(activatedAt) };
      await tx.policyVersion.upsert({ where: { id }, create: { id, tenantId, createdAt: date(createdAt), ...fields }, update: fields });
      invalidate(POLICY_CHANGED_CHANNEL, { tenantId });
      return;
    }
    case 'route.upsert': {
      const { id, tenantId, createdAt, updatedAt, definition, ...rest } = op.route;
      await asTenant(tx, tenantId);
      await tx.route.deleteMany({ where: { tenantId, name: rest.name, id: { not: id } } });
      // A JSON value from the schema; null is not a route definition (the data plane would skip it), so it is stored as given.
      const fields = { ...rest, definition: definition ?? {}, updatedAt: date(updatedAt) };
      await tx.route.upsert({ where: { id }, create: { id, tenantId, createdAt: date(createdAt), ...fields }, update: fields });
      invalidate(ROUTES_CHANGED_CHANNEL, { tenantId });
      return;
    }
    case 'route.delete': {
      await asTenant(tx, op.tenantId);
      await tx.route.deleteMany({ where: { id: op.id, tenantId: op.tenantId } });
      invalidate(ROUTES_CHANGED_CHANNEL, { tenantId: op.tenantId });
      return;
    }
    case 'price_book.upsert': {
      const { version, createdAt, prices } = op.priceBook;
      await tx.priceBookVersion.upsert({ where: { version }, create: { version, createdAt: date(createdAt) }, update: {} });
      await tx.modelPrice.deleteMany({ where: { version } });
      await tx.modelPrice.createMany({ data: prices.map((price) => ({ version, model: price.model, inputPer1kMicros: BigInt(price.inputPer1kMicros), outputPer1kMicros: BigInt(price.outputPer1kMicros) })) });
      // No event: the data planes re-read the newest price book every few seconds.
      return;
    }
  }
}
