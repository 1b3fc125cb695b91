import type { KeyObject } from 'node:crypto';
import { verifyAuditLog, type LogVerification } from '@switchyard/ledger';
import { nodeAuditLogVerifier } from '@switchyard/ledger/node';
import type { AuditStore } from './audit-store';
import { entryMacFunction } from './entry-mac';
import { readWholeLog } from './read-whole-log';
import { readHttpWitness, readWitnessFile, type WitnessReading } from './witness-read';

export interface VerifyStoredLogOptions {
  /** The subject HMAC key of the log's keys: entry MACs (leaf v2) are checked with the key derived from it. */
  subjectHmacKey?: Uint8Array | undefined;
  /** `<data dir>/audit-witness.jsonl` (or AUDIT_WITNESS_FILE): read when given. */
  witnessFile?: string | undefined;
  /** AUDIT_WITNESS_URL: read with GET when given; unreadable is an error (WitnessUnavailableError). */
  witnessUrl?: string | undefined;
  fetchImpl?: typeof fetch;
  progress?: (line: string) => void;
}

export interface VerifyOutcome {
  verification: LogVerification;
  entries: number;
  checkpoints: number;
  /** True when no witness holds a valid checkpoint of a non-empty log. */
  unwitnessed: boolean;
  /** The first line `audit verify` prints: `ok: …` or `bad entry <seq>: <problem>: …`. */
  summary: string;
  /** Every line `audit verify` prints (the summary, then coverage, warnings and what to do). */
  lines: string[];
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * Reads the whole log and the witnesses and checks every entry (recomputed from its stored
 * fields), every checkpoint in the database and every checkpoint a witness holds (see
 * verifyAuditLog). A log no witness vouches for verifies (exit 0) but is reported UNWITNESSED:
 * the database alone then holds the evidence against a rewrite, so someone able to write to it
 * could rewrite or truncate the log and delete the checkpoints with it, undetected.
 */
export async function verifyStoredLog(store: AuditStore, publicKey: KeyObject, options: VerifyStoredLogOptions = {}): Promise<VerifyOutcome> {
  const progress = options.progress ?? (() => undefined);
  const { entries, checkpoints } = await readWholeLog(store, (read) => {
    if (read > 0 && read % 100_000 === 0) progress(`read ${read} entries`);
  });
  const witnesses: WitnessReading[] = [];
  if (options.witnessFile !== undefined) witnesses.push(await readWitnessFile(options.witnessFile));
  if (options.witnessUrl !== undefined) witnesses.push(await readHttpWitness(options.witnessUrl, options.fetchImpl));
  progress(
    `read ${entries.length} entries, ${checkpoints.length} checkpoints and ${witnesses.reduce((sum, witness) => sum + witness.checkpoints.length, 0)} witnessed checkpoints; verifying`,
  );
  const verification = verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(publicKey), {
    onProgress: (checked) => progress(`verified ${checked} entries`),
    witnesses,
    ...(options.subjectHmacKey ? { entryMac: entryMacFunction(options.subjectHmacKey) } : {}),
  });

  const lines: string[] = [];
  const looked = witnesses.length === 0 ? 'no witness is configured' : `looked in ${witnesses.map((witness) => `${witness.source}${witness.present ? '' : ' (absent)'}`).join(', ')}`;
  let unwitnessed = false;
  if (verification.ok) {
    const { witness } = verification;
    lines.push(`ok: ${plural(verification.size, 'entry', 'entries')}, ${plural(verification.checkpointsVerified, 'checkpoint')} in the database`);
    unwitnessed = verification.size > 0 && witness.witnessedCheckpoints === 0;
    if (unwitnessed) {
      lines.push(
        `warning: UNWITNESSED: no witness holds a checkpoint of this log (${looked}). Only the database vouches for it: ` +
          `someone able to write to the database could rewrite or truncate the log and delete its checkpoints, and verify would not notice. ` +
          `Keep the witness file (or AUDIT_WITNESS_URL) where the database's writers cannot reach it and point verify at it.`,
      );
    } else if (verification.size > 0) {
      lines.push(
        `witnessed: entries 0..${witness.witnessedSize - 1} match ${plural(witness.witnessedCheckpoints, 'witnessed checkpoint')} (${witnesses.filter((w) => w.checkpoints.length > 0).map((w) => w.source).join(', ')})`,
      );
      lines.push(
        witness.uncovered === 0
          ? 'not yet covered: 0 entries'
          : `not yet covered: ${plural(witness.uncovered, 'entry', 'entries')} (${witness.witnessedSize}..${verification.size - 1}) after the last witnessed checkpoint; the next checkpoint covers them`,
      );
    }
  } else {
    const where = verification.firstBadSeq === null ? 'bad log' : `bad entry ${verification.firstBadSeq}`;
    lines.push(`${where}: ${verification.problem}: ${verification.message}`);
    lines.push(
      'what to do: treat the log as tampered from there on; restore audit_entries and audit_checkpoints from a backup taken before the change and find out who could write to the database',
    );
  }
  for (const witness of witnesses) {
    if (witness.unreadable > 0) lines.push(`warning: ${witness.source}: ${plural(witness.unreadable, 'line')} that are not checkpoints (ignored)`);
  }
  if (verification.ok && verification.witness.ignored.length > 0) {
    lines.push(`warning: ${plural(verification.witness.ignored.length, 'witnessed checkpoint')} with a signature that does not verify under this log's key (ignored; another log's, or forged)`);
  }
  return { verification, entries: entries.length, checkpoints: checkpoints.length, unwitnessed, summary: lines[0] as string, lines };
}
