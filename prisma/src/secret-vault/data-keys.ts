import { generateDataKey, type KeyManagementService } from '@switchyard/identity/envelope';
import type { TenantTx } from '../database';

/** The tenant's current data key, unwrapped, with the id secrets name it by. */
export interface DataKey {
  id: string;
  key: Uint8Array;
}

export interface DataKeyRow {
  id: string;
  masterKeyId: string;
  wrappedKey: string;
}

/** Data keys in use are version 1 until data-key rotation exists; the column leaves room for it. */
const CURRENT_VERSION = 1;
const MAX_CACHED_KEYS = 10_000;

/**
 * Unwrapping goes through the KMS port (for a cloud KMS, a network call), so unwrapped data keys
 * are kept per (row, wrapping): a rewrap changes the wrapping and simply misses the cache once.
 */
export function createDataKeyRing(kms: KeyManagementService) {
  const unwrapped = new Map<string, Promise<Uint8Array>>();

  function unwrap(row: DataKeyRow): Promise<Uint8Array> {
    const cacheKey = `${row.id}:${row.masterKeyId}:${row.wrappedKey}`;
    const hit = unwrapped.get(cacheKey);
    if (hit) return hit;
    if (unwrapped.size >= MAX_CACHED_KEYS) unwrapped.clear();
    const pending = kms.unwrap({ keyId: row.masterKeyId, wrapped: row.wrappedKey });
    unwrapped.set(cacheKey, pending);
    pending.catch(() => unwrapped.delete(cacheKey));
    return pending;
  }

  return {
    unwrap,
    /**
     * The tenant's data key, created (wrapped under the active master key) on first use. Locks the
     * row: secret writes of one tenant serialize, so an upsert never races another.
     */
    async currentForWrite(tx: TenantTx, tenantId: string): Promise<DataKey> {
      const existing = await lockCurrent(tx, tenantId);
      if (existing) return { id: existing.id, key: await unwrap(existing) };
      const wrapped = await kms.wrap(generateDataKey());
      // Two first writers race here: ON CONFLICT keeps one, and both then read the winner's key.
      await tx.tenantDataKey.createMany({
        data: [{ tenantId, version: CURRENT_VERSION, masterKeyId: wrapped.keyId, wrappedKey: wrapped.wrapped }],
        skipDuplicates: true,
      });
      const created = await lockCurrent(tx, tenantId);
      if (!created) throw new Error(`data key of tenant ${tenantId} vanished while it was created`);
      return { id: created.id, key: await unwrap(created) };
    },
  };
}

export type DataKeyRing = ReturnType<typeof createDataKeyRing>;

async function lockCurrent(tx: TenantTx, tenantId: string): Promise<DataKeyRow | null> {
  const rows = await tx.$queryRaw<{ id: string; master_key_id: string; wrapped_key: string }[]>`
    SELECT "id"::text AS "id", "master_key_id", "wrapped_key" FROM "tenant_data_keys"
    WHERE "tenant_id" = ${tenantId}::uuid AND "version" = ${CURRENT_VERSION}::integer FOR UPDATE`;
  const row = rows[0];
  return row ? { id: row.id, masterKeyId: row.master_key_id, wrappedKey: row.wrapped_key } : null;
}
