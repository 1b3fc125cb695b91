import { z } from 'zod';

/**
 * What a region tells the others about the models it routes to: per (route, upstream), what its
 * data planes observed in one interval. Counts and sums, not rates, so a receiver weighs a delta by
 * how much traffic it stands for (ten requests move the estimate less than ten thousand).
 */

/** Region names as SWITCHYARD_REGION takes them (the same token as @switchyard/db's REGION_PATTERN). */
export const REGION_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Entries in one delta: a region with more (route, upstream) pairs sends several deltas. */
export const MAX_DELTA_ENTRIES = 2_000;
/** A signed delta on the wire, in bytes: refused unread above this. */
export const MAX_SIGNED_DELTA_BYTES = 512 * 1024;

const name = z.string().min(1).max(200);
const count = z.number().int().min(0).max(1e12);

export const statsEntrySchema = z
  .object({
    route: name,
    /** `provider/model`, as the router names upstreams. */
    upstream: name,
    requests: count,
    successes: count,
    /** Sum of time to first event over the requests that got that far (ms). */
    latencyMsSum: z.number().min(0).max(1e15),
    /** Client feedback scores in [0, 1]: their sum and how many. */
    qualitySum: z.number().min(0).max(1e12),
    qualityCount: count,
  })
  .refine((entry) => entry.successes <= entry.requests, 'successes cannot exceed requests')
  .refine((entry) => entry.qualitySum <= entry.qualityCount, 'a quality score is at most 1');
export type StatsEntry = z.output<typeof statsEntrySchema>;

export const statsDeltaSchema = z.object({
  /** The publishing region (must match the key that signed it). */
  region: z.string().regex(REGION_NAME),
  /** Per region, strictly increasing: a receiver refuses a version it has already passed (replay, stale). */
  version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** When the interval ended (ms since the epoch), for operators; ordering is by `version`. */
  issuedAt: z.number().int().min(0),
  entries: z.array(statsEntrySchema).max(MAX_DELTA_ENTRIES),
});
export type StatsDelta = z.output<typeof statsDeltaSchema>;

/**
 * A delta as it travels: the exact bytes that were signed (base64url of the delta's JSON) and the
 * Ed25519 signature over them. The signature covers those bytes, not a re-serialisation, so nothing
 * about JSON canonicalisation can make a verified payload mean something else; a receiver reads
 * only the claimed region out of it before verifying (to pick that region's key).
 */
export const signedDeltaSchema = z.object({
  /** Which of the region's keys signed (rotation: a region may have two at once). */
  keyId: z.string().min(1).max(100),
  payload: z.string().min(1).max(MAX_SIGNED_DELTA_BYTES),
  signature: z.string().min(1).max(200),
});
export type SignedDelta = z.output<typeof signedDeltaSchema>;
