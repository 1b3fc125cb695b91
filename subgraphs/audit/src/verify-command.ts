import type { KeyObject } from 'node:crypto';
import { verifyAuditLog, type LogVerification } from '@switchyard/ledger';
import { nodeAuditLogVerifier } from '@switchyard/ledger/node';
import type { AuditStore } from './audit-store';
import { readWholeLog } from './read-whole-log';

export interface VerifyOutcome {
  verification: LogVerification;
  entries: number;
  checkpoints: number;
  /** The one line `audit verify` prints. */
  summary: string;
}

/** Reads the whole log and checks every link, every entry hash and every checkpoint. */
export async function verifyStoredLog(store: AuditStore, publicKey: KeyObject, progress: (line: string) => void = () => undefined): Promise<VerifyOutcome> {
  const { entries, checkpoints } = await readWholeLog(store, (read) => {
    if (read > 0 && read % 100_000 === 0) progress(`read ${read} entries`);
  });
  progress(`read ${entries.length} entries and ${checkpoints.length} checkpoints; verifying`);
  const verification = verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(publicKey), { onProgress: (checked) => progress(`verified ${checked} entries`) });
  const summary = verification.ok
    ? `ok: ${verification.size} entries, ${verification.checkpointsVerified} checkpoints`
    : `bad entry ${verification.firstBadSeq}: ${verification.problem}: ${verification.message}`;
  return { verification, entries: entries.length, checkpoints: checkpoints.length, summary };
}
