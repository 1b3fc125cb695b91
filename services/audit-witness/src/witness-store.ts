import type { Checkpoint } from '@switchyard/ledger';

/** A region's witnessed checkpoints, read and written under the region's lock (one judgement at a time). */
export interface RegionLedgerView {
  latest(): Promise<Checkpoint | null>;
  atSize(treeSize: number): Promise<Checkpoint | null>;
  insert(checkpoint: Checkpoint): Promise<void>;
}

/**
 * Where the witness keeps checkpoints: append-only, per region, durable (Postgres, or PGlite on the
 * embedded default: sql-witness-store.ts). Judgements of one region are serialised (a lock held for
 * the transaction), so two concurrent submissions cannot both extend the same size differently.
 */
export interface WitnessStore {
  withRegion<T>(region: string, work: (view: RegionLedgerView) => Promise<T>): Promise<T>;
  /** Every checkpoint of the region, smallest size first. */
  list(region: string): Promise<Checkpoint[]>;
  close(): Promise<void>;
}
