import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Checkpoint } from '@switchyard/ledger';
import { z } from 'zod';
import type { AuditStore } from './audit-store';

/**
 * Where signed tree heads are published so a rewrite of the log cannot go unnoticed: the
 * database, a witness file outside it, or an HTTP witness; `verify` reads all of them.
 */
export interface CheckpointAnchor {
  readonly name: string;
  publish(checkpoint: Checkpoint, log?: CheckpointedLog): Promise<void>;
}

/** What the ledger offers an anchor beside the checkpoint: the log it signed, to prove it extends an older size. */
export interface CheckpointedLog {
  /** RFC 9162 consistency proof (hex hashes) from `fromSize` to the checkpoint's size. */
  consistencyProof(fromSize: number): string[];
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

const witnessRefusalSchema = z.object({ error: z.object({ code: z.string().max(100), latestTreeSize: z.number().int().positive().optional() }) });

async function refusalOf(response: Response): Promise<{ code: string; latestTreeSize?: number | undefined } | undefined> {
  const refusal = witnessRefusalSchema.safeParse(await response.json().catch(() => null));
  return refusal.success ? refusal.data.error : undefined;
}

/**
 * POSTs each checkpoint as JSON to a witness endpoint; a non-2xx answer is a failure. `audit verify`
 * reads the witness back with GET on the same URL (witness-read.ts readHttpWitness). A witness that
 * checks consistency (the central one, @switchyard/audit-witness) needs a proof from the newest size it
 * holds: the anchor sends one from the size it last had accepted, and when the witness names another
 * size (`consistency_proof_required`: another replica anchored meanwhile, or this process restarted),
 * once more from that size.
 */
export function httpWitnessAnchor(url: string, fetchImpl: typeof fetch = fetch): CheckpointAnchor {
  let acceptedSize: number | undefined;
  const post = (body: unknown) => fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const withProof = (checkpoint: Checkpoint, log: CheckpointedLog | undefined, fromSize: number | undefined) =>
    log && fromSize !== undefined && fromSize > 0 && fromSize < checkpoint.treeSize ? { ...checkpoint, consistency: { fromSize, proof: log.consistencyProof(fromSize) } } : checkpoint;
  return {
    name: `witness-http:${url}`,
    async publish(checkpoint, log) {
      let response = await post(withProof(checkpoint, log, acceptedSize));
      let refusal = response.ok ? undefined : await refusalOf(response);
      if (refusal?.code === 'consistency_proof_required' && log && refusal.latestTreeSize !== undefined && refusal.latestTreeSize < checkpoint.treeSize) {
        response = await post(withProof(checkpoint, log, refusal.latestTreeSize));
        refusal = response.ok ? undefined : await refusalOf(response);
      }
      // The witness's code (checkpoint_fork, checkpoint_rollback, …) says what the log did wrong.
      if (!response.ok) throw new Error(`witness ${url} answered ${response.status}${refusal ? ` ${refusal.code}` : ''}`);
      acceptedSize = checkpoint.treeSize;
    },
  };
}
