import type { SignedDelta } from './delta';
import type { FederatedStats } from './merge';
import { verifyDelta, type RegionKeyring, type VerifyFailure } from './signing';

export type ReceiveOutcome = 'applied' | VerifyFailure | 'own_region' | 'replayed_or_stale';

/**
 * Verify, then merge: the only way a delta reaches the stats. A forged, tampered, mis-attributed,
 * replayed or stale delta changes nothing and is counted by reason.
 */
export interface FederationReceiver {
  receive(signed: SignedDelta): ReceiveOutcome;
  counts(): Readonly<Record<ReceiveOutcome, number>>;
}

export function createFederationReceiver(keyring: RegionKeyring, stats: FederatedStats): FederationReceiver {
  const counts: Record<ReceiveOutcome, number> = { applied: 0, malformed: 0, unknown_key: 0, bad_signature: 0, own_region: 0, replayed_or_stale: 0 };
  return {
    receive(signed) {
      const verified = verifyDelta(keyring, signed);
      const outcome: ReceiveOutcome = verified.ok ? (() => {
        const result = stats.apply(verified.delta);
        return result.applied ? 'applied' : result.reason;
      })() : verified.reason;
      counts[outcome] += 1;
      return outcome;
    },
    counts: () => ({ ...counts }),
  };
}
