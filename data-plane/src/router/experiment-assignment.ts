import { createHash } from 'node:crypto';
import type { RouteExperiment } from './route';

export type Arm = 'champion' | 'challenger';

/** What a request offers as assignment units; the experiment picks one. */
export interface AssignmentUnits {
  /** The OpenAI `user` field (the client's end user), when sent. */
  endUser?: string | undefined;
  /** The authenticated caller: an API key id, or `user:<sub>`. */
  caller: string;
  /** The `x-switchyard-session` header, when sent. */
  session?: string | undefined;
}

/** The unit's value; a missing end user or session falls back to the caller, so assignment stays sticky per caller. */
export function unitValue(unit: RouteExperiment['unit'], units: AssignmentUnits): string {
  if (unit === 'user') return units.endUser ? `user:${units.endUser}` : `caller:${units.caller}`;
  if (unit === 'session') return units.session ? `session:${units.session}` : `caller:${units.caller}`;
  return `caller:${units.caller}`;
}

/**
 * Sticky split: the same unit always lands in the same arm of one experiment (a hash of the
 * experiment id and the unit, uniform over [0, 100)), and different experiments assign
 * independently. SHA-256 rather than a fast non-cryptographic hash: units are client-chosen, and
 * a client must not be able to steer itself into an arm by picking a value.
 */
export function assignArm(experimentId: string, percent: number, unit: string): Arm {
  const digest = createHash('sha256').update(experimentId).update('\u0000').update(unit).digest();
  const bucket = (digest.readUInt32BE(0) / 4_294_967_296) * 100;
  return bucket < percent ? 'challenger' : 'champion';
}
