import type { Checkpoint } from '@switchyard/ledger';
import { z } from 'zod';

/**
 * What a region's ledger POSTs (subgraphs/audit anchor.ts httpWitnessAnchor): the signed checkpoint's
 * fields, and, when the witness already holds an older size, an RFC 9162 consistency proof from it.
 */
export const submissionSchema = z.object({
  logId: z.string().min(1).max(200),
  treeSize: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 root in lower-case hex'),
  issuedAt: z.iso.datetime(),
  signature: z.string().min(1).max(200),
  consistency: z
    .object({
      fromSize: z.number().int().positive(),
      /** At most 2·log2(2^53) hashes: a longer proof is not a proof. */
      proof: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(128),
    })
    .optional(),
});

export type Submission = z.output<typeof submissionSchema>;

export function checkpointOf(submission: Submission): Checkpoint {
  const { logId, treeSize, rootHash, issuedAt, signature } = submission;
  return { logId, treeSize, rootHash, issuedAt, signature };
}
