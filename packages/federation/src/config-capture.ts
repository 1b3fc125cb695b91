import type { TenantTx } from '@switchyard/db';
import type { ApiKeyState, ConfigOp, PolicyVersionState, PriceBookState, RouteState, TenantState } from './config-delta';

/**
 * From captured changes to ops: what this region publishes. A change row only names a row; the
 * row's state is read now, in the transaction that signs the delta, so the op is what the writer's
 * database holds at that instant. Only what this region writes leaves it: tenants homed here (and a
 * tenant whose home just moved away, so the new home learns it is home), the price book when this
 * region is the platform's writer; nothing of a pinned tenant beyond its row and key hashes.
 */
export interface CapturedChange {
  seq: bigint;
  kind: string;
  entityId: string;
  tenantId: string | null;
  previousHome: string | null;
}

export interface PublishScope {
  region: string;
  platformWriter: string | undefined;
}

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  allowedRegions: string[];
  defaultDataClassification: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  tokensPerDay: number | null;
  homeRegion: string | null;
  regionPinned: boolean;
  createdAt: Date;
}

const iso = (date: Date): string => date.toISOString();
const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function tenantState(row: TenantRow & { homeRegion: string }): TenantState {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    allowedRegions: row.allowedRegions,
    // The database's CHECK holds it to the four classifications; the schema re-checks on receipt.
    defaultDataClassification: row.defaultDataClassification as TenantState['defaultDataClassification'],
    requestsPerMinute: row.requestsPerMinute,
    tokensPerMinute: row.tokensPerMinute,
    tokensPerDay: row.tokensPerDay,
    homeRegion: row.homeRegion,
    regionPinned: row.regionPinned,
    createdAt: iso(row.createdAt),
  };
}

/** Ops in an order a receiver can apply one by one: tenants first (rows refer to them), deletions of tenants last. */
export function orderOps(ops: readonly ConfigOp[]): ConfigOp[] {
  const rank = (op: ConfigOp): number => (op.op === 'tenant.upsert' ? 0 : op.op === 'tenant.delete' ? 2 : 1);
  return ops.map((op, index) => ({ op, index })).sort((a, b) => rank(a.op) - rank(b.op) || a.index - b.index).map(({ op }) => op);
}

