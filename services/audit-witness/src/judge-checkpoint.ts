import type { Checkpoint } from '@switchyard/ledger';
import { verifyCheckpointSignature, verifyConsistency } from '@switchyard/ledger/node';
import type { KeyObject } from 'node:crypto';
import type { Submission } from './submission';
import { WitnessRefusal } from './witness-errors';

/** One region as the witness knows it: the log id its ledger signs and the keys it may sign with (two during a rotation). */
export interface WitnessRegion {
  name: string;
  logId: string;
  publicKeys: readonly KeyObject[];
}

/** What the witness holds of the region, as far as one submission needs it. */
export interface WitnessedState {
  /** The newest (largest) witnessed checkpoint; null before the first. */
  latest: Checkpoint | null;
  /** The witnessed checkpoint of the submission's size, if any. */
  sameSize: Checkpoint | null;
}

export type Judgement = { store: true } | { store: false; reason: 'duplicate' };

/**
 * Whether the witness takes a region's checkpoint (pure but for the signature check): signed by one
 * of the region's keys for the region's log; then, against what it holds: the same root at a held
 * size is a duplicate, a different one equivocation; below the newest size and not held, a rollback;
 * above it, only with a consistency proof from the newest witnessed root (RFC 9162 §2.1.4), else a
 * fork. The first checkpoint of a region is taken on trust (nothing to be consistent with).
 */
export function judgeCheckpoint(region: WitnessRegion, submission: Submission, checkpoint: Checkpoint, held: WitnessedState): Judgement {
  if (checkpoint.logId !== region.logId) throw new WitnessRefusal('checkpoint_wrong_log', `checkpoint of log "${checkpoint.logId}", but region ${region.name} signs log "${region.logId}"`);
  if (!region.publicKeys.some((key) => verifyCheckpointSignature(checkpoint, key))) {
    throw new WitnessRefusal('checkpoint_signature_invalid', `the checkpoint's signature does not verify under any key of region ${region.name}`);
  }
  if (held.sameSize) {
    if (held.sameSize.rootHash === checkpoint.rootHash) return { store: false, reason: 'duplicate' };
    throw new WitnessRefusal('checkpoint_equivocation', `region ${region.name} already signed size ${checkpoint.treeSize} with root ${held.sameSize.rootHash}; this one has root ${checkpoint.rootHash}`);
  }
  const latest = held.latest;
  if (!latest) return { store: true };
  if (checkpoint.treeSize < latest.treeSize) {
    throw new WitnessRefusal('checkpoint_rollback', `region ${region.name}'s log was witnessed at size ${latest.treeSize}; a new checkpoint at size ${checkpoint.treeSize} means it was rolled back`);
  }
  const consistency = submission.consistency;
  if (!consistency || consistency.fromSize !== latest.treeSize) {
    throw new WitnessRefusal('consistency_proof_required', `send a consistency proof from size ${latest.treeSize}, the newest size witnessed for region ${region.name}`, { latestTreeSize: latest.treeSize });
  }
  const proof = consistency.proof.map((hash) => Buffer.from(hash, 'hex'));
  if (!verifyConsistency(latest.treeSize, checkpoint.treeSize, Buffer.from(latest.rootHash, 'hex'), Buffer.from(checkpoint.rootHash, 'hex'), proof)) {
    throw new WitnessRefusal('checkpoint_fork', `region ${region.name}'s log at size ${checkpoint.treeSize} does not extend the one witnessed at size ${latest.treeSize}: it was rewritten`);
  }
  return { store: true };
}
