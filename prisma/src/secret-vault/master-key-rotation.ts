import type { KeyManagementService } from '@switchyard/identity/envelope';
import type { Database } from '../database';

/**
 * Master-key rotation without downtime. Procedure: add the new master key to every replica's
 * keyring and make it current (old keys stay, so every replica still unwraps everything), run
 * this, then drop the old key from config. Each data key is rewrapped in its own transaction
 * (the data key itself, and so every secret sealed with it, is unchanged): a crash leaves some
 * rows rewrapped and the rest still readable under the old key, and a second run finishes the job.
 */
export interface RotationProgress {
  /** Data keys rewrapped by this run so far. */
  rewrapped: number;
  /** Data keys still wrapped by another master key. */
  remaining: number;
  activeKeyId: string;
}

export interface RotateMasterKeyOptions {
  db: Database;
  kms: KeyManagementService;
  /** Data keys listed per round trip (default 100). */
  batchSize?: number;
  onProgress?: (progress: RotationProgress) => void;
  now?: () => Date;
}

export class RotationStuckError extends Error {
  constructor(dataKeyId: string, cause: unknown) {
    super(`data key ${dataKeyId} could not be rewrapped: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RotationStuckError';
  }
}

/** How many tenant data keys each master key wraps (ids and counts only). */
export async function dataKeysPerMasterKey(db: Database): Promise<Map<string, number>> {
  const rows = await db.withPlatform((tx) => tx.$queryRaw<{ master_key_id: string; data_keys: bigint }[]>`SELECT "master_key_id", "data_keys" FROM switchyard_data_keys_per_master_key()`);
  return new Map(rows.map((row) => [row.master_key_id, Number(row.data_keys)]));
}

async function remainingUnder(db: Database, activeKeyId: string): Promise<number> {
  let remaining = 0;
  for (const [keyId, count] of await dataKeysPerMasterKey(db)) if (keyId !== activeKeyId) remaining += count;
  return remaining;
}

export async function rotateMasterKey(options: RotateMasterKeyOptions): Promise<RotationProgress> {
  const { db, kms } = options;
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error('batchSize must be an integer in 1..10000');
  const now = options.now ?? (() => new Date());
  const activeKeyId = kms.activeKeyId;
  let rewrapped = 0;
  for (;;) {
    const batch = await db.withPlatform((tx) =>
      tx.$queryRaw<{ tenant_id: string; data_key_id: string }[]>`
        SELECT "tenant_id"::text AS "tenant_id", "data_key_id"::text AS "data_key_id" FROM switchyard_data_keys_to_rewrap(${activeKeyId}, ${batchSize}::integer)`,
    );
    if (batch.length === 0) break;
    for (const { tenant_id: tenantId, data_key_id: dataKeyId } of batch) {
      try {
        const changed = await db.withTenant(tenantId, async (tx) => {
          // Row lock: a concurrent run (or a second operator) rewraps each key once.
          const rows = await tx.$queryRaw<{ master_key_id: string; wrapped_key: string }[]>`
            SELECT "master_key_id", "wrapped_key" FROM "tenant_data_keys" WHERE "id" = ${dataKeyId}::uuid FOR UPDATE`;
          const row = rows[0];
          if (!row || row.master_key_id === activeKeyId) return false;
          const dataKey = await kms.unwrap({ keyId: row.master_key_id, wrapped: row.wrapped_key });
          const wrapped = await kms.wrap(dataKey);
          await tx.tenantDataKey.update({ where: { id: dataKeyId }, data: { masterKeyId: wrapped.keyId, wrappedKey: wrapped.wrapped, rewrappedAt: now() } });
          return true;
        });
        if (changed) rewrapped += 1;
      } catch (error) {
        // Without this, a key that cannot be unwrapped (its master key already dropped) would be listed forever.
        throw new RotationStuckError(dataKeyId, error);
      }
    }
    options.onProgress?.({ rewrapped, remaining: await remainingUnder(db, activeKeyId), activeKeyId });
  }
  return { rewrapped, remaining: 0, activeKeyId };
}
