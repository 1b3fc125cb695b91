import { bytesToHex, type Hasher } from '../hasher';
import { createMerkle } from '../merkle';
import { auditLeafBytes, createAuditChain, GENESIS_HASH, type ChainedAuditEntry } from './audit-entry';
import type { Checkpoint } from './checkpoint';
import { LeafHashTree } from './leaf-hash-tree';

export type LogProblem =
  | 'gap'
  | 'duplicate-or-reordered'
  | 'broken-link'
  | 'entry-hash-mismatch'
  | 'checkpoint-signature-invalid'
  | 'checkpoint-root-mismatch'
  | 'checkpoint-beyond-log';

export type LogVerification =
  | { ok: true; size: number; checkpointsVerified: number }
  | {
      ok: false;
      problem: LogProblem;
      /** The first entry (by position) that cannot be trusted. */
      firstBadSeq: number;
      message: string;
    };

/** What the verification needs from its environment: SHA-256 and the log's signature check. */
export interface AuditLogVerifier {
  hasher: Hasher;
  /** True when the checkpoint's signature is valid under the log's public key. */
  checkpointSignatureValid(checkpoint: Checkpoint): boolean;
}

/**
 * Verifies a whole log offline: every position present once and in order, every chain link,
 * every entry hash recomputed from its fields, and every signed checkpoint's root recomputed
 * from the leaves. An edit that also rewrote the chain is caught by the first checkpoint whose
 * root no longer matches; the first untrusted entry is then the first one after the last checkpoint
 * that still matches (checkpoint granularity is the best any verifier can do against a rewrite).
 */
export interface VerifyAuditLogOptions {
  /** Called every `progressEvery` entries (default 100,000) with how many were checked. */
  onProgress?: (checkedEntries: number) => void;
  progressEvery?: number;
}

export function verifyAuditLog(
  entries: readonly ChainedAuditEntry[],
  checkpoints: readonly Checkpoint[],
  verifier: AuditLogVerifier,
  options: VerifyAuditLogOptions = {},
): LogVerification {
  const progressEvery = options.progressEvery ?? 100_000;
  const { leafHash } = createMerkle(verifier.hasher);
  const { chainHashOfLeaf } = createAuditChain(verifier.hasher);
  let prevHash = GENESIS_HASH;
  // Caches complete subtrees, so each checkpoint's root costs O(log² n), not O(n).
  const tree = new LeafHashTree(verifier.hasher);
  for (let position = 0; position < entries.length; position += 1) {
    const entry = entries[position] as ChainedAuditEntry;
    if (entry.seq !== position) {
      const problem: LogProblem = entry.seq > position ? 'gap' : 'duplicate-or-reordered';
      return { ok: false, problem, firstBadSeq: position, message: `expected entry ${position}, found entry ${entry.seq}` };
    }
    if (entry.prevHash !== prevHash) {
      return { ok: false, problem: 'broken-link', firstBadSeq: position, message: `entry ${position} does not link to entry ${position - 1}` };
    }
    const leaf = leafHash(auditLeafBytes(entry));
    if (chainHashOfLeaf(prevHash, leaf) !== entry.entryHash) {
      return { ok: false, problem: 'entry-hash-mismatch', firstBadSeq: position, message: `entry ${position} was altered: its fields do not hash to its stored hash` };
    }
    prevHash = entry.entryHash;
    tree.append(leaf);
    if (options.onProgress && (position + 1) % progressEvery === 0) options.onProgress(position + 1);
  }

  const ordered = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize);
  let lastGoodSize = 0;
  for (const checkpoint of ordered) {
    if (!verifier.checkpointSignatureValid(checkpoint)) {
      return { ok: false, problem: 'checkpoint-signature-invalid', firstBadSeq: lastGoodSize, message: `checkpoint at size ${checkpoint.treeSize} has an invalid signature` };
    }
    if (checkpoint.treeSize > tree.size) {
      return {
        ok: false,
        problem: 'checkpoint-beyond-log',
        firstBadSeq: tree.size,
        message: `a checkpoint signed size ${checkpoint.treeSize} but the log holds ${tree.size} entries: entries were deleted from the end`,
      };
    }
    const root = bytesToHex(tree.root(checkpoint.treeSize));
    if (root !== checkpoint.rootHash) {
      return {
        ok: false,
        problem: 'checkpoint-root-mismatch',
        firstBadSeq: lastGoodSize,
        message: `entries ${lastGoodSize}..${checkpoint.treeSize - 1} do not match the checkpoint signed at size ${checkpoint.treeSize} (the chain was rewritten)`,
      };
    }
    lastGoodSize = checkpoint.treeSize;
  }
  return { ok: true, size: entries.length, checkpointsVerified: ordered.length };
}
