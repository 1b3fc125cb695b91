import type { Database } from '@switchyard/db';
import { opsForChanges, type PublishScope } from './config-capture';
import { MAX_CONFIG_OPS, type ConfigDelta } from './config-delta';
import { signConfigDelta } from './config-signing';
import { MAX_SIGNED_DELTA_BYTES, type SignedDelta } from './delta';
import type { RegionSigningKey } from './signing';

/**
 * The writer's side, on its database: captured changes become signed config deltas, kept in
 * config_deltas_out for peers to pull. One transaction consumes the change rows it read and stores
 * the delta they became, so a crash between the two cannot lose or duplicate a change; cuts are
 * serialised by an advisory lock (several coordinator replicas may run). Versions are the larger of
 * the last stored one + 1 and the clock in ms: strictly increasing, also across restarts.
 */
export interface ConfigOutboxOptions {
  key: RegionSigningKey;
  platformWriter: string | undefined;
  /** Signed deltas older than this are dropped (default 7 days): a peer away longer needs a resync. */
  retentionMs?: number;
}

export interface ConfigCut {
  /** The delta signed, when the changes read made any op (changes of other regions' tenants make none). */
  signed: SignedDelta | null;
  /** Change rows consumed. */
  consumed: number;
}

const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Room for the JSON envelope around the payload's base64url. */
const MAX_PAYLOAD_JSON_BYTES = Math.floor((MAX_SIGNED_DELTA_BYTES * 3) / 4) - 1024;

export async function cutConfigDelta(db: Database, options: ConfigOutboxOptions, now: number): Promise<ConfigCut> {
  const scope: PublishScope = { region: options.key.region, platformWriter: options.platformWriter };
  // A batch whose delta would be too large is retried at half the size (one row always fits: the schema bounds it).
  for (let limit = MAX_CONFIG_OPS; ; limit = Math.max(1, Math.floor(limit / 2))) {
    const cut = await db.withPlatform(async (tx): Promise<ConfigCut | 'too_large'> => {
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext('switchyard.config_cut'))) AS lock`;
      const changes = await tx.configChange.findMany({ orderBy: { seq: 'asc' }, take: limit });
      if (changes.length === 0) return { signed: null, consumed: 0 };
      const ops = await opsForChanges(tx, changes, scope);
      let signed: SignedDelta | null = null;
      if (ops.length > 0) {
        const last = await tx.configDeltaOut.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
        const version = Math.max(Number(last?.version ?? 0n) + 1, now);
        const delta: ConfigDelta = { feed: 'config', region: scope.region, version, issuedAt: now, ops };
        if (Buffer.byteLength(JSON.stringify(delta)) > MAX_PAYLOAD_JSON_BYTES && changes.length > 1) return 'too_large';
        signed = signConfigDelta(options.key, delta);
        await tx.configDeltaOut.create({ data: { version: BigInt(version), keyId: signed.keyId, payload: signed.payload, signature: signed.signature } });
      }
      await tx.configChange.deleteMany({ where: { seq: { in: changes.map((change) => change.seq) } } });
      await tx.configDeltaOut.deleteMany({ where: { createdAt: { lt: new Date(now - (options.retentionMs ?? RETENTION_MS)) } } });
      return { signed, consumed: changes.length };
    });
    if (cut !== 'too_large') return cut;
  }
}

/** Signs everything pending, batch after batch; returns the deltas signed. */
export async function drainConfigChanges(db: Database, options: ConfigOutboxOptions, now: () => number): Promise<SignedDelta[]> {
  const signed: SignedDelta[] = [];
  for (;;) {
    const cut = await cutConfigDelta(db, options, now());
    if (cut.signed) signed.push(cut.signed);
    if (cut.consumed === 0) return signed;
  }
}

/** This region's kept config deltas with a version above `since`, oldest first. */
export async function configDeltasSince(db: Database, since: number, limit: number): Promise<SignedDelta[]> {
  const rows = await db.withPlatform((tx) => tx.configDeltaOut.findMany({ where: { version: { gt: BigInt(since) } }, orderBy: { version: 'asc' }, take: limit }), { transaction: false });
  return rows.map((row) => ({ keyId: row.keyId, payload: row.payload, signature: row.signature }));
}

/**
 * Queues every global row for publication again (a peer that was away longer than the retention,
 * or a region joining): the next cuts send the whole configuration this region writes.
 */
export async function enqueueConfigResync(db: Database): Promise<number> {
  const rows = await db.withPlatform((tx) => tx.$queryRaw<Array<{ queued: number }>>`SELECT switchyard_config_enqueue_all() AS queued`);
  return rows[0]?.queued ?? 0;
}
