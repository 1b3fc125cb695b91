import { readFile } from 'node:fs/promises';
import type { Checkpoint, WitnessCheckpoints } from '@switchyard/ledger';
import { z } from 'zod';

/** What `verify` reads back from one witness: its checkpoints, and what it could not parse. */
export interface WitnessReading extends WitnessCheckpoints {
  /** False when the witness has nothing yet (no file). */
  present: boolean;
  /** Lines (file) or items (HTTP) that are not checkpoints at all. */
  unreadable: number;
}

/** A configured witness that cannot be read: verification cannot be completed (exit 2, not "ok"). */
export class WitnessUnavailableError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`cannot read witness ${source}: ${reason}`);
    this.name = 'WitnessUnavailableError';
  }
}

const checkpointSchema = z.object({
  logId: z.string(),
  treeSize: z.number().int().positive(),
  rootHash: z.string(),
  issuedAt: z.string(),
  signature: z.string(),
});

function parseCheckpoints(items: readonly unknown[]): { checkpoints: Checkpoint[]; unreadable: number } {
  const checkpoints: Checkpoint[] = [];
  let unreadable = 0;
  for (const item of items) {
    const parsed = checkpointSchema.safeParse(item);
    if (parsed.success) {
      const { logId, treeSize, rootHash, issuedAt, signature } = parsed.data;
      checkpoints.push({ logId, treeSize, rootHash, issuedAt, signature });
    } else unreadable += 1;
  }
  return { checkpoints, unreadable };
}

/** The witness file the ledger appends one JSON checkpoint per line to (anchor.ts witnessFileAnchor). */
export async function readWitnessFile(filePath: string): Promise<WitnessReading> {
  const source = `witness-file:${filePath}`;
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { source, checkpoints: [], present: false, unreadable: 0 };
    throw new WitnessUnavailableError(source, error instanceof Error ? error.message : String(error));
  }
  const items = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): unknown => {
      try {
        return JSON.parse(line);
      } catch {
        return null;
      }
    });
  return { source, present: true, ...parseCheckpoints(items) };
}

const httpAnswerSchema = z.union([z.array(z.unknown()), z.object({ checkpoints: z.array(z.unknown()) }), z.record(z.string(), z.unknown())]);

/**
 * An HTTP witness (the one checkpoints are POSTed to, anchor.ts httpWitnessAnchor) read with GET on
 * the same URL. It may answer a JSON array of checkpoints, `{checkpoints: [...]}`, or the newest
 * checkpoint alone. Any failure to read it is a WitnessUnavailableError.
 */
export async function readHttpWitness(url: string, fetchImpl: typeof fetch = fetch, timeoutMs = 10_000): Promise<WitnessReading> {
  const source = `witness-http:${url}`;
  let body: unknown;
  try {
    const response = await fetchImpl(url, { method: 'GET', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`answered ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new WitnessUnavailableError(source, error instanceof Error ? error.message : String(error));
  }
  const answer = httpAnswerSchema.safeParse(body);
  if (!answer.success) throw new WitnessUnavailableError(source, 'the answer is not a checkpoint, a list of checkpoints or {checkpoints: [...]}');
  const items = Array.isArray(answer.data) ? answer.data : 'checkpoints' in answer.data && Array.isArray(answer.data.checkpoints) ? answer.data.checkpoints : [answer.data];
  return { source, present: items.length > 0, ...parseCheckpoints(items) };
}