/** The ops for a batch of changes (one per changed row, however often it changed), read in `tx` (platform role). */
export async function opsForChanges(tx: TenantTx, changes: readonly CapturedChange[], scope: PublishScope): Promise<ConfigOp[]> {
  // One entry per row, in the order of its first change; a tenant remembers every home it had.
  const entities = new Map<string, { change: CapturedChange; previousHomes: Set<string> }>();
  for (const change of changes) {
    const key = `${change.kind}\u0000${change.entityId}`;
    const entity = entities.get(key) ?? { change, previousHomes: new Set<string>() };
    if (change.previousHome !== null) entity.previousHomes.add(change.previousHome);
    entities.set(key, entity);
  }

  const tenantIds = [...new Set(changes.map((change) => change.tenantId).filter((id): id is string => id !== null))];
  const tenants = new Map((await tx.tenant.findMany({ where: { id: { in: tenantIds } } })).map((row) => [row.id, row]));
  const homedHere = (tenantId: string | null) => {
    const row = tenantId === null ? undefined : tenants.get(tenantId);
    return row !== undefined && row.homeRegion === scope.region ? row : undefined;
  };
  let scopedTenant: string | undefined;
  const asTenant = async (tenantId: string) => {
    // The tenant-scoped tables' isolation policy admits the platform role to this tenant's rows only.
    if (scopedTenant !== tenantId) await tx.$queryRaw`SELECT set_config('app.tenant_id', ${tenantId}, true)`;
    scopedTenant = tenantId;
  };

  const ops: ConfigOp[] = [];
  for (const { change, previousHomes } of entities.values()) {
    switch (change.kind) {
      case 'tenant': {
        const row = tenants.get(change.entityId);
        if (!row) {
          if (previousHomes.has(scope.region)) ops.push({ op: 'tenant.delete', tenantId: change.entityId });
        } else if (row.homeRegion !== null && (row.homeRegion === scope.region || previousHomes.has(scope.region))) {
          ops.push({ op: 'tenant.upsert', tenant: tenantState({ ...row, homeRegion: row.homeRegion }) });
        }
        break;
      }
      case 'api_key': {
        const tenant = homedHere(change.tenantId);
        if (!tenant) break;
        await asTenant(tenant.id);
        const row = await tx.apiKey.findUnique({ where: { id: change.entityId } });
        if (!row) ops.push({ op: 'api_key.delete', tenantId: tenant.id, id: change.entityId });
        else ops.push({ op: 'api_key.upsert', apiKey: apiKeyState(row) });
        break;
      }
      case 'policy_version': {
        const tenant = homedHere(change.tenantId);
        if (!tenant || tenant.regionPinned) break;
        await asTenant(tenant.id);
        const row = await tx.policyVersion.findUnique({ where: { id: change.entityId } });
        if (row) ops.push({ op: 'policy_version.upsert', policyVersion: policyVersionState(row) });
        break;
      }
      case 'route': {
        const tenant = homedHere(change.tenantId);
        if (!tenant || tenant.regionPinned) break;
        await asTenant(tenant.id);
        const row = await tx.route.findUnique({ where: { id: change.entityId } });
        if (!row) ops.push({ op: 'route.delete', tenantId: tenant.id, id: change.entityId });
        else ops.push({ op: 'route.upsert', route: routeState(row) });
        break;
      }
      case 'price_book': {
        if (scope.platformWriter !== scope.region) break;
        const version = Number(change.entityId);
        const row = await tx.priceBookVersion.findUnique({ where: { version }, include: { prices: { orderBy: { model: 'asc' } } } });
        if (row) ops.push({ op: 'price_book.upsert', priceBook: priceBookState(row) });
        break;
      }
    }
  }
  return orderOps(ops);
}

function apiKeyState(row: { id: string; tenantId: string; name: string; prefix: string; hash: string; scopes: string[]; createdAt: Date; expiresAt: Date | null; revokedAt: Date | null }): ApiKeyState {
  return { id: row.id, tenantId: row.tenantId, name: row.name, prefix: row.prefix, hash: row.hash, scopes: row.scopes, createdAt: iso(row.createdAt), expiresAt: isoOrNull(row.expiresAt), revokedAt: isoOrNull(row.revokedAt) };
}

function policyVersionState(row: { id: string; tenantId: string; version: number; text: string; status: PolicyVersionState['status']; proposedBy: string; approvedBy: string | null; createdAt: Date; activatedAt: Date | null }): PolicyVersionState {
  return { id: row.id, tenantId: row.tenantId, version: row.version, text: row.text, status: row.status, proposedBy: row.proposedBy, approvedBy: row.approvedBy, createdAt: iso(row.createdAt), activatedAt: isoOrNull(row.activatedAt) };
}

function routeState(row: { id: string; tenantId: string; name: string; definition: unknown; version: number; createdBy: string; updatedBy: string; createdAt: Date; updatedAt: Date; pinnedVersion: number | null }): RouteState {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    definition: row.definition as RouteState['definition'],
    version: row.version,
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    pinnedVersion: row.pinnedVersion,
  };
}

function priceBookState(row: { version: number; createdAt: Date; prices: Array<{ model: string; inputPer1kMicros: bigint; outputPer1kMicros: bigint }> }): PriceBookState {
  return {
    version: row.version,
    createdAt: iso(row.createdAt),
    prices: row.prices.map((price) => ({ model: price.model, inputPer1kMicros: price.inputPer1kMicros.toString(), outputPer1kMicros: price.outputPer1kMicros.toString() })),
  };
}
