/**
 * A named lease held by one holder at a time, for a time-to-live, with a fencing token: every
 * acquisition of a name gets a token greater than any before it, so a holder that stalled past
 * its lease (and was replaced) is told so by its token the next time it renews, and stops.
 * What the cost optimizer's replicas use so one of them runs each scheduled round (schedule.ts).
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** Strictly increasing per name, across holders, expiries and releases. */
  readonly token: number;
}

export interface LeasePort {
  /** Takes the lease if nobody holds it (a lease past its TTL is nobody's); null when somebody does, the caller included. */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease | null>;
  /** Extends the lease to `ttlMs` from now if it is still this one (same token); false when it was lost. */
  renew(lease: Lease, ttlMs: number): Promise<boolean>;
  /** Ends the lease early if it is still this one; false when it was already lost (another holder's lease is never ended). */
  release(lease: Lease): Promise<boolean>;
  close(): Promise<void>;
}
