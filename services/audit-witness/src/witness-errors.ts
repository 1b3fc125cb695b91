/**
 * The witness's refusals, each a stable `code` in the JSON answer (`{ error: { code, message } }`)
 * with one HTTP status. Listed in docs/OPERATIONS.md ("Central audit witness").
 */
export const WITNESS_ERRORS = {
  /** The body is not a checkpoint (or not JSON, or larger than the limit). */
  malformed_checkpoint: 400,
  payload_too_large: 413,
  /** No region of that name is configured. */
  unknown_region: 404,
  /** Not signed by any of the region's configured keys: another region's, a retired key's, or forged. */
  checkpoint_signature_invalid: 403,
  /** Signed for a log id that is not the region's: another region's log. */
  checkpoint_wrong_log: 403,
  /** The witness already holds a different root at this size: the log told two stories. */
  checkpoint_equivocation: 409,
  /** Smaller than the newest witnessed size and not one the witness holds: the log was rolled back (or forked below it). */
  checkpoint_rollback: 409,
  /** Larger than the newest witnessed size: a consistency proof from that size must come with it (the answer names the size). */
  consistency_proof_required: 409,
  /** The consistency proof does not lead from the newest witnessed root to this one: the log was rewritten. */
  checkpoint_fork: 409,
  method_not_allowed: 405,
  not_found: 404,
} as const;

export type WitnessErrorCode = keyof typeof WITNESS_ERRORS;

export class WitnessRefusal extends Error {
  constructor(
    readonly code: WitnessErrorCode,
    message: string,
    /** Extra fields of the answer (consistency_proof_required: `latestTreeSize`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'WitnessRefusal';
  }

  get status(): number {
    return WITNESS_ERRORS[this.code];
  }
}
