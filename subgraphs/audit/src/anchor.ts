import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Checkpoint } from '@switchyard/ledger';
import type { AuditStore } from './audit-store';

/**
 * Where signed tree heads are published so a rewrite of the log cannot go unnoticed: the
 * database, a witness file outside it, or an HTTP witness; `verify` reads all of them.
 */
export interface CheckpointAnchor {
  readonly name: string;
  publish(checkpoint: Checkpoint): Promise<void>;
}

export function databaseAnchor(store: AuditStore): CheckpointAnchor {
  return {
    name: 'database',
    async publish(checkpoint) {
      await store.saveCheckpoint(checkpoint);
    },
  };
}

/** One JSON line per checkpoint, appended (a witness or a log shipper tails the file); `audit verify` reads it. */
export function witnessFileAnchor(filePath: string): CheckpointAnchor {
  return {
    name: `witness-file:${filePath}`,
    async publish(checkpoint) {
      await mkdir(path.dirname(filePath), { recursive: true });
      await appendFile(filePath, `${JSON.stringify(checkpoint)}\n`, 'utf8');
    },
  };
}

/**
 * POSTs each checkpoint as JSON to a witness endpoint; a non-2xx answer is a failure. `audit verify`
 * reads the witness back with GET on the same URL (witness-read.ts readHttpWitness).
 */
export function httpWitnessAnchor(url: string, fetchImpl: typeof fetch = fetch): CheckpointAnchor {
  return {
    name: `witness-http:${url}`,
    async publish(checkpoint) {
      const response = await fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(checkpoint) });
      if (!response.ok) throw new Error(`witness ${url} answered ${response.status}`);
    },
  };
}
