import { bytesToHex, hexToBytes, type Hasher } from '../hasher';
import { createMerkle } from '../merkle';
import { auditEntryMacMessage, auditLeafBytes, createAuditChain, GENESIS_HASH, type AuditLeafVersion, type ChainedAuditEntry } from './audit-entry';
import type { Checkpoint } from './checkpoint';
import { LeafHashTree } from './leaf-hash-tree';

export type LogProblem =
  | 'gap'
  | 'duplicate-or-reordered'
  | 'broken-link'
  | 'leaf-version-invalid'
  | 'entry-hash-mismatch'
  | 'leaf-hash-mismatch'
  | 'entry-mac-invalid'
  | 'payload-digest-mismatch'
  | 'checkpoint-signature-invalid'
  | 'checkpoint-root-mismatch'
  | 'checkpoint-beyond-log'
  | 'witnessed-checkpoint-beyond-log'
  | 'witnessed-checkpoint-inconsistent'
  | 'checkpoint-missing'
  | 'wrong-keys';

/** An entry as stored: the chained fields plus what the store keeps beside them. */
export interface VerifiableAuditEntry extends ChainedAuditEntry {
  /** The stored RFC 9162 leaf hash (hex) that inclusion proofs serve; must equal the recomputed one. */
  leafHash?: string;
  /** The stored ciphertext (null once retention dropped it); its SHA-256 must equal payloadDigest. */
  payloadCiphertext?: Uint8Array | null;
  /** Leaf v2 on: the appender's MAC (hex) of auditEntryMacMessage; checked when the verifier has the key. */
  entryMac?: string | null;
}

/** The checkpoints one witness (a file, an HTTP endpoint) holds, as read at verification time. */
export interface WitnessCheckpoints {
  /** Where they were read, for messages (e.g. `witness-file:/data/audit-witness.jsonl`). */
  source: string;
  checkpoints: readonly Checkpoint[];
}

export interface WitnessCoverage {
  /** Witness checkpoints whose signature verified (and therefore were checked against the log). */
  witnessedCheckpoints: number;
  /** The largest tree size any witness holds a valid checkpoint for (0: none). */
  witnessedSize: number;
  /** Entries after the last witnessed checkpoint: not protected against a rewrite yet. */
  uncovered: number;
  /** Witness lines whose signature does not verify under the log's key (ignored: they prove nothing). */
  ignored: Array<{ source: string; treeSize: number }>;
}

export type LogVerification =
  | { ok: true; size: number; checkpointsVerified: number; witness: WitnessCoverage }
  | {
      ok: false;
      problem: LogProblem;
      /**
       * The first entry (by position) that was changed, deleted or inserted; after a rewrite that
       * only a checkpoint exposes, the first entry after the last checkpoint that still matches
       * (the changed entry is in the range the message names). Null when no entry was changed
       * (checkpoints alone were deleted).
       */
      firstBadSeq: number | null;
      message: string;
    };

/** What the verification needs from its environment: SHA-256 and the log's signature check. */
export interface AuditLogVerifier {
  hasher: Hasher;
  /** True when the checkpoint's signature is valid under the log's public key. */
  checkpointSignatureValid(checkpoint: Checkpoint): boolean;
}

export interface VerifyAuditLogOptions {
  /** Called every `progressEvery` entries (default 100,000) with how many were checked. */
  onProgress?: (checkedEntries: number) => void;
  progressEvery?: number;
  /** Checkpoints held outside the database (see WitnessCheckpoints). */
  witnesses?: readonly WitnessCheckpoints[];
  /**
   * The entry MAC under the log's MAC key (hex), when the verifier holds the key: every entry of
   * leaf version 2 or later must carry it. Without it, MACs are not checked.
   */
  entryMac?: (message: Uint8Array) => string;
}

interface SourcedCheckpoint {
  checkpoint: Checkpoint;
  source: string;
  witnessed: boolean;
}

const KNOWN_LEAF_VERSIONS: readonly number[] = [1, 2];

