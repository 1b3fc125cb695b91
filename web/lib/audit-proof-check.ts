import { verifyCheckpointSignatureInBrowser } from './checkpoint-browser';
import { verifyInclusionInBrowser } from './merkle-browser';
import type { AuditCheckpoint, AuditInclusionProof } from './operations';

/** What the Verify button asks the server for; callConsoleApi in the page, fakes in tests. */
export interface ProofSource {
  latestCheckpoint(): Promise<{ ok: true; checkpoint: AuditCheckpoint | null } | { ok: false; message: string }>;
  /** treeSize null: the server's current tree head. */
  inclusionProof(seq: number, treeSize: number | null): Promise<{ ok: true; proof: AuditInclusionProof } | { ok: false; message: string }>;
}

/** Against a signed checkpoint, or (explicitly chosen) against the server's current, unsigned tree head. */
export type ProofAnchor = 'checkpoint' | 'current-head';

export type ProofCheck =
  | {
      state: 'verified' | 'failed';
      anchor: ProofAnchor;
      reason: string | null;
      /** Which check failed: the checkpoint's Ed25519 signature, or the inclusion proof itself. */
      failedPart: 'signature' | 'proof' | null;
      /** True only when the checkpoint's signature was checked and is valid; null against the (unsigned) current head. */
      signatureVerified: boolean | null;
      leafHash: string;
      pathLength: number;
      rootHash: string;
      treeSize: number;
      checkpoint: AuditCheckpoint | null;
    }
  /** The entry was appended after the latest checkpoint: only the current head can cover it yet. */
  | { state: 'not-covered'; checkpoint: AuditCheckpoint | null }
  | { state: 'error'; message: string };

/**
 * Proves one entry's inclusion in the browser. With anchor 'checkpoint' the proof is requested for
 * the checkpoint's tree size and its root must equal the checkpoint's root: the server cannot
 * answer with a proof for some other tree, and the checkpoint's Ed25519 signature must verify with the
 * log's published key. The hashing and the signature check run here (verifyInclusionInBrowser,
 * verifyCheckpointSignatureInBrowser).
 * `expectedLeafHash` is the leaf hash the table showed: a proof for another leaf fails.
 */
export async function checkEntryInclusion(source: ProofSource, entry: { seq: number; leafHash: string }, anchor: ProofAnchor): Promise<ProofCheck> {
  const latest = await source.latestCheckpoint();
  if (!latest.ok) return { state: 'error', message: latest.message };
  const checkpoint = latest.checkpoint;
  const covered = checkpoint !== null && entry.seq < checkpoint.treeSize;
  if (anchor === 'checkpoint' && !covered) return { state: 'not-covered', checkpoint };

  const treeSize = anchor === 'checkpoint' && checkpoint ? checkpoint.treeSize : null;
  const answer = await source.inclusionProof(entry.seq, treeSize);
  if (!answer.ok) return { state: 'error', message: answer.message };
  const { proof } = answer;
  const details = {
    anchor,
    leafHash: proof.leafHash,
    pathLength: proof.path.length,
    rootHash: proof.rootHash,
    treeSize: proof.treeSize,
    checkpoint: anchor === 'checkpoint' ? checkpoint : null,
  };
  const fail = (reason: string, failedPart: 'signature' | 'proof' = 'proof', signatureVerified: boolean | null = null): ProofCheck => ({ state: 'failed', reason, failedPart, signatureVerified, ...details });

  // The root is only as trustworthy as the signature over it: check that first.
  let signatureVerified: boolean | null = null;
  if (anchor === 'checkpoint' && checkpoint) {
    signatureVerified = await verifyCheckpointSignatureInBrowser(checkpoint);
    if (!signatureVerified) return fail("The checkpoint's Ed25519 signature does not verify with the log's public key.", 'signature', false);
  }
  const failProof = (reason: string): ProofCheck => fail(reason, 'proof', signatureVerified);
  if (proof.seq !== entry.seq) return failProof(`The proof is for entry ${proof.seq}, not ${entry.seq}.`);
  if (proof.leafHash.toLowerCase() !== entry.leafHash.toLowerCase()) return failProof("The proof's leaf hash differs from the entry's leaf hash.");
  if (anchor === 'checkpoint' && checkpoint) {
    if (proof.treeSize !== checkpoint.treeSize) return failProof(`The proof is for a tree of ${proof.treeSize} entries, the checkpoint covers ${checkpoint.treeSize}.`);
    if (proof.rootHash.toLowerCase() !== checkpoint.rootHash.toLowerCase()) return failProof("The proof's root differs from the checkpoint's root.");
  }
  const valid = await verifyInclusionInBrowser(proof.leafHash, entry.seq, proof.treeSize, proof.path, proof.rootHash);
  return valid ? { state: 'verified', reason: null, failedPart: null, signatureVerified, ...details } : failProof('The path does not hash to the root.');
}
