import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { applyConfigDelta } from './config-apply';
import type { ConfigRefusal } from './config-authority';
import { verifyConfigDelta } from './config-signing';
import type { SignedDelta } from './delta';
import type { RegionKeyring, VerifyFailure } from './signing';

/** `wrong_peer`: a peer served a delta of another region (each region serves only its own). */
export type ConfigReceiveOutcome = 'applied' | VerifyFailure | 'own_region' | 'wrong_peer' | 'replayed_or_stale';

export interface ConfigReceiver {
  /** Verifies, applies, then tells this region's data planes what changed. `from`: the peer that served it. */
  receive(signed: SignedDelta, from: string): Promise<ConfigReceiveOutcome>;
  counts(): Readonly<Record<ConfigReceiveOutcome, number>>;
  /** Ops of applied deltas that were refused, by reason (a region writing what it does not own). */
  refusedOps(): Readonly<Partial<Record<ConfigRefusal, number>>>;
}

export interface ConfigReceiverOptions {
  region: string;
  keyring: RegionKeyring;
  platformWriter: string | undefined;
  db: Database;
  /** This region's bus: the invalidation events its data planes already listen to. */
  bus: Pick<Bus, 'publish'>;
  onPublishError?: (error: unknown) => void;
}

export function createConfigReceiver(options: ConfigReceiverOptions): ConfigReceiver {
  const counts: Record<ConfigReceiveOutcome, number> = { applied: 0, malformed: 0, unknown_key: 0, bad_signature: 0, own_region: 0, wrong_peer: 0, replayed_or_stale: 0 };
  const refusedOps: Partial<Record<ConfigRefusal, number>> = {};
  const count = (outcome: ConfigReceiveOutcome): ConfigReceiveOutcome => {
    counts[outcome] += 1;
    return outcome;
  };
  return {
    async receive(signed, from) {
      const verified = verifyConfigDelta(options.keyring, signed);
      if (!verified.ok) return count(verified.reason);
      const delta = verified.delta;
      if (delta.region === options.region) return count('own_region');
      if (delta.region !== from) return count('wrong_peer');
      const result = await applyConfigDelta(options.db, delta, { platformWriter: options.platformWriter });
      if (result.outcome !== 'applied') return count(result.outcome);
      for (const [reason, n] of Object.entries(result.refused) as Array<[ConfigRefusal, number]>) refusedOps[reason] = (refusedOps[reason] ?? 0) + n;
      // After the commit: a data plane that reloads on the message must find the new rows. A lost
      // message heals by the caches' own bounds (keys ≤ 1 s, routes' periodic resync).
      for (const { channel, message } of result.invalidations) {
        await options.bus.publish(channel, message).catch((error: unknown) => options.onPublishError?.(error));
      }
      return count('applied');
    },
    counts: () => ({ ...counts }),
    refusedOps: () => ({ ...refusedOps }),
  };
}