/**
 * Verifies a whole log offline:
 * 1. per entry: every position present once and in order, every chain link, the leaf recomputed
 *    from the stored fields under the entry's leaf version (never trusting a stored hash), the
 *    stored leaf hash equal to it (proofs serve it), the stored ciphertext's SHA-256 equal to the
 *    committed digest (unless retention dropped it);
 * 2. every signed checkpoint, from the database and from the witnesses, against the recomputed
 *    tree: a witness checkpoint through an RFC 9162 consistency proof from its size to the log's;
 *    a checkpoint larger than the log means the tail was deleted;
 * 3. every witnessed checkpoint also in the database (else checkpoints were deleted there).
 * An edit that also rewrote the chain (and the leaf hashes) of v1 entries, or without the MAC key,
 * is only exposed by the first checkpoint whose root no longer matches; the changed entry is then
 * somewhere after the last checkpoint that still matches, and that is the position reported.
 */
export function verifyAuditLog(
  entries: readonly VerifiableAuditEntry[],
  checkpoints: readonly Checkpoint[],
  verifier: AuditLogVerifier,
  options: VerifyAuditLogOptions = {},
): LogVerification {
  const progressEvery = options.progressEvery ?? 100_000;
  // Keys that are not the log's would make every MAC and signature fail: say so, rather than name
  // entry 0 as changed. (Checked up front only when there is a checkpoint to tell.)
  if (checkpoints.length > 0 && !checkpoints.some((checkpoint) => verifier.checkpointSignatureValid(checkpoint))) {
    return {
      ok: false,
      problem: 'wrong-keys',
      firstBadSeq: null,
      message: `none of the database's ${checkpoints.length} checkpoints verifies under the given public key: these are not this log's keys (check AUDIT_KEYS or <data dir>/audit-keys.json), or every checkpoint was forged`,
    };
  }
  const { leafHash, verifyConsistency } = createMerkle(verifier.hasher);
  const { chainHashOfLeaf, payloadDigest } = createAuditChain(verifier.hasher);
  let prevHash = GENESIS_HASH;
  let highestVersion: AuditLeafVersion = 1;
  // Caches complete subtrees, so each checkpoint's root costs O(log² n), not O(n).
  const tree = new LeafHashTree(verifier.hasher);
  for (let position = 0; position < entries.length; position += 1) {
    const entry = entries[position] as VerifiableAuditEntry;
    const bad = (problem: LogProblem, message: string): LogVerification => ({ ok: false, problem, firstBadSeq: position, message });
    if (entry.seq !== position) {
      const problem: LogProblem = entry.seq > position ? 'gap' : 'duplicate-or-reordered';
      return bad(problem, entry.seq > position ? `entry ${position} is missing (the next stored entry is ${entry.seq})` : `entry ${entry.seq} appears again at position ${position}`);
    }
    if (entry.prevHash !== prevHash) return bad('broken-link', `entry ${position} does not link to entry ${position - 1}`);
    const version = entry.leafVersion ?? 1;
    if (!KNOWN_LEAF_VERSIONS.includes(version)) return bad('leaf-version-invalid', `entry ${position} has unknown leaf version ${String(version)}`);
    if (version < highestVersion) return bad('leaf-version-invalid', `entry ${position} uses leaf version ${version} after an entry of version ${highestVersion} (a downgrade)`);
    highestVersion = version;
    let leaf: Uint8Array;
    try {
      leaf = leafHash(auditLeafBytes(entry));
    } catch {
      return bad('entry-hash-mismatch', `entry ${position} lacks fields its leaf version ${version} commits to`);
    }
    if (chainHashOfLeaf(prevHash, leaf) !== entry.entryHash) {
      return bad('entry-hash-mismatch', `entry ${position} was altered: its stored fields do not hash to its entry hash`);
    }
    if (entry.leafHash !== undefined && entry.leafHash !== bytesToHex(leaf)) {
      return bad('leaf-hash-mismatch', `entry ${position}'s stored leaf hash is not the hash of its fields (inclusion proofs would serve a false leaf)`);
    }
    if (options.entryMac) {
      const message = auditEntryMacMessage(entry);
      if (message !== null && entry.entryMac !== options.entryMac(message)) {
        return bad('entry-mac-invalid', `entry ${position} was changed: its fields do not match the MAC its appender wrote (the chain after it may have been rewritten to hide the change)`);
      }
    }
    if (entry.payloadCiphertext && payloadDigest(entry.payloadCiphertext) !== entry.payloadDigest) {
      return bad('payload-digest-mismatch', `entry ${position}'s payload ciphertext is not the one appended (its SHA-256 differs from the committed digest)`);
    }
    prevHash = entry.entryHash;
    tree.append(leaf);
    if (options.onProgress && (position + 1) % progressEvery === 0) options.onProgress(position + 1);
  }
  const size = tree.size;

  const all: SourcedCheckpoint[] = checkpoints.map((checkpoint) => ({ checkpoint, source: 'database', witnessed: false }));
  for (const checkpoint of all) {
    if (!verifier.checkpointSignatureValid(checkpoint.checkpoint)) {
      return { ok: false, problem: 'checkpoint-signature-invalid', firstBadSeq: null, message: `the database's checkpoint at size ${checkpoint.checkpoint.treeSize} has an invalid signature` };
    }
  }
  const ignored: WitnessCoverage['ignored'] = [];
  const witnessed: SourcedCheckpoint[] = [];
  for (const witness of options.witnesses ?? []) {
    for (const checkpoint of witness.checkpoints) {
      if (verifier.checkpointSignatureValid(checkpoint)) witnessed.push({ checkpoint, source: witness.source, witnessed: true });
      else ignored.push({ source: witness.source, treeSize: checkpoint.treeSize });
    }
  }
  all.push(...witnessed);
  // Witnessed before database at equal sizes: the witness is the stronger evidence to name.
  all.sort((a, b) => a.checkpoint.treeSize - b.checkpoint.treeSize || Number(b.witnessed) - Number(a.witnessed));

  const currentRoot = tree.root(size);
  let lastGoodSize = 0;
  for (const { checkpoint, source, witnessed: isWitnessed } of all) {
    const at = `${isWitnessed ? `witness ${source} holds` : 'the database holds'} a checkpoint signed at size ${checkpoint.treeSize}`;
    if (checkpoint.treeSize > size) {
      return {
        ok: false,
        problem: isWitnessed ? 'witnessed-checkpoint-beyond-log' : 'checkpoint-beyond-log',
        firstBadSeq: size,
        message: `${at}, but the log holds ${size} entries: entries ${size}..${checkpoint.treeSize - 1} were deleted from the end`,
      };
    }
    let consistent: boolean;
    if (isWitnessed) {
      // RFC 9162 §2.1.4: the log as stored must extend the tree the witness saw.
      let oldRoot: Uint8Array;
      try {
        oldRoot = hexToBytes(checkpoint.rootHash);
      } catch {
        oldRoot = new Uint8Array();
      }
      consistent = verifyConsistency(checkpoint.treeSize, size, oldRoot, currentRoot, tree.consistencyProof(checkpoint.treeSize, size));
    } else {
      consistent = bytesToHex(tree.root(checkpoint.treeSize)) === checkpoint.rootHash;
    }
    if (!consistent) {
      return {
        ok: false,
        problem: isWitnessed ? 'witnessed-checkpoint-inconsistent' : 'checkpoint-root-mismatch',
        firstBadSeq: lastGoodSize,
        message:
          `${at} that the log no longer matches: an entry in ${lastGoodSize}..${checkpoint.treeSize - 1} was changed and the chain rewritten to hide it ` +
          `(entries before ${lastGoodSize} match ${lastGoodSize === 0 ? 'nothing yet' : 'an earlier checkpoint'})`,
      };
    }
    lastGoodSize = Math.max(lastGoodSize, checkpoint.treeSize);
  }

  const inDatabase = new Set(checkpoints.map((checkpoint) => checkpoint.treeSize));
  const missing = witnessed.filter(({ checkpoint }) => !inDatabase.has(checkpoint.treeSize));
  if (missing.length > 0) {
    const sizes = [...new Set(missing.map(({ checkpoint }) => checkpoint.treeSize))].sort((a, b) => a - b);
    return {
      ok: false,
      problem: 'checkpoint-missing',
      firstBadSeq: null,
      message: `the database lacks ${sizes.length} checkpoint(s) that witness ${(missing[0] as SourcedCheckpoint).source} holds (sizes ${sizes.join(', ')}): checkpoints were deleted from the database; the entries still match them`,
    };
  }

  const witnessedSize = witnessed.reduce((max, { checkpoint }) => Math.max(max, checkpoint.treeSize), 0);
  return {
    ok: true,
    size,
    checkpointsVerified: checkpoints.length,
    witness: { witnessedCheckpoints: witnessed.length, witnessedSize, uncovered: size - witnessedSize, ignored },
  };
}
